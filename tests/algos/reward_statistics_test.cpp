// Exact values of the reward diagnostics statistics on small hand-computed vectors.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "algos/reward/statistics.h"
#include "core/error.h"

namespace relabel::algos {
namespace {

torch::Tensor vec(std::vector<double> v) { return torch::tensor(v, torch::kFloat64); }

TEST(RewardStatistics, PearsonHandComputed) {
  EXPECT_NEAR(pearson(vec({1, 2, 3, 4}), vec({2, 4, 6, 8})), 1.0, 1e-15);
  EXPECT_NEAR(pearson(vec({1, 2, 3, 4}), vec({8, 6, 4, 2})), -1.0, 1e-15);
  // dx = (-1, 0, 1), dy = (-1, 1, 0): sum dx dy = 1, sum dx^2 = sum dy^2 = 2 -> 1/2.
  EXPECT_NEAR(pearson(vec({1, 2, 3}), vec({1, 3, 2})), 0.5, 1e-15);
  // float32 input gives the same value (computed in double).
  EXPECT_NEAR(pearson(vec({1, 2, 3}).to(torch::kFloat32), vec({1, 3, 2})), 0.5, 1e-7);
}

TEST(RewardStatistics, DegenerateInputsAreNaN) {
  EXPECT_TRUE(std::isnan(pearson(vec({1, 1, 1}), vec({1, 2, 3}))));
  EXPECT_TRUE(std::isnan(pearson(vec({1}), vec({2}))));
  EXPECT_TRUE(std::isnan(auroc(vec({0.1, 0.2}), vec({1, 1}))));
  EXPECT_TRUE(std::isnan(auroc(vec({0.1, 0.2}), vec({0, 0}))));
  EXPECT_THROW(pearson(vec({1, 2}), vec({1, 2, 3})), relabel::Error);
  EXPECT_THROW(pearson(torch::ones({2, 2}), torch::ones({2, 2})), relabel::Error);
}

TEST(RewardStatistics, AverageRanksShareTies) {
  // Sorted: 10 (rank 1), three 20s (ranks 2, 3, 4 -> 3), 30 (rank 5).
  torch::Tensor r = average_ranks(vec({10, 20, 20, 30, 20}));
  std::vector<double> expected = {1, 3, 3, 5, 3};
  ASSERT_EQ(r.numel(), 5);
  for (int i = 0; i < 5; ++i) EXPECT_DOUBLE_EQ(r[i].item<double>(), expected[i]);
}

TEST(RewardStatistics, SpearmanWithTies) {
  // Ranks x = (1, 2.5, 2.5, 4), y = (1, 3, 2, 4); centred: dx = (-1.5, 0, 0, 1.5),
  // dy = (-1.5, .5, -.5, 1.5): sxy = 4.5, sxx = 4.5, syy = 5 -> 4.5 / sqrt(22.5).
  EXPECT_NEAR(spearman(vec({1, 2, 2, 3}), vec({1, 3, 2, 4})), 4.5 / std::sqrt(22.5), 1e-15);
  // Monotone but non-linear: Spearman is exactly 1 where Pearson is not.
  torch::Tensor x = vec({1, 2, 3, 4, 5});
  EXPECT_NEAR(spearman(x, x.exp()), 1.0, 1e-15);
  EXPECT_LT(pearson(x, x.exp()), 0.95);
}

TEST(RewardStatistics, AurocMannWhitney) {
  // Positives 0.9, 0.7 vs negatives 0.8, 0.6: pairs won 1, 1, 0, 1 -> 3/4.
  EXPECT_DOUBLE_EQ(auroc(vec({0.9, 0.8, 0.7, 0.6}), vec({1, 0, 1, 0})), 0.75);
  // A tie counts 1/2: (0.5 vs 0.5) 0.5 + (0.5 vs 0.3) 1 over 2 pairs.
  EXPECT_DOUBLE_EQ(auroc(vec({0.5, 0.5, 0.3}), vec({1, 0, 0})), 0.75);
  EXPECT_DOUBLE_EQ(auroc(vec({3, 4, 1, 2}), vec({1, 1, 0, 0})), 1.0);
  EXPECT_DOUBLE_EQ(auroc(vec({3, 4, 1, 2}), vec({0, 0, 1, 1})), 0.0);
  // All scores equal: chance.
  EXPECT_DOUBLE_EQ(auroc(vec({2, 2, 2, 2, 2}), vec({1, 0, 1, 0, 0})), 0.5);
  // Boolean labels are accepted.
  EXPECT_DOUBLE_EQ(auroc(vec({0.9, 0.8, 0.7, 0.6}),
                         torch::tensor(std::vector<int64_t>{1, 0, 1, 0}).to(torch::kBool)),
                   0.75);
}

TEST(RewardStatistics, PearsonSumsCombineShards) {
  torch::manual_seed(3);
  torch::Tensor x = torch::randn({101}, torch::kFloat64);
  torch::Tensor y = 0.3 * x + torch::randn({101}, torch::kFloat64);
  PearsonSums a, b;
  a.add(x.slice(0, 0, 40), y.slice(0, 0, 40));
  b.add(x.slice(0, 40), y.slice(0, 40));
  a.merge(b);
  EXPECT_EQ(a.n, 101);
  EXPECT_NEAR(a.value(), pearson(x, y), 1e-12);
}

}  // namespace
}  // namespace relabel::algos
