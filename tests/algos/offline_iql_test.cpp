// IQL's fast path against a straightforward autograd implementation of docs/algorithms.md's IQL
// (update order (1)-(5), CORL's losses), written here independently.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "algos/offline/iql.h"
#include "offline_test_util.h"

namespace relabel::algos {
namespace {

using testing::leaf_copies;
using testing::max_abs_diff;
using testing::mlp;

struct ReferenceIql {
  OfflineOptions o;
  std::vector<torch::Tensor> q, q_target, v, actor;
  torch::Tensor log_std;
  std::unique_ptr<torch::optim::Adam> opt_q, opt_v, opt_actor;
  int64_t step = 0;
  double q_loss = 0, v_loss = 0, actor_loss = 0;

  ReferenceIql(const Iql& fast, const OfflineOptions& options) : o(options) {
    const auto& p = fast.params();
    const size_t L = o.layers + 1;
    q = leaf_copies(p, 0, L);
    v = leaf_copies(p, L, L);
    actor = leaf_copies(p, 2 * L, L);
    for (const auto& t : q) q_target.push_back(t.detach().clone());
    opt_q = std::make_unique<torch::optim::Adam>(q, torch::optim::AdamOptions(o.lr));
    opt_v = std::make_unique<torch::optim::Adam>(v, torch::optim::AdamOptions(o.lr));
    auto actor_params = actor;
    if (!o.deterministic_actor) {
      log_std = p.param(p.index("actor.log_std")).detach().clone().requires_grad_(true);
      actor_params.push_back(log_std);
    }
    opt_actor = std::make_unique<torch::optim::Adam>(actor_params, torch::optim::AdamOptions(o.lr));
  }

