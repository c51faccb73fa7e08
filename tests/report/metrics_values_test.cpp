// Metrics of docs/metrics.md against hand-computed values on small inputs.
#include <gtest/gtest.h>

#include <cmath>

#include "report/metrics.h"

using namespace relabel::report;

TEST(Metrics, IqmOfOneToEightIsMeanOfMiddleFour) {
  EXPECT_DOUBLE_EQ(iqm({8, 1, 7, 2, 6, 3, 5, 4}), 4.5);  // mean of 3, 4, 5, 6
}

TEST(Metrics, TrimmedMeanCutsFloorOfQuarterEachEnd) {
  // n = 5: floor(1.25) = 1 cut per end, as scipy.stats.trim_mean(x, 0.25).
  EXPECT_DOUBLE_EQ(iqm({1, 2, 3, 4, 100}), 3.0);
  // n = 3: floor(0.75) = 0, plain mean.
  EXPECT_DOUBLE_EQ(iqm({1, 2, 9}), 4.0);
  // n = 6: 1 cut per end -> mean of 2, 3, 4, 10.
  EXPECT_DOUBLE_EQ(iqm({1, 2, 3, 4, 10, 50}), 4.75);
  EXPECT_DOUBLE_EQ(trimmed_mean({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 0.1), 5.5);
  EXPECT_TRUE(std::isnan(iqm({})));
}

TEST(Metrics, OptimalityGapClipsAtGamma) {
  EXPECT_DOUBLE_EQ(optimality_gap({0.5, 1.2}), 0.25);  // 1 - (0.5 + 1) / 2
  EXPECT_DOUBLE_EQ(optimality_gap({0.2, 0.4, 0.9}), 1.0 - 0.5);
  EXPECT_DOUBLE_EQ(optimality_gap({1.5, 2.0}), 0.0);
  EXPECT_DOUBLE_EQ(optimality_gap({50, 120}, 100.0), 25.0);
}

TEST(Metrics, MeanMedianAndSampleStd) {
  EXPECT_DOUBLE_EQ(mean({1, 2, 3, 6}), 3.0);
  EXPECT_DOUBLE_EQ(median({5, 1, 3}), 3.0);
  EXPECT_DOUBLE_EQ(median({4, 1, 3, 2}), 2.5);
  // ddof = 1: sum of squares 32 over 7 (ddof = 0 would give exactly 2).
  EXPECT_NEAR(sample_std({2, 4, 4, 4, 5, 5, 7, 9}), std::sqrt(32.0 / 7.0), 1e-12);
  EXPECT_TRUE(std::isnan(sample_std({3})));
}

TEST(Metrics, AggregatesUseTaskMeansAndPooledRuns) {
  TaskScores s = {{0.1, 0.3}, {0.5}, {0.7, 0.9, 1.4}};
  // Task means 0.2, 0.5, 1.0: mean 17/30, median 0.5.
  auto a = aggregates(s);
  EXPECT_NEAR(a.mean, 1.7 / 3.0, 1e-12);
  EXPECT_NEAR(a.median, 0.5, 1e-12);
  // Pooled: 0.1 0.3 0.5 0.7 0.9 1.4, n = 6 -> cut 1 each end -> mean(0.3, 0.5, 0.7, 0.9).
  EXPECT_NEAR(a.iqm, 0.6, 1e-12);
  // 1 - mean(0.1, 0.3, 0.5, 0.7, 0.9, 1.0) = 1 - 3.5 / 6.
  EXPECT_NEAR(a.optimality_gap, 1.0 - 3.5 / 6.0, 1e-12);
  EXPECT_EQ(task_means({{1, 3}, {}, {4}}), (std::vector<double>{2, 4}));
}

TEST(Metrics, MannWhitneyProbabilityCountsTiesHalf) {
  // x = {1, 2, 3} vs y = {2, 2}: 1<2 twice (0), 2=2 twice (0.5 each), 3>2 twice (1 each) -> 3 / 6.
  EXPECT_DOUBLE_EQ(mann_whitney_probability({1, 2, 3}, {2, 2}), 0.5);
  // {3, 3} vs {1, 3}: 1 + 0.5 + 1 + 0.5 = 3 of 4.
  EXPECT_DOUBLE_EQ(mann_whitney_probability({3, 3}, {1, 3}), 0.75);
  EXPECT_DOUBLE_EQ(mann_whitney_probability({5, 6}, {1, 2, 3}), 1.0);
  EXPECT_DOUBLE_EQ(mann_whitney_probability({1, 3}, {3, 3}), 0.25);
}

TEST(Metrics, ProbabilityOfImprovementAveragesSharedTasks) {
  TaskScores x = {{3, 3}, {0}, {9}};
  TaskScores y = {{1, 3}, {1}, {}};  // third task: y has no runs -> skipped
  EXPECT_DOUBLE_EQ(probability_of_improvement(x, y), (0.75 + 0.0) / 2);
  EXPECT_DOUBLE_EQ(probability_of_improvement(y, x), (0.25 + 1.0) / 2);
  EXPECT_TRUE(std::isnan(probability_of_improvement({{1}}, {{}})));
}

TEST(Metrics, PerformanceProfileCountsStrictlyAbove) {
  auto p = score_profile({0.2, 0.5, 0.5, 0.9}, {0.0, 0.2, 0.5, 0.9, 1.0});
  EXPECT_EQ(p, (std::vector<double>{1.0, 0.75, 0.25, 0.0, 0.0}));
}

TEST(Metrics, PercentileInterpolatesLikeNumpy) {
  EXPECT_DOUBLE_EQ(percentile({4, 1, 3, 2}, 25), 1.75);
  EXPECT_DOUBLE_EQ(percentile({4, 1, 3, 2}, 97.5), 3.925);
  EXPECT_DOUBLE_EQ(percentile({4, 1, 3, 2}, 100), 4.0);
  EXPECT_DOUBLE_EQ(percentile({7}, 2.5), 7.0);
}
