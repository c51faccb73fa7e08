// TD3+BC and BC fast paths against straightforward autograd implementations of docs/algorithms.md.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "algos/offline/bc.h"
#include "algos/offline/td3bc.h"
#include "offline_test_util.h"

namespace relabel::algos {
namespace {

using testing::leaf_copies;
using testing::max_abs_diff;
using testing::mlp;

struct ReferenceTd3Bc {
  OfflineOptions o;
  std::vector<torch::Tensor> q, q_target, actor, actor_target;
  std::unique_ptr<torch::optim::Adam> opt_q, opt_actor;
  int64_t it = 0;
  double critic_loss = 0, actor_loss = 0;

  ReferenceTd3Bc(const Td3Bc& fast, const OfflineOptions& options) : o(options) {
    q = leaf_copies(fast.critic(), 0, fast.critic().size());
    actor = leaf_copies(fast.actor(), 0, fast.actor().size());
    for (const auto& t : q) q_target.push_back(t.detach().clone());
    for (const auto& t : actor) actor_target.push_back(t.detach().clone());
    opt_q = std::make_unique<torch::optim::Adam>(q, torch::optim::AdamOptions(o.lr));
    opt_actor = std::make_unique<torch::optim::Adam>(actor, torch::optim::AdamOptions(o.lr));
  }

