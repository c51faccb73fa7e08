// Stratified bootstrap: seeded and reproducible, CIs around the point estimate, strata respected.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "report/metrics.h"

using namespace relabel::report;

namespace {
TaskScores sample_scores() {
  return {
      {0.61, 0.72, 0.55, 0.68, 0.8}, {0.2, 0.35, 0.31, 0.27, 0.4}, {0.9, 1.1, 0.95, 1.02, 0.88}};
}
}  // namespace

TEST(Bootstrap, SameSeedSameIntervalsDifferentSeedDifferent) {
  BootstrapOptions o;
  o.reps = 500;
  o.seed = 7;
  auto a = stratified_bootstrap(sample_scores(), aggregate_vector, o);
  auto b = stratified_bootstrap(sample_scores(), aggregate_vector, o);
  o.seed = 8;
  auto c = stratified_bootstrap(sample_scores(), aggregate_vector, o);
  ASSERT_EQ(a.size(), 4u);
  bool any_different = false;
  for (size_t k = 0; k < a.size(); ++k) {
    EXPECT_EQ(a[k].lo, b[k].lo);
    EXPECT_EQ(a[k].hi, b[k].hi);
    any_different = any_different || a[k].lo != c[k].lo || a[k].hi != c[k].hi;
  }
  EXPECT_TRUE(any_different);
}

TEST(Bootstrap, IntervalsContainThePointEstimate) {
  BootstrapOptions o;
  o.reps = 1000;
  auto scores = sample_scores();
  auto point = aggregate_vector(scores);
  auto ci = stratified_bootstrap(scores, aggregate_vector, o);
  for (size_t k = 0; k < point.size(); ++k) {
    EXPECT_LE(ci[k].lo, point[k]) << "statistic " << k;
    EXPECT_GE(ci[k].hi, point[k]) << "statistic " << k;
    EXPECT_LT(ci[k].lo, ci[k].hi) << "statistic " << k;
  }
  // Mean of task means: its resamples stay within [mean of task minima, mean of task maxima].
  EXPECT_GE(ci[0].lo, (0.55 + 0.2 + 0.88) / 3);
  EXPECT_LE(ci[0].hi, (0.8 + 0.4 + 1.1) / 3);
}

TEST(Bootstrap, ResamplesWithinEachTask) {
  // Constant tasks: every resample equals the data, so the interval collapses on the estimate;
  // a bootstrap that mixed tasks would spread it.
  TaskScores s = {{0.2, 0.2, 0.2}, {0.8, 0.8}};
  BootstrapOptions o;
  o.reps = 200;
  auto ci = stratified_bootstrap(
      s, [](const TaskScores& x) { return std::vector<double>{mean(task_means(x))}; }, o);
  EXPECT_DOUBLE_EQ(ci[0].lo, 0.5);
  EXPECT_DOUBLE_EQ(ci[0].hi, 0.5);
}

TEST(Bootstrap, NinetyFivePercentCoverageOfTheMean) {
  // Sanity of the percentile interval: for n = 40 normal-ish values the 95% CI of the mean is
  // about mean ± 1.96·sd/√n (a loose check: within 25%).
  std::vector<double> x;
  Rng rng(3);
  for (int i = 0; i < 40; ++i) {
    double s = 0;
    for (int k = 0; k < 12; ++k) s += static_cast<double>(rng.next() >> 11) / 9007199254740992.0;
    x.push_back(s - 6.0);  // Irwin–Hall: approximately N(0, 1)
  }
  BootstrapOptions o;
  o.reps = 4000;
  auto ci = bootstrap_curve_intervals({x}, o)[0];
  double half = 1.96 * sample_std(x) / std::sqrt(40.0);
  EXPECT_NEAR((ci.hi - ci.lo) / 2, half, 0.25 * half);
  EXPECT_NEAR((ci.hi + ci.lo) / 2, mean(x), 0.25 * half);
}

TEST(Bootstrap, CurveIntervalsResampleSeedsJointlyAndSkipMissingPoints) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  // Step 0: every run scores 5 (no spread); step 1: run 2 missing; step 2: spread.
  std::vector<std::vector<double>> by_step = {{5, 5, 5, 5}, {1, 2, nan, 4}, {0, 10, 20, 30}};
  BootstrapOptions o;
  o.reps = 1000;
  auto ci = bootstrap_curve_intervals(by_step, o);
  ASSERT_EQ(ci.size(), 3u);
  EXPECT_DOUBLE_EQ(ci[0].lo, 5.0);
  EXPECT_DOUBLE_EQ(ci[0].hi, 5.0);
  EXPECT_GE(ci[1].lo, 1.0);  // means over {1, 2, 4} only: the missing run is never a 0
  EXPECT_LE(ci[1].hi, 4.0);
  EXPECT_LT(ci[2].lo, 15.0);
  EXPECT_GT(ci[2].hi, 15.0);
  EXPECT_EQ(bootstrap_curve_intervals(by_step, o)[2].lo, ci[2].lo);
}

TEST(Bootstrap, PairBootstrapOfProbabilityOfImprovement) {
  TaskScores x = {{0.5, 0.6, 0.7}, {0.4, 0.5}};
  TaskScores y = {{0.1, 0.2, 0.65}, {0.45, 0.3}};
  BootstrapOptions o;
  o.reps = 800;
  auto ci = stratified_bootstrap_pair(x, y, probability_of_improvement, o);
  auto again = stratified_bootstrap_pair(x, y, probability_of_improvement, o);
  double p = probability_of_improvement(x, y);
  EXPECT_EQ(ci.lo, again.lo);
  EXPECT_EQ(ci.hi, again.hi);
  EXPECT_LE(ci.lo, p);
  EXPECT_GE(ci.hi, p);
  EXPECT_GE(ci.lo, 0.0);
  EXPECT_LE(ci.hi, 1.0);
}

TEST(Bootstrap, RngIsDeterministicAndInRange) {
  Rng a(42), b(42);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(a.next(), b.next());
  std::vector<int> counts(5, 0);
  for (int i = 0; i < 50000; ++i) ++counts[a.below(5)];
  for (int c : counts) EXPECT_NEAR(c, 10000, 400);
  EXPECT_NE(derive_seed(1, "group|a"), derive_seed(1, "group|b"));
  EXPECT_EQ(derive_seed(1, "group|a"), derive_seed(1, "group|a"));
}