  void update(const Batch& b) {
    const auto sa = torch::cat({b.obs, b.actions}, 1);
    torch::Tensor next_v, target_q;
    {
      torch::NoGradGuard ng;
      next_v = mlp(b.next_obs, v, 0).squeeze(1);                                     // (1)
      target_q = torch::min(mlp(sa, q_target, 0), mlp(sa, q_target, 1)).squeeze(1);  // (2)
    }
    auto vs = mlp(b.obs, v, 0).squeeze(1);
    auto adv = target_q - vs;
    auto vl = torch::mean(torch::abs(o.expectile - (adv < 0).to(torch::kFloat32)) * adv * adv);
    opt_v->zero_grad();
    vl.backward();
    opt_v->step();
    auto y = b.rewards + (1.0 - b.dones) * o.gamma * next_v;  // (3)
    auto q1 = mlp(sa, q, 0).squeeze(1), q2 = mlp(sa, q, 1).squeeze(1);
    auto ql = (torch::mse_loss(q1, y) + torch::mse_loss(q2, y)) / 2;
    opt_q->zero_grad();
    ql.backward();
    opt_q->step();
    {
      torch::NoGradGuard ng;  // (4) Polyak
      for (size_t i = 0; i < q.size(); ++i)
        q_target[i].copy_((1 - o.tau) * q_target[i] + o.tau * q[i]);
    }
    auto w = torch::exp(o.temperature * adv.detach()).clamp_max(o.max_weight);  // (5)
    auto mu = mlp(b.obs, actor, 0, true);
    torch::Tensor losses;
    if (o.deterministic_actor) {
      losses = ((mu - b.actions).pow(2)).sum(1);
    } else {
      auto ls = log_std.clamp(-20, 2);
      auto var = torch::exp(2 * ls);
      auto log_prob =
          -(b.actions - mu).pow(2) / (2 * var) - ls - 0.5 * std::log(2 * std::acos(-1.0));
      losses = -log_prob.sum(-1);
    }
    auto al = torch::mean(w * losses);
    const double pi = std::acos(-1.0);
    static_cast<torch::optim::AdamOptions&>(opt_actor->param_groups()[0].options())
        .lr(o.lr * (1 + std::cos(pi * step / o.total_steps)) / 2);
    opt_actor->zero_grad();
    al.backward();
    opt_actor->step();
    q_loss = ql.item<double>();
    v_loss = vl.item<double>();
    actor_loss = al.item<double>();
    ++step;
  }
};

OfflineOptions small_options(bool deterministic) {
  OfflineOptions o;
  o.algo = "iql";
  o.obs_dim = 11;
  o.act_dim = 3;
  o.hidden = 64;
  o.total_steps = 10;
  o.seed = 5;
  o.deterministic_actor = deterministic;
  return o;
}

void expect_matches(const Iql& fast, const ReferenceIql& ref, double tol) {
  const auto& p = fast.params();
  const size_t L = ref.q.size();
  for (size_t i = 0; i < L; ++i) {
    EXPECT_LT(max_abs_diff(p.param(i), ref.q[i]), tol) << p.spec(i).name;
    EXPECT_LT(max_abs_diff(fast.q_target().param(i), ref.q_target[i]), tol) << "target " << i;
    EXPECT_LT(max_abs_diff(p.param(L + i), ref.v[i]), tol) << p.spec(L + i).name;
    EXPECT_LT(max_abs_diff(p.param(2 * L + i), ref.actor[i]), tol) << p.spec(2 * L + i).name;
  }
  if (ref.log_std.defined()) {
    EXPECT_LT(max_abs_diff(p.param(p.index("actor.log_std")), ref.log_std), tol);
  }
}

class IqlMatchesReference : public ::testing::TestWithParam<bool> {};

TEST_P(IqlMatchesReference, GradientsLossesAndParametersOverThreeUpdates) {
  const auto o = small_options(GetParam());
  NoSync sync;
  Iql fast(o, sync);
  ReferenceIql ref(fast, o);
  for (int step = 0; step < 3; ++step) {
    const auto b = testing::random_batch(64, 11, 3, 100 + step);
    const auto m = fast.update(b);
    ref.update(b);
    EXPECT_NEAR(m.at("q_loss"), ref.q_loss, 1e-5 * (1 + std::abs(ref.q_loss)));
    EXPECT_NEAR(m.at("v_loss"), ref.v_loss, 1e-5 * (1 + std::abs(ref.v_loss)));
    EXPECT_NEAR(m.at("actor_loss"), ref.actor_loss, 1e-5 * (1 + std::abs(ref.actor_loss)));
    if (step == 0) {  // gradients of the first update, relative to their scale
      const auto& p = fast.params();
      const size_t L = ref.q.size();
      for (size_t i = 0; i < L; ++i) {
        for (auto [idx, t] : {std::pair{i, ref.q[i]}, std::pair{L + i, ref.v[i]},
                              std::pair{2 * L + i, ref.actor[i]}}) {
          const double scale = t.grad().abs().max().item<double>() + 1e-12;
          EXPECT_LT(max_abs_diff(p.grad(idx), t.grad()) / scale, 1e-5) << p.spec(idx).name;
        }
      }
      if (ref.log_std.defined()) {
        const auto& g = ref.log_std.grad();
        EXPECT_LT(max_abs_diff(p.grad(p.index("actor.log_std")), g),
                  1e-5 * (1 + g.abs().max().item<double>()));
      }
    }
    expect_matches(fast, ref, 1e-5);
  }
  EXPECT_EQ(fast.steps(), 3);
  EXPECT_NEAR(fast.actor_lr(), o.lr * (1 + std::cos(std::acos(-1.0) * 3 / 10)) / 2, 1e-15);
}

INSTANTIATE_TEST_SUITE_P(Actors, IqlMatchesReference, ::testing::Values(false, true),
                         [](const auto& info) {
                           return info.param ? "Deterministic" : "Gaussian";
                         });

TEST(Iql, ActIsTheClampedScaledMeanAndPolyakMovesTargetsByTau) {
  auto o = small_options(false);
  o.max_action = 2.0;
  NoSync sync;
  Iql iql(o, sync);
  const auto before = iql.q_target().values().clone();
  const auto b = testing::random_batch(32, 11, 3, 9);
  iql.update(b);
  // target' = target + tau (q' - target), with q' the updated critic.
  const auto q_now = iql.params().values().narrow(0, 0, before.numel());
  const auto expect = before + o.tau * (q_now - before);
  EXPECT_LT(max_abs_diff(iql.q_target().values(), expect), 1e-7);

  const auto obs = torch::randn({5, 11});
  const auto a = iql.act(obs);
  ASSERT_EQ(a.sizes(), torch::IntArrayRef({5, 3}));
  EXPECT_LE(a.abs().max().item<double>(), 2.0);
  auto p = leaf_copies(iql.params(), 6, 3);
  EXPECT_LT(max_abs_diff(a, 2.0 * mlp(obs, p, 0, true)), 1e-6);
  EXPECT_THROW(iql.act(torch::randn({5, 4})), std::exception);
  auto bad = b;
  bad.actions = torch::randn({32, 2});
  EXPECT_THROW(iql.update(bad), std::exception);
}

}  // namespace
}  // namespace relabel::algos
