#include "algos/online/world_model_math.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/error.h"

using namespace relabel::algos;

TEST(WorldModelMath, SimNormRowsSumToOnePerGroup) {
  torch::manual_seed(0);
  auto x = torch::randn({5, 4, 32}) * 3.0;
  auto y = simnorm(x, 8);
  ASSERT_EQ(y.sizes(), x.sizes());
  auto sums = y.view({5, 4, 4, 8}).sum(-1);
  EXPECT_TRUE(torch::allclose(sums, torch::ones_like(sums), 1e-6, 1e-6));
  EXPECT_GE(y.min().item<float>(), 0.0f);
  // Each group is the softmax of its own 8 inputs, independent of the other groups.
  auto g1 = torch::softmax(x.narrow(-1, 8, 8), -1);
  EXPECT_TRUE(torch::allclose(y.narrow(-1, 8, 8), g1, 1e-6, 1e-6));
  EXPECT_THROW(simnorm(torch::randn({2, 12}), 8), relabel::Error);
}

TEST(WorldModelMath, SymlogInvertsSymexp) {
  auto x = torch::tensor({-50.0f, -2.5f, -1e-3f, 0.0f, 0.7f, 9.0f, 1000.0f});
  EXPECT_TRUE(torch::allclose(symexp(symlog(x)), x, 1e-5, 1e-4));
  EXPECT_NEAR(symlog(torch::tensor({std::exp(2.0f) - 1.0f}))[0].item<float>(), 2.0f, 1e-5);
}

TEST(WorldModelMath, TwoHotEncodeDecodeRoundTrip) {
  TwoHotBins bins;  // 101 bins over [-10, 10] in symlog space
  auto x = torch::tensor({-300.0f, -7.25f, -1.0f, 0.0f, 0.05f, 3.3f, 42.0f, 1000.0f});
  auto enc = two_hot(x, bins);
  ASSERT_EQ(enc.sizes(), (std::vector<int64_t>{8, 101}));
  // Weights are a distribution on at most two neighbouring bins.
  EXPECT_TRUE(torch::allclose(enc.sum(1), torch::ones({8}), 1e-6, 1e-6));
  EXPECT_TRUE(((enc > 0).sum(1) <= 2).all().item<bool>());
  // Decoding the encoding (as logits log p) gives the value back.
  auto dec = two_hot_inv(torch::log(enc), bins);
  EXPECT_TRUE(torch::allclose(dec, x, 1e-4, 1e-3)) << dec;
  // Values outside exp(10) are clamped to the last bin.
  auto far = two_hot_inv(torch::log(two_hot(torch::tensor({1e6f}), bins)), bins);
  EXPECT_NEAR(far[0].item<float>(), std::expm1(10.0f), 1.0f);
  // Hand-computed: symlog(x) = 0.3 lies between bins 51 (0.2) and 52 (0.4), halfway.
  auto h = two_hot(torch::tensor({std::expm1(0.3f)}), bins);
  EXPECT_NEAR(h[0][51].item<float>(), 0.5f, 1e-4);
  EXPECT_NEAR(h[0][52].item<float>(), 0.5f, 1e-4);
}

TEST(WorldModelMath, SoftCrossEntropyIsMinimalAtTheTarget) {
  TwoHotBins bins;
  auto target = torch::tensor({2.0f, -5.0f});
  auto exact = torch::log(two_hot(target, bins) + 1e-12);
  auto other = torch::log(two_hot(torch::tensor({3.0f, -4.0f}), bins) + 1e-12);
  auto ce_exact = soft_ce(exact, target, bins), ce_other = soft_ce(other, target, bins);
  EXPECT_TRUE((ce_exact < ce_other).all().item<bool>());
  // Uniform logits: cross-entropy log(101) whatever the target.
  auto uniform = soft_ce(torch::zeros({2, 101}), target, bins);
  EXPECT_NEAR(uniform[0].item<float>(), std::log(101.0f), 1e-5);
}
