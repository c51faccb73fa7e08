#pragma once
// ReLOAD: self-distilled RND reward (arXiv 2507.12815; docs/algorithms.md, ReLOAD).
// x = concat(s, s') of normalised observations. A frozen random target f_psi and a predictor
// g_theta, both MLP[2*obs, hidden, hidden, embed_dim]; g_theta is fitted by MSE to f_psi on the
// expert transitions only, then frozen. e(x) = mean_d (g_theta(x) - f_psi(x))^2 is small near the
// expert's transitions; r = alpha * exp(-beta * e / e_bar) with e_bar the mean error over the
// whole dataset (finalize_statistics), so beta is scale-free.
//
// Diagnostics keys: error_mean (e_bar), error_expert_mean, error_nonexpert_mean,
// reward_pearson, reward_spearman (with the true reward), expert_auroc (expert vs non-expert by
// reward), predictor_final_loss.
#include <cstdint>
#include <map>
#include <string>

#include "algos/nets/mlp.h"
#include "algos/reward/reward_model.h"

namespace relabel::algos {

class ReloadReward final : public RewardModel {
 public:
  explicit ReloadReward(RewardOptions options);

  std::string method() const override { return "reload"; }
  void fit(const RewardSupervision& sup, GradSync& sync) override;
  void finalize_statistics(const torch::Tensor& obs, const torch::Tensor& actions,
                           const torch::Tensor& next_obs, GradSync& sync) override;
  torch::Tensor annotate(const torch::Tensor& obs, const torch::Tensor& actions,
                         const torch::Tensor& next_obs) const override;
  std::map<std::string, double> diagnostics(const DiagnosticsInput& input) const override;

  // e(x) per row, (B,) float32 on the inputs' device (needs fit, not finalize_statistics).
  torch::Tensor prediction_error(const torch::Tensor& obs, const torch::Tensor& next_obs) const;
  // e_bar after finalize_statistics (NaN before).
  double mean_error() const { return mean_error_; }
  // Mean predictor loss over the last 100 fit steps (the rank's local batches).
  double final_loss() const { return final_loss_; }
  const Mlp& target() const { return target_; }
  const Mlp& predictor() const { return predictor_; }

 protected:
  void save_state(torch::serialize::OutputArchive& archive) const override;
  void load_state(torch::serialize::InputArchive& archive) override;

 private:
  void build(int64_t obs_dim);
  void require_fitted(const char* what) const;
  torch::Tensor errors_of(const torch::Tensor& x) const;  // x on device_, no grad

  RewardOptions options_;
  torch::Device device_;
  int64_t obs_dim_ = -1;  // -1 until fit or load
  Mlp target_{nullptr};
  Mlp predictor_{nullptr};
  double mean_error_;
  double final_loss_;
};

}  // namespace relabel::algos
