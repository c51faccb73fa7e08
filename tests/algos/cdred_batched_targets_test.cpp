// The CDRED reward evaluates its K frozen targets as one computation (stacked first layers, batched
// later layers, fused LayerNorm + Mish) and each predictor once per row. Checked against the
// unbatched form written out here: every target and predictor as its own MLP of plain torch ops
// (Linear -> LayerNorm -> Mish blocks), both predictors on every row. Outputs, rewards, losses and
// the gradients of the loss with respect to the predictors and the latents agree to 1e-5.
#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <map>
#include <sstream>
#include <string>

#include "algos/online/world_model_mish.h"
#include "algos/online/world_model_params.h"
#include "algos/reward/cdred_reward.h"
#include "algos/reward/statistics.h"

using namespace relabel::algos;

namespace {

// Member m of a TD-MPC2 MLP whose tensors start at params[first]: `layers` linear layers, the
// hidden ones followed by LayerNorm and Mish.
torch::Tensor unbatched_mlp(const std::vector<torch::Tensor>& params, int64_t first, int64_t layers,
                            int64_t m, torch::Tensor x) {
  // A one-member ensemble's tensors have no member dimension.
  auto member = [&](const torch::Tensor& p) { return p.dim() == 3 ? p[m] : p; };
  int64_t k = first;
  for (int64_t l = 0; l < layers; ++l) {
    x = torch::matmul(x, member(params[k])) + member(params[k + 1]).reshape(-1);
    k += 2;
    if (l + 1 == layers) break;
    const int64_t width = x.size(-1);
    x = torch::layer_norm(x, {width}, member(params[k]).reshape(-1),
                          member(params[k + 1]).reshape(-1), 1e-5);
    x = torch::mish(x);
    k += 2;
  }
  return x;
}

struct CdredModel {
  CdredOptions options;
  ParamLayout layout;
  FlatBuffer params;
  std::unique_ptr<CdredReward> reward;
  explicit CdredModel(CdredOptions o) : options(o), reward(std::make_unique<CdredReward>(o)) {
    reward->declare(layout);
    params = FlatBuffer(layout, torch::TensorOptions(), true);
    auto gen = at::make_generator<at::CPUGeneratorImpl>(11);
    reward->init(params.frozen, gen);
  }
  torch::Tensor unbatched_targets(const torch::Tensor& x) const {
    std::vector<torch::Tensor> t;
    for (int64_t k = 0; k < options.num_targets; ++k)
      t.push_back(unbatched_mlp(reward->target_parameters(), 0, 3, k, x));
    return torch::stack(t);
  }
  // Predictor member m (0 = expert, 1 = behavioural) with the agent-buffer tensors `p`.
  torch::Tensor unbatched_predictor(const std::vector<torch::Tensor>& p, int64_t m,
                                    const torch::Tensor& x) const {
    return unbatched_mlp(p, 0, options.predictor_layers + 1, m, x);
  }
};

CdredOptions batched_cdred(int64_t targets, int64_t hidden) {
  CdredOptions o;
  o.latent_dim = 16;
  o.act_dim = 3;
  o.num_targets = targets;
  o.target_hidden = hidden;
  o.output_dim = 24;
  o.predictor_hidden = 40;
  o.predictor_layers = 2;
  o.zeta = 0.8;
  return o;
}

}  // namespace

TEST(CdredBatchedTargets, LayerNormMishMatchesTorchOps) {
  torch::manual_seed(3);
  // inner = 1: x is (N = 5, members = 4, width); inner = 5: (members = 4, N = 5, width).
  for (int64_t inner : {1, 5}) {
    auto x = (inner == 1 ? torch::randn({5, 4, 24}) : torch::randn({4, 5, 24})) * 3 + 1;
    auto g = torch::randn({4, 1, 24}), b = torch::randn({4, 1, 24});
    auto expected = x.clone().view({20, 24});
    for (int64_t r = 0; r < 20; ++r) {
      const int64_t m = (r / inner) % 4;
      expected[r].copy_(
          torch::mish(torch::layer_norm(expected[r], {24}, g[m].view(-1), b[m].view(-1), 1e-5)));
    }
    auto fused = x.clone();
    layer_norm_mish_(fused, g, b, inner);
    EXPECT_LT((fused.view({20, 24}) - expected).abs().max().item<double>(), 1e-5) << inner;
    // A non-contiguous tensor takes the torch-op path and gives the same.
    auto strided = x.transpose(0, 1).contiguous().transpose(0, 1);
    ASSERT_FALSE(strided.is_contiguous());
    layer_norm_mish_(strided, g, b, inner);
    EXPECT_LT((strided.reshape({20, 24}) - expected).abs().max().item<double>(), 1e-5) << inner;
  }
}

