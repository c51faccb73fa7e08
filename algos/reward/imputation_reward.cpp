#include "algos/reward/imputation_reward.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include <cmath>
#include <limits>

#include "algos/reward/ground_truth_reward.h"
#include "algos/reward/reward_common.h"
#include "algos/reward/statistics.h"
#include "core/error.h"

namespace relabel::algos {

// Reward imputation (arXiv 2407.10839): an MLP r(s, a) fitted on the labelled fraction imputes
// the other rows; the baselines train on the labelled rows alone or on every true reward.
RELABEL_REGISTER_REWARD_METHOD([] {
  RewardMethodInfo m;
  m.name = "imputation";
  m.doc = "an MLP reward fitted on the labelled fraction imputes the unlabelled rows";
  m.paper = "Romeo & Bagdanov, arXiv:2407.10839, 2024";
  m.needs_true_rewards = true;
  m.needs_labelled_subset = true;
  m.default_label_fraction = 0.01;
  m.keys = {
      param("hidden", 256, "hidden width of the reward networks").at_least(1),
      param("lr", 1e-3, "Adam learning rate of the reward model").positive(),
      param("batch_size", 256, "batch size of reward model training").at_least(1),
      param("reward_steps", 5000, "imputation reward model training steps").at_least(1),
      param("holdout_fraction", 0.1,
            "fraction of the labelled subset held out for early stopping (imputation)")
          .in(0, 0.5),
      param("baseline", "none", "imputation baseline: labelled subset only, or all true rewards")
          .one_of({"none", "labels_only", "full"}),
  };
  m.label = [](const Params& p) {
    const auto baseline = p.get_or<std::string>("baseline", "none");
    return baseline == "none" ? std::string("imputation") : "imputation-" + baseline;
  };
  m.make = [](const RewardOptions& o) -> std::unique_ptr<RewardModel> {
    if (o.baseline == ImputationBaseline::None) return std::make_unique<ImputationReward>(o);
    return std::make_unique<GroundTruthReward>("imputation",
                                               o.baseline == ImputationBaseline::LabelsOnly);
  };
  return m;
}());

namespace {

using namespace reward_detail;

constexpr double kImputationNaN = std::numeric_limits<double>::quiet_NaN();
constexpr uint64_t kNetStream = 4;
constexpr uint64_t kSplitStream = 5;
constexpr uint64_t kImputationSampleStream = 6;
constexpr int64_t kImputationChunk = 65536;

// Rows this rank holds out (see the header for the rule).
int64_t holdout_count(int64_t rows, double fraction, double global_rows) {
  if (fraction <= 0 || global_rows < ImputationReward::kMinRowsForHoldout || rows < 2) return 0;
  const auto n = static_cast<int64_t>(std::llround(fraction * static_cast<double>(rows)));
  return std::clamp<int64_t>(n, 1, rows - 1);
}

}  // namespace

ImputationReward::ImputationReward(RewardOptions options)
    : options_(std::move(options)), device_(options_.device), heldout_mse_(kImputationNaN) {}

void ImputationReward::build(int64_t obs_dim, int64_t act_dim) {
  obs_dim_ = obs_dim;
  act_dim_ = act_dim;
  net_ = Mlp(MlpOptions{{obs_dim + act_dim, options_.hidden, options_.hidden, 1}});
  torch::Generator gen = make_generator(derive_seed(options_.seed, kNetStream));
  init_from_generator(net_, gen);
  net_->to(device_);
}

torch::Tensor ImputationReward::predict(const torch::Tensor& x) const {
  torch::NoGradGuard no_grad;
  const int64_t n = x.size(0);
  if (n <= kImputationChunk) return net_.ptr()->forward(x).squeeze(1);
  std::vector<torch::Tensor> parts;
  for (int64_t begin = 0; begin < n; begin += kImputationChunk)
    parts.push_back(
        net_.ptr()->forward(x.slice(0, begin, std::min(n, begin + kImputationChunk))).squeeze(1));
  return torch::cat(parts);
}

void ImputationReward::fit(const RewardSupervision& sup, GradSync& sync) {
  if (!sup.labelled_obs.defined())
    throw Error("imputation: the supervision has no labelled transitions (labelled_obs)");
  torch::Tensor obs = as_matrix(sup.labelled_obs, "imputation labelled_obs", -1, device_);
  const int64_t rows = obs.size(0);
  torch::Tensor act = as_matrix(sup.labelled_actions, "imputation labelled_actions", -1, device_);
  if (act.size(0) != rows)
    throw Error(fmt::format("imputation: labelled_actions has {} rows, labelled_obs {}",
                            act.size(0), rows));
  torch::Tensor rew = as_column(sup.labelled_rewards, "imputation labelled_rewards", rows, device_);

  double global_rows = static_cast<double>(rows);
  sync.all_reduce_sum(&global_rows, 1);
  if (global_rows < 1) throw Error("imputation: the labelled subset is empty on every rank");

  // Seeded split of this rank's share into hold-out and training rows.
  torch::Generator split_gen =
      make_generator(derive_seed(derive_seed(options_.seed, kSplitStream), sup.rank));
  torch::Tensor perm = torch::randperm(rows, split_gen, torch::kLong);
  const int64_t n_hold = holdout_count(rows, options_.holdout_fraction, global_rows);
  heldout_index_ = std::get<0>(perm.slice(0, 0, n_hold).sort());
  torch::Tensor train_index = perm.slice(0, n_hold).to(device_);
  torch::Tensor hold_dev = heldout_index_.to(device_);
  torch::Tensor x_all = torch::cat({obs, act}, 1);
  torch::Tensor x_train = x_all.index_select(0, train_index);
  torch::Tensor y_train = rew.index_select(0, train_index);
  torch::Tensor x_hold = x_all.index_select(0, hold_dev);
  torch::Tensor y_hold = rew.index_select(0, hold_dev);
  const int64_t n_train = x_train.size(0);
  double counts[2] = {static_cast<double>(n_hold), static_cast<double>(n_train)};
  sync.all_reduce_sum(counts, 2);
  global_heldout_rows_ = counts[0];
  global_train_rows_ = counts[1];
  const bool early_stopping = global_heldout_rows_ > 0;

  build(obs.size(1), act.size(1));
  const std::vector<torch::Tensor> params = net_->parameters();
  sync.broadcast_parameters(params);
  torch::optim::Adam adam(params, torch::optim::AdamOptions(options_.lr));
  torch::Generator gen =
      make_generator(derive_seed(derive_seed(options_.seed, kImputationSampleStream), sup.rank));
  const int64_t batch = local_batch(options_.batch_size, sync.world_size());

  // Global held-out MSE: sums all-reduced, so every rank sees the same value and keeps the
  // same weights.
  auto evaluate = [&]() {
    double s[2] = {0, static_cast<double>(x_hold.size(0))};
    if (x_hold.size(0) > 0)
      s[0] = (predict(x_hold) - y_hold).pow(2).to(torch::kFloat64).sum().item<double>();
    sync.all_reduce_sum(s, 2);
    return s[0] / s[1];
  };

  history_.clear();
  heldout_mse_ = kImputationNaN;
  best_step_ = options_.reward_steps;
  std::vector<torch::Tensor> best;
  net_->train();
  for (int64_t step = 1; step <= options_.reward_steps; ++step) {
    adam.zero_grad();
    FitStep report{step, options_.reward_steps};
    if (n_train > 0) {
      torch::Tensor idx = sample_rows(n_train, batch, gen, device_);
      torch::Tensor pred = net_->forward(x_train.index_select(0, idx)).squeeze(1);
      torch::Tensor loss = torch::mse_loss(pred, y_train.index_select(0, idx));
      loss.backward();
      if (fit_observed() && read_fit_loss(device_, step, options_.reward_steps))
        report.loss = loss.item<double>();
    }
    // A rank without training rows contributes zero gradients (undefined grads count as 0).
    sync.average_gradients(params);
    adam.step();
    if (early_stopping && (step % options_.eval_every == 0 || step == options_.reward_steps)) {
      const double mse = evaluate();
      report.heldout_mse = mse;
      history_.emplace_back(step, mse);
      if (best.empty() || mse < heldout_mse_) {
        heldout_mse_ = mse;
        best_step_ = step;
        best.clear();
        for (const auto& p : params) best.push_back(p.detach().clone());
      }
    }
    report_fit_step(report);
  }
  if (!best.empty()) {
    torch::NoGradGuard no_grad;
    for (size_t i = 0; i < params.size(); ++i) params[i].copy_(best[i]);
  } else if (early_stopping) {
    heldout_mse_ = evaluate();  // reward_steps == 0: the initial weights
    best_step_ = 0;
  }
  net_->eval();
}

torch::Tensor ImputationReward::annotate(const torch::Tensor& obs, const torch::Tensor& actions,
                                         const torch::Tensor&) const {
  if (obs_dim_ < 0) throw Error("imputation: annotate before fit (or load)");
  torch::Tensor s = as_matrix(obs, "imputation obs", obs_dim_, device_);
  torch::Tensor a = as_matrix(actions, "imputation actions", act_dim_, device_);
  if (a.size(0) != s.size(0))
    throw Error(fmt::format("imputation: actions have {} rows, obs {}", a.size(0), s.size(0)));
  return predict(torch::cat({s, a}, 1)).to(obs.device());
}

torch::Tensor ImputationReward::relabel(const torch::Tensor& obs, const torch::Tensor& actions,
                                        const torch::Tensor& next_obs,
                                        const torch::Tensor& true_rewards,
                                        const torch::Tensor& labelled_mask) const {
  torch::Tensor predicted = annotate(obs, actions, next_obs);
  if (!labelled_mask.defined()) return predicted;
  if (!true_rewards.defined())
    throw Error("imputation: a labelled mask was given without the true rewards");
  return impute(true_rewards, labelled_mask, predicted);
}

std::map<std::string, double> ImputationReward::diagnostics(const DiagnosticsInput& in) const {
  std::map<std::string, double> out;
  out["heldout_mse"] = heldout_mse_;
  out["heldout_rows"] = global_heldout_rows_;
  out["train_rows"] = global_train_rows_;
  out["best_step"] = static_cast<double>(best_step_);
  if (!in.obs.defined() || in.obs.size(0) == 0 || !in.true_rewards.defined()) return out;
  torch::Tensor pred = annotate(in.obs, in.actions, in.next_obs).to(torch::kCPU, torch::kFloat64);
  torch::Tensor truth =
      as_column(in.true_rewards, "diagnostics true_rewards", pred.size(0), torch::kCPU)
          .to(torch::kFloat64);
  if (in.labelled_mask.defined()) {
    torch::Tensor unlabelled =
        ~as_column(in.labelled_mask, "diagnostics labelled_mask", pred.size(0), torch::kCPU)
             .to(torch::kBool);
    pred = pred.masked_select(unlabelled);
    truth = truth.masked_select(unlabelled);
  }
  out["unlabelled_mse"] =
      pred.numel() > 0 ? (pred - truth).pow(2).mean().item<double>() : kImputationNaN;
  out["unlabelled_pearson"] = pearson(pred, truth);
  out["unlabelled_spearman"] = spearman(pred, truth);
  return out;
}

void ImputationReward::save_state(torch::serialize::OutputArchive& archive) const {
  if (obs_dim_ < 0) throw Error("imputation: save before fit (or load)");
  archive.write("dims", torch::tensor({obs_dim_, act_dim_, options_.hidden}));
  archive.write("stats", torch::tensor({heldout_mse_, static_cast<double>(best_step_),
                                        global_heldout_rows_, global_train_rows_},
                                       torch::kFloat64));
  torch::serialize::OutputArchive n;
  net_->save(n);
  archive.write("net", n);
}

void ImputationReward::load_state(torch::serialize::InputArchive& archive) {
  torch::Tensor dims, stats;
  archive.read("dims", dims);
  archive.read("stats", stats);
  // Module::load would silently adopt the archived shapes; insist on the configured ones.
  if (dims[2].item<int64_t>() != options_.hidden)
    throw Error(fmt::format("imputation archive has reward.hidden = {}, the options say {}",
                            dims[2].item<int64_t>(), options_.hidden));
  build(dims[0].item<int64_t>(), dims[1].item<int64_t>());
  torch::serialize::InputArchive n;
  archive.read("net", n);
  net_->load(n);
  net_->to(device_);
  net_->eval();
  heldout_mse_ = stats[0].item<double>();
  best_step_ = static_cast<int64_t>(stats[1].item<double>());
  global_heldout_rows_ = stats[2].item<double>();
  global_train_rows_ = stats[3].item<double>();
  history_.clear();
}

}  // namespace relabel::algos
