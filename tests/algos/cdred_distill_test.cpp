// CDRED training: after distilling on a fixed expert set, the expert bonus b_phi is lower on
// the expert (z, a) than on random ones, and the predictor loss reaches the latents.
#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "algos/online/world_model_math.h"
#include "algos/online/world_model_params.h"
#include "algos/optim/flat_adam.h"
#include "algos/reward/cdred_reward.h"

using namespace relabel::algos;

namespace {

CdredOptions options() {
  CdredOptions o;
  o.latent_dim = 16;
  o.act_dim = 2;
  o.num_targets = 5;
  o.target_hidden = 64;
  o.output_dim = 32;
  o.predictor_hidden = 64;
  o.predictor_layers = 2;
  return o;
}

// Latents like the world model's (SimNorm groups of 8) and actions in [-1, 1].
torch::Tensor latents(int64_t n, double spread) {
  return simnorm(torch::randn({n, 16}) * spread, 8);
}

}  // namespace

TEST(CdredDistill, ExpertBonusIsLowerOnExpertThanOnRandomInputs) {
  torch::set_num_threads(1);
  torch::manual_seed(3);
  CdredReward reward(options());
  ParamLayout layout;
  reward.declare(layout);
  FlatBuffer params(layout, torch::TensorOptions(), true);
  auto gen = at::make_generator<at::CPUGeneratorImpl>(11);
  reward.init(params.frozen, gen);
  FlatAdam::Options adam;
  adam.lr = 1e-3;
  FlatAdam opt(params.values, params.grads, adam);

  // A fixed expert set (a narrow region of latents, actions near +0.7) and random inputs.
  const int64_t n = 256;
  auto ez = latents(n, 4.0), ea = (0.7 + 0.1 * torch::randn({n, 2})).clamp(-1, 1);
  auto before = reward.bonuses(params.frozen, ez, ea).first.mean().item<double>();
  std::map<std::string, double> metrics;
  for (int step = 0; step < 400; ++step) {
    // 64 replay rows (random) then 64 expert rows, horizon 1.
    auto idx_e = torch::randint(n, {64}, gen, torch::kLong);
    auto z = torch::cat({latents(64, 4.0), ez.index_select(0, idx_e)}).unsqueeze(0);
    auto a = torch::cat({torch::rand({64, 2}) * 2 - 1, ea.index_select(0, idx_e)}).unsqueeze(0);
    params.zero_grad();
    auto step_out = reward.train_step(params.leaves, z, a, 64, gen, metrics);
    step_out.loss.backward();
    opt.step();
  }
  auto fresh_z = latents(n, 4.0), fresh_a = torch::rand({n, 2}) * 2 - 1;
  const double on_expert = reward.bonuses(params.frozen, ez, ea).first.mean().item<double>();
  const double on_random =
      reward.bonuses(params.frozen, fresh_z, fresh_a).first.mean().item<double>();
  EXPECT_LT(on_expert, 0.5 * before) << "training did not reduce b_phi on the expert set";
  EXPECT_LT(on_expert, 0.5 * on_random) << "expert " << on_expert << " random " << on_random;
  // The same data rewarded: expert inputs score higher than random ones.
  auto r_expert = reward.reward(params.frozen, ez, ea).mean().item<double>();
  auto r_random = reward.reward(params.frozen, fresh_z, fresh_a).mean().item<double>();
  EXPECT_GT(r_expert, r_random);
}

TEST(CdredDistill, LossGradientReachesTheLatents) {
  CdredReward reward(options());
  ParamLayout layout;
  reward.declare(layout);
  FlatBuffer params(layout, torch::TensorOptions(), true);
  auto gen = at::make_generator<at::CPUGeneratorImpl>(5);
  reward.init(params.frozen, gen);
  auto z = latents(2 * 8, 1.0).view({2, 8, 16}).requires_grad_(true);  // H = 2, N = 8
  auto a = torch::rand({2, 8, 2});
  std::map<std::string, double> metrics;
  auto step = reward.train_step(params.leaves, z, a, 4, gen, metrics);  // 4 replay + 4 expert
  ASSERT_EQ(step.reward.sizes(), (std::vector<int64_t>{2, 8}));
  EXPECT_FALSE(step.reward.requires_grad());
  // The reward is CDRED's formula on the same inputs.
  auto flat_z = z.detach().view({16, 16}), flat_a = a.view({16, 2});
  EXPECT_TRUE(torch::allclose(step.reward.view({16}), reward.reward(params.frozen, flat_z, flat_a),
                              1e-5, 1e-6));
  step.loss.backward();
  ASSERT_TRUE(z.grad().defined());
  EXPECT_GT(z.grad().abs().sum().item<double>(), 0.0);
  EXPECT_GT(params.grads.abs().sum().item<double>(), 0.0);  // predictors in the flat gradient
  EXPECT_GT(metrics.at("cdred_expert_loss"), 0.0);
  EXPECT_GT(metrics.at("cdred_behaviour_loss"), 0.0);
}