TEST(CdredBatchedTargets, TargetsEqualTheUnbatchedNetworks) {
  for (int64_t hidden : {32, 64}) {
    for (int64_t K : {1, 5}) {
      CdredModel m(batched_cdred(K, hidden));
      torch::manual_seed(4);
      auto x = torch::randn({37, 19});
      auto t = m.reward->targets(x);
      ASSERT_EQ(t.sizes(), (std::vector<int64_t>{K, 37, 24}));
      EXPECT_LT((t - m.unbatched_targets(x)).abs().max().item<double>(), 1e-5)
          << "hidden " << hidden << " K " << K;
    }
  }
}

TEST(CdredBatchedTargets, TrainStepEqualsTheUnbatchedForm) {
  // Equal and unequal replay/expert halves take different predictor paths.
  for (int64_t replay : {6, 4}) {
    CdredModel m(batched_cdred(5, 64));
    const auto& o = m.options;
    const int64_t H = 3, N = 12, Be = N - replay, in = o.latent_dim + o.act_dim;
    torch::manual_seed(5);
    auto z0 = torch::randn({H, N, o.latent_dim});
    auto a = torch::rand({H, N, o.act_dim}) * 2 - 1;

    auto z = z0.clone().requires_grad_(true);
    std::map<std::string, double> metrics;
    auto gen = at::make_generator<at::CPUGeneratorImpl>(21);
    m.params.zero_grad();
    auto step = m.reward->train_step(m.params.leaves, z, a, replay, gen, metrics);
    step.loss.backward();
    auto grads = m.params.grads.clone();
    auto z_grad = z.grad().clone();

    // Unbatched: both predictors on every row, every target separately.
    auto zr = z0.clone().requires_grad_(true);
    m.params.zero_grad();
    auto x = torch::cat({zr, a}, -1).reshape({H * N, in});
    auto t = m.unbatched_targets(x.detach());  // (K, H*N, D)
    auto f_phi = m.unbatched_predictor(m.params.leaves, 0, x);
    auto f_psi = m.unbatched_predictor(m.params.leaves, 1, x);
    auto b_phi = cdred_bonus(f_phi.detach(), t, o.alpha, o.eps).view({H, N});
    auto b_psi = cdred_bonus(f_psi.detach(), t, o.alpha, o.eps).view({H, N});
    auto reward = cdred_combine(b_phi, b_psi, o.zeta, o.sigma, o.g);
    auto gen_ref = at::make_generator<at::CPUGeneratorImpl>(21);
    auto k =
        torch::randint(o.num_targets, {H * N}, gen_ref, torch::TensorOptions().dtype(torch::kLong));
    auto chosen = t.index({k, torch::arange(H * N)}).view({H, N, -1});
    auto mse = [&](const torch::Tensor& f, int64_t from, int64_t rows) {
      auto e = f.view({H, N, -1}).narrow(1, from, rows) - chosen.narrow(1, from, rows);
      return (e * e).reshape({H, -1}).mean(1);
    };
    auto le = mse(f_phi, replay, Be), lr = mse(f_psi, 0, replay);
    auto rho = torch::pow(o.rho, torch::arange(H, torch::kFloat32));
    auto loss = o.coef * ((le + lr) * rho).sum() / double(H);
    loss.backward();

    EXPECT_LT((step.reward - reward).abs().max().item<double>(), 1e-5) << "replay " << replay;
    EXPECT_NEAR(step.loss.item<double>(), loss.item<double>(), 1e-5 * loss.item<double>());
    EXPECT_NEAR(metrics.at("cdred_b_phi_expert"), b_phi.narrow(1, replay, Be).mean().item<double>(),
                1e-5);
    EXPECT_NEAR(metrics.at("cdred_b_phi_replay"), b_phi.narrow(1, 0, replay).mean().item<double>(),
                1e-5);
    EXPECT_NEAR(metrics.at("cdred_b_psi_expert"), b_psi.narrow(1, replay, Be).mean().item<double>(),
                1e-5);
    EXPECT_NEAR(metrics.at("cdred_b_psi_replay"), b_psi.narrow(1, 0, replay).mean().item<double>(),
                1e-5);
    // The spread on the agent's rows and the reward's correlation there with -b_phi.
    auto on_replay = [&](const torch::Tensor& v) { return v.narrow(1, 0, replay).reshape({-1}); };
    EXPECT_NEAR(metrics.at("cdred_reward_replay_std"), on_replay(reward).std(false).item<double>(),
                1e-5);
    EXPECT_NEAR(metrics.at("cdred_b_phi_replay_std"), on_replay(b_phi).std(false).item<double>(),
                1e-5);
    EXPECT_NEAR(metrics.at("cdred_b_psi_replay_std"), on_replay(b_psi).std(false).item<double>(),
                1e-5);
    EXPECT_NEAR(metrics.at("cdred_replay_corr_phi"), pearson(on_replay(reward), -on_replay(b_phi)),
                1e-5);
    ASSERT_GT(grads.abs().max().item<double>(), 0.0);
    EXPECT_LT((grads - m.params.grads).abs().max().item<double>(),
              1e-5 * std::max(1.0, grads.abs().max().item<double>()));
    EXPECT_LT((z_grad - zr.grad()).abs().max().item<double>(), 1e-6);
    EXPECT_GT(z_grad.abs().max().item<double>(), 0.0);
  }
}

