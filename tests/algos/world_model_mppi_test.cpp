// MPPI (docs/algorithms.md; TD-MPC2's planner) on toy latent models with known optima.
#include "algos/online/mppi.h"

#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

using namespace relabel::algos;

TEST(Mppi, EstimateValueIsTheDiscountedReturnPlusBootstrap) {
  MppiOptions o;
  MppiPlanner planner(o, 3, 1);
  MppiModel m;
  m.next = [](const torch::Tensor& z, const torch::Tensor& a) { return z + a; };
  m.reward = [](const torch::Tensor& z, const torch::Tensor& a) { return (z + a).squeeze(1); };
  m.policy = [](const torch::Tensor& z) { return torch::zeros_like(z); };
  m.value = [](const torch::Tensor& z, const torch::Tensor&) { return 10.0 * z.squeeze(1); };
  m.discount = 0.5;
  // z0 = 1, actions 1, 2, 3: rewards 2, 4, 7 (z after each step 2, 4, 7); value 10 * 7.
  auto z = torch::ones({1, 1});
  auto actions = torch::tensor({1.0f, 2.0f, 3.0f}).view({3, 1, 1});
  auto v = planner.estimate_value(m, z, actions);
  EXPECT_NEAR(v[0].item<float>(), 2 + 0.5 * 4 + 0.25 * 7 + 0.125 * 70, 1e-5);
}

TEST(Mppi, FindsTheRewardMaximisingActionAndWarmStarts) {
  MppiOptions o;
  o.num_samples = 256;
  o.num_elites = 32;
  o.num_pi_trajs = 8;
  MppiPlanner planner(o, 3, 2);
  MppiModel m;
  auto best = torch::tensor({0.5f, -0.3f});
  m.next = [](const torch::Tensor& z, const torch::Tensor&) { return z; };
  m.reward = [&](const torch::Tensor&, const torch::Tensor& a) {
    return -(a - best).square().sum(1) * 10.0;
  };
  m.policy = [](const torch::Tensor& z) { return torch::zeros({z.size(0), 2}); };
  m.value = [](const torch::Tensor& z, const torch::Tensor&) { return torch::zeros({z.size(0)}); };
  m.discount = 0.9;
  auto gen = at::make_generator<at::CPUGeneratorImpl>(1);
  auto a = planner.plan(m, torch::zeros({1, 4}), true, true, gen);
  ASSERT_EQ(a.sizes(), (std::vector<int64_t>{2}));
  EXPECT_LT((a - best).abs().max().item<float>(), 0.1f) << a;
  ASSERT_TRUE(planner.previous_mean().defined());
  EXPECT_EQ(planner.previous_mean().sizes(), (std::vector<int64_t>{3, 2}));
  // Exploration noise in training mode still stays within the action bounds.
  for (int i = 0; i < 5; ++i)
    EXPECT_LE(planner.plan(m, torch::zeros({1, 4}), false, false, gen).abs().max().item<float>(),
              1.0f);
}
