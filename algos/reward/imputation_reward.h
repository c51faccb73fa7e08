#pragma once
// Reward imputation (arXiv 2407.10839; docs/algorithms.md, Reward imputation): f(s, a) =
// MLP[s + a, hidden, hidden, 1] fitted by MSE on the labelled subset; labelled rows keep their
// true reward and the rest get f(s, a) (relabel()).
//
// Early stopping: a seeded permutation of each rank's labelled share holds out
// round(holdout_fraction * rows) rows, at least 1 and leaving at least 1 for training (a rank
// with a single row holds out none). With fewer than 10 labelled rows in total there is no
// hold-out: every row trains and the final weights are kept. Otherwise the global held-out MSE
// (all-reduced, so every rank takes the same decision) is evaluated every eval_every steps and
// after the last step, and the weights with the lowest held-out MSE are kept.
//
// Diagnostics keys: heldout_mse, heldout_rows, train_rows, best_step, and over the sample's
// unlabelled rows with a true reward: unlabelled_mse, unlabelled_pearson, unlabelled_spearman.
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "algos/nets/mlp.h"
#include "algos/reward/reward_model.h"

namespace relabel::algos {

class ImputationReward final : public RewardModel {
 public:
  // Rows below which no hold-out is made (too few to both train and early-stop).
  static constexpr int64_t kMinRowsForHoldout = 10;

  explicit ImputationReward(RewardOptions options);

  std::string method() const override { return "imputation"; }
  void fit(const RewardSupervision& sup, GradSync& sync) override;
  torch::Tensor annotate(const torch::Tensor& obs, const torch::Tensor& actions,
                         const torch::Tensor& next_obs) const override;
  bool needs_true_rewards() const override { return true; }
  // impute(true_rewards, labelled_mask, f(s, a)); with no mask every row gets f(s, a).
  torch::Tensor relabel(const torch::Tensor& obs, const torch::Tensor& actions,
                        const torch::Tensor& next_obs, const torch::Tensor& true_rewards,
                        const torch::Tensor& labelled_mask) const override;
  std::map<std::string, double> diagnostics(const DiagnosticsInput& input) const override;

  // Global held-out MSE of the kept weights (NaN without a hold-out).
  double heldout_mse() const { return heldout_mse_; }
  // Step whose weights were kept (the last step without a hold-out).
  int64_t best_step() const { return best_step_; }
  // (step, global held-out MSE) of every evaluation of the last fit.
  const std::vector<std::pair<int64_t, double>>& history() const { return history_; }
  // Rows of this rank's labelled share held out in the last fit (int64, CPU).
  const torch::Tensor& heldout_rows() const { return heldout_index_; }
  const Mlp& net() const { return net_; }

 protected:
  void save_state(torch::serialize::OutputArchive& archive) const override;
  void load_state(torch::serialize::InputArchive& archive) override;

 private:
  void build(int64_t obs_dim, int64_t act_dim);
  torch::Tensor predict(const torch::Tensor& x) const;  // x on device_, (B,) no grad

  RewardOptions options_;
  torch::Device device_;
  int64_t obs_dim_ = -1;  // -1 until fit or load
  int64_t act_dim_ = -1;
  Mlp net_{nullptr};
  double heldout_mse_;
  int64_t best_step_ = -1;
  double global_heldout_rows_ = 0;
  double global_train_rows_ = 0;
  std::vector<std::pair<int64_t, double>> history_;
  torch::Tensor heldout_index_;
};

}  // namespace relabel::algos