// cdred_replay_corr_phi says how much the behavioural term reorders the agent's transitions:
// exactly 1 without it (zeta = 1), below 1 with the published zeta = 0.8 on untrained predictors.
TEST(CdredBatchedTargets, ReplayCorrelationWithTheExpertTermIsOneOnlyWithoutTheBehaviouralTerm) {
  for (double zeta : {1.0, 0.8}) {
    auto o = batched_cdred(5, 64);
    o.zeta = zeta;
    CdredModel m(o);
    torch::manual_seed(7);
    const int64_t H = 3, N = 40, replay = 20;
    auto z = torch::randn({H, N, o.latent_dim}), a = torch::rand({H, N, o.act_dim}) * 2 - 1;
    std::map<std::string, double> metrics;
    auto gen = at::make_generator<at::CPUGeneratorImpl>(4);
    m.reward->train_step(m.params.leaves, z, a, replay, gen, metrics);
    ASSERT_EQ(metrics.count("cdred_replay_corr_phi"), 1u);
    const double corr = metrics.at("cdred_replay_corr_phi");
    if (zeta == 1.0) {
      EXPECT_NEAR(corr, 1.0, 1e-9);
      EXPECT_NEAR(metrics.at("cdred_reward_replay_std"), metrics.at("cdred_b_phi_replay_std"),
                  1e-6);
    } else {
      EXPECT_LT(corr, 0.999);
      EXPECT_GT(corr, -1.0);
    }
  }
}

TEST(CdredBatchedTargets, CheckpointReloadRestacksTheTargets) {
  // a and b draw the same targets; a's are perturbed before it is saved, so after the load b
  // must evaluate the loaded values everywhere, its stacked first layers included.
  CdredModel a(batched_cdred(5, 32)), b(batched_cdred(5, 32));
  {
    torch::NoGradGuard no_grad;
    for (auto& p : a.reward->target_parameters()) p.add_(torch::randn_like(p) * 0.2);
  }
  torch::serialize::OutputArchive out;
  a.reward->save(out);
  std::stringstream buffer;
  out.save_to(buffer);
  torch::serialize::InputArchive in;
  in.load_from(buffer);
  torch::manual_seed(6);
  auto x = torch::randn({9, 19});
  auto before = b.reward->targets(x);
  b.reward->load(in);
  auto after = b.reward->targets(x);
  EXPECT_GT((after - before).abs().max().item<double>(), 1e-2);
  EXPECT_LT((after - b.unbatched_targets(x)).abs().max().item<double>(), 1e-5);
  EXPECT_LT((after - a.unbatched_targets(x)).abs().max().item<double>(), 1e-5);
}