  // `noise`: the clipped, scaled target-policy noise the fast learner drew for this batch.
  void update(const Batch& b, const torch::Tensor& noise) {
    ++it;
    const double m = o.max_action;
    torch::Tensor y;
    {
      torch::NoGradGuard ng;
      auto next_a = (m * mlp(b.next_obs, actor_target, 0, true) + noise).clamp(-m, m);
      auto nsa = torch::cat({b.next_obs, next_a}, 1);
      auto tq = torch::min(mlp(nsa, q_target, 0), mlp(nsa, q_target, 1)).squeeze(1);
      y = b.rewards + (1.0 - b.dones) * o.gamma * tq;
    }
    const auto sa = torch::cat({b.obs, b.actions}, 1);
    auto cl =
        torch::mse_loss(mlp(sa, q, 0).squeeze(1), y) + torch::mse_loss(mlp(sa, q, 1).squeeze(1), y);
    opt_q->zero_grad();
    cl.backward();
    opt_q->step();
    critic_loss = cl.item<double>();
    if (it % o.policy_delay != 0) return;
    auto pi = m * mlp(b.obs, actor, 0, true);
    auto q1 = mlp(torch::cat({b.obs, pi}, 1), q, 0);
    auto lambda = o.alpha / q1.abs().mean().detach();
    auto al = -lambda * q1.mean() + torch::mse_loss(pi, b.actions);
    opt_actor->zero_grad();
    al.backward();
    opt_actor->step();
    actor_loss = al.item<double>();
    torch::NoGradGuard ng;
    for (size_t i = 0; i < q.size(); ++i)
      q_target[i].copy_((1 - o.tau) * q_target[i] + o.tau * q[i]);
    for (size_t i = 0; i < actor.size(); ++i)
      actor_target[i].copy_((1 - o.tau) * actor_target[i] + o.tau * actor[i]);
  }
};

OfflineOptions small_offline(const std::string& algo) {
  OfflineOptions o;
  o.algo = algo;
  o.obs_dim = 11;
  o.act_dim = 3;
  o.hidden = 64;
  o.seed = 8;
  o.max_action = 1.5;
  return o;
}

void expect_near_all(const FlatParams& p, const std::vector<torch::Tensor>& ref, double tol,
                     const char* what) {
  ASSERT_EQ(p.size(), ref.size());
  for (size_t i = 0; i < ref.size(); ++i)
    EXPECT_LT(max_abs_diff(p.param(i), ref[i]), tol) << what << " " << p.spec(i).name;
}

TEST(Td3Bc, MatchesReferenceOverFourUpdatesWithTwoDelayedActorSteps) {
  const auto o = small_offline("td3bc");
  NoSync sync;
  Td3Bc fast(o, sync);
  ReferenceTd3Bc ref(fast, o);
  for (int step = 0; step < 4; ++step) {
    const auto b = testing::random_batch(64, 11, 3, 200 + step);
    const auto m = fast.update(b);
    ref.update(b, fast.last_noise());
    EXPECT_NEAR(m.at("critic_loss"), ref.critic_loss, 1e-5 * (1 + std::abs(ref.critic_loss)));
    EXPECT_EQ(m.contains("actor_loss"), step % 2 == 1);
    if (step % 2 == 1) {
      EXPECT_NEAR(m.at("actor_loss"), ref.actor_loss, 1e-5 * (1 + std::abs(ref.actor_loss)));
      for (size_t i = 0; i < ref.actor.size(); ++i) {
        const auto& g = ref.actor[i].grad();
        EXPECT_LT(max_abs_diff(fast.actor().grad(i), g) / (g.abs().max().item<double>() + 1e-12),
                  1e-5)
            << "actor grad " << i;
      }
    }
    if (step == 0)
      for (size_t i = 0; i < ref.q.size(); ++i) {
        const auto& g = ref.q[i].grad();
        EXPECT_LT(max_abs_diff(fast.critic().grad(i), g) / (g.abs().max().item<double>() + 1e-12),
                  1e-5)
            << "critic grad " << i;
      }
    expect_near_all(fast.critic(), ref.q, 1e-5, "critic");
    expect_near_all(fast.critic_target(), ref.q_target, 1e-5, "critic target");
    expect_near_all(fast.actor(), ref.actor, 1e-5, "actor");
    expect_near_all(fast.actor_target(), ref.actor_target, 1e-5, "actor target");
  }
}

TEST(Td3Bc, TargetNoiseIsClippedGaussianScaledByMaxAction) {
  auto o = small_offline("td3bc");
  NoSync sync;
  Td3Bc fast(o, sync);
  std::vector<torch::Tensor> all;
  for (int i = 0; i < 8; ++i) {
    fast.update(testing::random_batch(256, 11, 3, 300 + i));
    all.push_back(fast.last_noise().clone());
  }
  const auto n = torch::cat(all);
  EXPECT_LE(n.abs().max().item<double>(), 0.5 * 1.5 + 1e-6);
  EXPECT_GT(n.abs().max().item<double>(), 0.5 * 1.5 - 1e-3);  // the clip is reached
  // std of N(0, 0.3) clipped at +-0.75 is 0.2966; 6144 samples: se ~0.003.
  EXPECT_NEAR(n.std().item<double>(), 0.2966, 0.015);
  EXPECT_NEAR(n.mean().item<double>(), 0.0, 0.015);
}

TEST(Bc, MatchesReferenceOverThreeUpdates) {
  const auto o = small_offline("bc");
  NoSync sync;
  Bc fast(o, sync);
  auto actor = leaf_copies(fast.actor(), 0, fast.actor().size());
  torch::optim::Adam opt(actor, torch::optim::AdamOptions(o.lr));
  for (int step = 0; step < 3; ++step) {
    const auto b = testing::random_batch(64, 11, 3, 400 + step);
    const auto m = fast.update(b);
    auto loss = torch::mse_loss(o.max_action * mlp(b.obs, actor, 0, true), b.actions);
    opt.zero_grad();
    loss.backward();
    opt.step();
    EXPECT_NEAR(m.at("actor_loss"), loss.item<double>(), 1e-6);
    expect_near_all(fast.actor(), actor, 1e-5, "actor");
  }
  const auto obs = torch::randn({4, 11});
  EXPECT_LT(max_abs_diff(fast.act(obs), o.max_action * mlp(obs, actor, 0, true)), 1e-5);
}

}  // namespace
}  // namespace relabel::algos
