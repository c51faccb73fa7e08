#include "algos/reward/reload_reward.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include <cmath>
#include <limits>

#include "algos/reward/reward_common.h"
#include "algos/reward/statistics.h"
#include "core/error.h"

namespace relabel::algos {

// ReLOAD (arXiv 2507.12815): an RND predictor fitted to the expert transitions; every
// transition's reward is alpha * exp(-beta * e / e_bar) of its prediction error e.
RELABEL_REGISTER_REWARD_METHOD([] {
  RewardMethodInfo m;
  m.name = "reload";
  m.doc = "self-distilled RND reward from the K best expert trajectories";
  m.paper = "ReLOAD: Chaudhary & Behera, arXiv:2507.12815, 2025";
  m.needs_demonstrations = true;
  m.keys = {
      param("alpha", 1.0, "ReLOAD reward scale alpha in alpha*exp(-beta*e/mean_e)").positive(),
      param("beta", 1.0, "ReLOAD sharpness beta in alpha*exp(-beta*e/mean_e)").positive(),
      param("predictor_steps", 2000, "ReLOAD predictor training steps on the expert transitions")
          .at_least(1),
      param("hidden", 256, "hidden width of the reward networks").at_least(1),
      param("embed_dim", 128, "ReLOAD target/predictor output dimension").at_least(1),
      param("lr", 1e-3, "Adam learning rate of the reward model").positive(),
      param("batch_size", 256, "batch size of reward model training").at_least(1),
  };
  m.make = [](const RewardOptions& o) { return std::make_unique<ReloadReward>(o); };
  return m;
}());

namespace {

using namespace reward_detail;

constexpr double kReloadNaN = std::numeric_limits<double>::quiet_NaN();
// Seed streams: target and predictor must differ (otherwise e = 0 at initialisation everywhere).
constexpr uint64_t kTargetStream = 1;
constexpr uint64_t kPredictorStream = 2;
constexpr uint64_t kReloadSampleStream = 3;
// Rows per forward pass inside the model (bounds the activations' memory).
constexpr int64_t kReloadChunk = 65536;
// Above this many expert rows the target embeddings are computed per batch instead of cached.
constexpr int64_t kMaxCachedTargetFloats = int64_t(1) << 26;

std::vector<torch::Tensor> params_of(const Mlp& m) { return m->parameters(); }

}  // namespace

ReloadReward::ReloadReward(RewardOptions options)
    : options_(std::move(options)),
      device_(options_.device),
      mean_error_(kReloadNaN),
      final_loss_(kReloadNaN) {}

void ReloadReward::build(int64_t obs_dim) {
  obs_dim_ = obs_dim;
  const std::vector<int64_t> sizes = {2 * obs_dim, options_.hidden, options_.hidden,
                                      options_.embed_dim};
  target_ = Mlp(MlpOptions{sizes});
  predictor_ = Mlp(MlpOptions{sizes});
  torch::Generator target_gen = make_generator(derive_seed(options_.seed, kTargetStream));
  torch::Generator predictor_gen = make_generator(derive_seed(options_.seed, kPredictorStream));
  init_from_generator(target_, target_gen);
  init_from_generator(predictor_, predictor_gen);
  target_->to(device_);
  predictor_->to(device_);
  for (auto& p : target_->parameters()) p.set_requires_grad(false);
  target_->eval();
}

void ReloadReward::fit(const RewardSupervision& sup, GradSync& sync) {
  if (!sup.expert_obs.defined())
    throw Error("reload: the supervision has no expert transitions (expert_obs)");
  torch::Tensor obs = as_matrix(sup.expert_obs, "reload expert_obs", -1, device_);
  torch::Tensor next =
      as_matrix(sup.expert_next_obs, "reload expert_next_obs", obs.size(1), device_);
  if (next.size(0) != obs.size(0))
    throw Error(fmt::format("reload: expert_next_obs has {} rows, expert_obs {}", next.size(0),
                            obs.size(0)));
  const int64_t rows = obs.size(0);
  // Every rank learns the global count before any gradient step, so an empty expert set fails
  // on all ranks alike instead of leaving peers waiting in a collective.
  double count = static_cast<double>(rows);
  sync.all_reduce_sum(&count, 1);
  if (count < 1) throw Error("reload: the expert set is empty on every rank (no transitions)");

  build(obs.size(1));
  sync.broadcast_parameters(params_of(target_));
  sync.broadcast_parameters(params_of(predictor_));

  torch::Tensor x = torch::cat({obs, next}, 1);
  torch::Tensor cached_target;
  if (rows > 0 && rows * options_.embed_dim <= kMaxCachedTargetFloats) {
    torch::NoGradGuard no_grad;
    cached_target = target_->forward(x);
  }

  torch::optim::Adam adam(predictor_->parameters(), torch::optim::AdamOptions(options_.lr));
  torch::Generator gen =
      make_generator(derive_seed(derive_seed(options_.seed, kReloadSampleStream), sup.rank));
  const int64_t batch = local_batch(options_.batch_size, sync.world_size());
  const std::vector<torch::Tensor> params = params_of(predictor_);
  predictor_->train();
  // The last 100 steps' mean loss, summed on the device in float64 (the same sum as host
  // doubles) and read once at the end.
  torch::Tensor loss_sum;
  int64_t loss_count = 0;
  for (int64_t step = 0; step < options_.predictor_steps; ++step) {
    adam.zero_grad();
    double step_loss = kReloadNaN;
    if (rows > 0) {
      torch::Tensor idx = sample_rows(rows, batch, gen, device_);
      torch::Tensor xb = x.index_select(0, idx);
      torch::Tensor tb;
      if (cached_target.defined()) {
        tb = cached_target.index_select(0, idx);
      } else {
        torch::NoGradGuard no_grad;
        tb = target_->forward(xb);
      }
      torch::Tensor loss = torch::mse_loss(predictor_->forward(xb), tb);
      loss.backward();
      if (step >= options_.predictor_steps - 100) {
        auto l = loss.detach().to(torch::kFloat64);
        loss_sum = loss_sum.defined() ? loss_sum + l : l;
        ++loss_count;
      }
      if (fit_observed() && read_fit_loss(device_, step + 1, options_.predictor_steps))
        step_loss = loss.item<double>();
    }
    // A rank without expert rows contributes zero gradients (undefined grads count as 0).
    sync.average_gradients(params);
    adam.step();
    report_fit_step({step + 1, options_.predictor_steps, step_loss});
  }
  final_loss_ =
      loss_count > 0 ? loss_sum.item<double>() / static_cast<double>(loss_count) : kReloadNaN;
  for (auto& p : predictor_->parameters()) p.set_requires_grad(false);
  predictor_->eval();
  mean_error_ = kReloadNaN;
}

void ReloadReward::require_fitted(const char* what) const {
  if (obs_dim_ < 0) throw Error(fmt::format("reload: {} before fit (or load)", what));
}

torch::Tensor ReloadReward::errors_of(const torch::Tensor& x) const {
  torch::NoGradGuard no_grad;
  const int64_t n = x.size(0);
  if (n <= kReloadChunk) {
    return (predictor_.ptr()->forward(x) - target_.ptr()->forward(x)).pow(2).mean(1);
  }
  std::vector<torch::Tensor> parts;
  for (int64_t begin = 0; begin < n; begin += kReloadChunk) {
    torch::Tensor xc = x.slice(0, begin, std::min(n, begin + kReloadChunk));
    parts.push_back((predictor_.ptr()->forward(xc) - target_.ptr()->forward(xc)).pow(2).mean(1));
  }
  return torch::cat(parts);
}

torch::Tensor ReloadReward::prediction_error(const torch::Tensor& obs,
                                             const torch::Tensor& next_obs) const {
  require_fitted("prediction_error");
  torch::Tensor s = as_matrix(obs, "reload obs", obs_dim_, device_);
  torch::Tensor s2 = as_matrix(next_obs, "reload next_obs", obs_dim_, device_);
  if (s.size(0) != s2.size(0))
    throw Error(fmt::format("reload: next_obs has {} rows, obs {}", s2.size(0), s.size(0)));
  return errors_of(torch::cat({s, s2}, 1)).to(obs.device());
}

void ReloadReward::finalize_statistics(const torch::Tensor& obs, const torch::Tensor&,
                                       const torch::Tensor& next_obs, GradSync& sync) {
  require_fitted("finalize_statistics");
  torch::Tensor e = prediction_error(obs, next_obs);
  double sums[2] = {e.to(torch::kFloat64).sum().item<double>(), static_cast<double>(e.size(0))};
  sync.all_reduce_sum(sums, 2);
  if (sums[1] < 1) throw Error("reload: the dataset is empty on every rank (no transitions)");
  mean_error_ = sums[0] / sums[1];
  if (!(mean_error_ > 0) || !std::isfinite(mean_error_))
    throw RunError(
        fmt::format("reload: mean prediction error over the dataset is {}, cannot "
                    "normalise the reward",
                    mean_error_));
}

torch::Tensor ReloadReward::annotate(const torch::Tensor& obs, const torch::Tensor&,
                                     const torch::Tensor& next_obs) const {
  if (std::isnan(mean_error_))
    throw Error("reload: annotate before finalize_statistics (the dataset mean error is unknown)");
  torch::Tensor e = prediction_error(obs, next_obs);
  return (options_.alpha * torch::exp(e * (-options_.beta / mean_error_))).to(torch::kFloat32);
}

std::map<std::string, double> ReloadReward::diagnostics(const DiagnosticsInput& in) const {
  std::map<std::string, double> out;
  out["error_mean"] = mean_error_;
  out["predictor_final_loss"] = final_loss_;
  if (!in.obs.defined() || in.obs.size(0) == 0) return out;
  torch::Tensor e = prediction_error(in.obs, in.next_obs).to(torch::kCPU, torch::kFloat64);
  // Before finalize_statistics the reward is undefined; rank by -e (the same order, as
  // r is a decreasing function of e) so the ranking statistics are still available.
  torch::Tensor r =
      std::isnan(mean_error_)
          ? -e
          : annotate(in.obs, in.actions, in.next_obs).to(torch::kCPU, torch::kFloat64);
  if (in.expert_mask.defined()) {
    torch::Tensor mask =
        as_column(in.expert_mask, "diagnostics expert_mask", e.size(0), torch::kCPU)
            .to(torch::kBool);
    torch::Tensor ex = e.masked_select(mask);
    torch::Tensor non = e.masked_select(~mask);
    out["error_expert_mean"] = ex.numel() > 0 ? ex.mean().item<double>() : kReloadNaN;
    out["error_nonexpert_mean"] = non.numel() > 0 ? non.mean().item<double>() : kReloadNaN;
    out["expert_auroc"] = auroc(r, mask);
  }
  if (in.true_rewards.defined()) {
    torch::Tensor truth =
        as_column(in.true_rewards, "diagnostics true_rewards", r.size(0), torch::kCPU);
    out["reward_pearson"] = std::isnan(mean_error_) ? kReloadNaN : pearson(r, truth);
    out["reward_spearman"] = spearman(r, truth);
  }
  return out;
}

void ReloadReward::save_state(torch::serialize::OutputArchive& archive) const {
  require_fitted("save");
  archive.write("dims", torch::tensor({obs_dim_, options_.hidden, options_.embed_dim}));
  archive.write("stats", torch::tensor({mean_error_, final_loss_}, torch::kFloat64));
  torch::serialize::OutputArchive t, p;
  target_->save(t);
  predictor_->save(p);
  archive.write("target", t);
  archive.write("predictor", p);
}

void ReloadReward::load_state(torch::serialize::InputArchive& archive) {
  torch::Tensor dims, stats;
  archive.read("dims", dims);
  archive.read("stats", stats);
  // Module::load would silently adopt the archived shapes; insist on the configured ones.
  if (dims[1].item<int64_t>() != options_.hidden || dims[2].item<int64_t>() != options_.embed_dim)
    throw Error(fmt::format(
        "reload archive has reward.hidden = {}, reward.embed_dim = {}; the options say {}, {}",
        dims[1].item<int64_t>(), dims[2].item<int64_t>(), options_.hidden, options_.embed_dim));
  build(dims[0].item<int64_t>());
  torch::serialize::InputArchive t, p;
  archive.read("target", t);
  archive.read("predictor", p);
  target_->load(t);
  predictor_->load(p);
  target_->to(device_);
  predictor_->to(device_);
  for (auto& q : predictor_->parameters()) q.set_requires_grad(false);
  predictor_->eval();
  mean_error_ = stats[0].item<double>();
  final_loss_ = stats[1].item<double>();
}

}  // namespace relabel::algos
