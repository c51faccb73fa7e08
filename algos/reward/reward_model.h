#pragma once
// Reward models: what relabels an offline dataset before the policy trains on it
// (docs/architecture.md, data flow of a run; docs/algorithms.md, ReLOAD reward and Reward
// imputation).
//
// Engine protocol, on every rank of a run:
//   1. model = make_reward_model(options)
//   2. model->fit(supervision, sync)            (collective: every rank calls it)
//   3. model->finalize_statistics(obs, actions, next_obs, sync) over the rank's whole shard
//                                               (collective; ReLOAD's dataset-wide mean error)
//   4. rewards = model->relabel(obs, actions, next_obs, true_rewards, labelled_mask) per chunk
//      (or annotate() where no true rewards are involved)
//   5. if model->train_on_labelled_only(): the policy trains on the labelled rows alone
//   6. diagnostics(sample) on rank 0 with a gathered sample
// Observations are passed NORMALISED (docs/algorithms.md, Common data handling); models never
// normalise. Tensors are float32; outputs are on the inputs' device.
#include <torch/types.h>

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <string>

#include "algos/reward/reward_options.h"
#include "algos/reward/reward_registry.h"
#include "algos/sync.h"

namespace torch::serialize {
class InputArchive;
class OutputArchive;
}  // namespace torch::serialize

namespace relabel::algos {

// What fit() learns from. Every rank passes ITS share; tensors may be empty (0 rows) on a rank.
struct RewardSupervision {
  // ReLOAD: transitions of the K best expert trajectories, normalised observations (N, obs_dim).
  torch::Tensor expert_obs;
  torch::Tensor expert_next_obs;
  // Imputation: this rank's share of the labelled subset.
  torch::Tensor labelled_obs;      // (M, obs_dim)
  torch::Tensor labelled_actions;  // (M, act_dim)
  torch::Tensor labelled_rewards;  // (M,)
  // This rank's index: seeds its minibatch and hold-out streams so ranks draw different rows.
  // Parameter initialisation depends on options.seed only.
  int rank = 0;
};

// A sample of rows for diagnostics (gathered to one rank, e.g. <= 100k rows). Optional fields
// may be left undefined; the statistics that need them are then omitted.
struct DiagnosticsInput {
  torch::Tensor obs, actions, next_obs;  // (N, ...)
  torch::Tensor true_rewards;            // (N,) the file's rewards, if it has them
  torch::Tensor expert_mask;    // (N,) bool: expert rows (ReLOAD); the engine may append the
                                // expert transitions to the sample to provide them
  torch::Tensor labelled_mask;  // (N,) bool: rows of the labelled subset (imputation)
};

// One step of a fit, as the model reports it to whoever watches (the run shows progress and
// logs the loss; algos write no files). Reported on every rank after every step.
struct FitStep {
  int64_t step = 0;   // 1-based
  int64_t total = 0;  // steps of the whole fit
  // This rank's training loss at the step; NaN when the rank had no rows to train on.
  double loss = std::numeric_limits<double>::quiet_NaN();
  // Imputation: the global held-out MSE when it was evaluated at this step, else NaN.
  double heldout_mse = std::numeric_limits<double>::quiet_NaN();
};
// Called on every rank at every step of fit(), so it may itself be collective when it decides by
// the step alone (the run averages the loss over the ranks every few steps).
using FitObserver = std::function<void(const FitStep&)>;

class RewardModel {
 public:
  virtual ~RewardModel() = default;

  // Watches the next fit() (models with a fitting loop report each step; others nothing).
  void set_fit_observer(FitObserver observer) { fit_observer_ = std::move(observer); }

  // The registered reward.method this model implements (RELABEL_REGISTER_REWARD_METHOD).
  virtual std::string method() const = 0;

  // Data-parallel fit (collective). Parameters start from options.seed and are broadcast;
  // every step averages gradients through `sync`. No-op for models without parameters.
  virtual void fit(const RewardSupervision& sup, GradSync& sync) = 0;

  // Dataset-wide statistics over this rank's shard, combined with sync.all_reduce_sum
  // (collective). ReLOAD: e_bar. No-op by default.
  virtual void finalize_statistics(const torch::Tensor& obs, const torch::Tensor& actions,
                                   const torch::Tensor& next_obs, GradSync& sync) {}

  // The learned reward of each row, (B,) float32: a pure function of the inputs after fit and
  // finalize_statistics. Models without a learned reward (ground_truth, the imputation
  // baselines) throw relabel::Error: use relabel().
  virtual torch::Tensor annotate(const torch::Tensor& obs, const torch::Tensor& actions,
                                 const torch::Tensor& next_obs) const = 0;

  // Whether relabel() reads `true_rewards` (and `labelled_mask`): ground_truth and imputation.
  virtual bool needs_true_rewards() const { return false; }

  // The reward the policy trains on, (B,) float32. Default: annotate(). ground_truth returns the
  // true rewards; imputation keeps the true reward on labelled rows and f(s, a) elsewhere.
  // `true_rewards` / `labelled_mask` may be undefined when needs_true_rewards() is false.
  virtual torch::Tensor relabel(const torch::Tensor& obs, const torch::Tensor& actions,
                                const torch::Tensor& next_obs, const torch::Tensor& true_rewards,
                                const torch::Tensor& labelled_mask) const;

  // Imputation's labels_only baseline: the policy trains on the labelled rows alone.
  virtual bool train_on_labelled_only() const { return false; }

  // Named scalars for result.json (see each model for the keys); NaN where undefined.
  virtual std::map<std::string, double> diagnostics(const DiagnosticsInput& input) const {
    return {};
  }

  // Parameters and fitted statistics (not the options: load into a model made from the same
  // options). load() throws relabel::Error if the archive holds another method.
  void save(torch::serialize::OutputArchive& archive) const;
  void load(torch::serialize::InputArchive& archive);

 protected:
  void report_fit_step(const FitStep& step) const {
    if (fit_observer_) fit_observer_(step);
  }
  bool fit_observed() const { return static_cast<bool>(fit_observer_); }

  virtual void save_state(torch::serialize::OutputArchive& archive) const {}
  virtual void load_state(torch::serialize::InputArchive& archive) {}

 private:
  FitObserver fit_observer_;
};

// Builds the model of the registered method options.method (validates the options first;
// relabel::Error for an unknown method or one without an offline model, e.g. cdred).
std::unique_ptr<RewardModel> make_reward_model(const RewardOptions& options);

// Imputation semantics: rows where labelled_mask is true keep `rewards`, the others get
// `predicted`. All (B,); the result is float32.
torch::Tensor impute(const torch::Tensor& rewards, const torch::Tensor& labelled_mask,
                     const torch::Tensor& predicted);

}  // namespace relabel::algos
