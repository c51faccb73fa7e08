// MPPI (docs/algorithms.md; TD-MPC2's planner) on toy latent models with known optima.
#include "algos/online/mppi.h"

#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <string>

#include "core/error.h"

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

// One size rule for the planner and the agent that builds it (the config names the keys).
TEST(Mppi, RefusesSizesItCannotPlanWith) {
  auto refused = [](MppiOptions o, int64_t horizon) {
    try {
      MppiPlanner planner(o, horizon, 1);
    } catch (const relabel::Error& e) {
      EXPECT_NE(std::string(e.what()).find("MPPI: needs num_samples > num_pi_trajs"),
                std::string::npos)
          << e.what();
      return true;
    }
    return false;
  };
  MppiOptions o;
  EXPECT_FALSE(refused(o, 3));
  EXPECT_TRUE(refused(o, 0));
  MppiOptions all_prior = o;
  all_prior.num_pi_trajs = o.num_samples;
  EXPECT_TRUE(refused(all_prior, 3));
  MppiOptions no_elites = o;
  no_elites.num_elites = 0;
  EXPECT_TRUE(refused(no_elites, 3));
  MppiOptions too_many = o;
  too_many.num_elites = o.num_samples + 1;
  EXPECT_TRUE(refused(too_many, 3));
  MppiOptions no_iterations = o;
  no_iterations.iterations = 0;
  EXPECT_TRUE(refused(no_iterations, 3));

  WorldModelOptions agent;
  agent.obs_dim = agent.act_dim = 1;
  agent.mppi = true;
  agent.planner = all_prior;
  EXPECT_THROW(check_world_model_options(agent), relabel::Error);
  agent.mppi = false;  // the planner's sizes matter only to an agent that plans
  EXPECT_NO_THROW(check_world_model_options(agent));
}
