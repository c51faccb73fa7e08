#pragma once
// method = ground_truth: the policy trains on the dataset's own rewards (the upper reference),
// and the imputation baselines labels_only / full, which also train on true rewards only.
#include "algos/reward/reward_model.h"

namespace relabel::algos {

class GroundTruthReward final : public RewardModel {
 public:
  // `method` is "ground_truth", or "imputation" for the labels_only / full baselines.
  GroundTruthReward(std::string method, bool labelled_only)
      : method_(std::move(method)), labelled_only_(labelled_only) {}

  std::string method() const override { return method_; }
  void fit(const RewardSupervision&, GradSync&) override {}
  torch::Tensor annotate(const torch::Tensor& obs, const torch::Tensor& actions,
                         const torch::Tensor& next_obs) const override;
  bool needs_true_rewards() const override { return true; }
  torch::Tensor relabel(const torch::Tensor& obs, const torch::Tensor& actions,
                        const torch::Tensor& next_obs, const torch::Tensor& true_rewards,
                        const torch::Tensor& labelled_mask) const override;
  bool train_on_labelled_only() const override { return labelled_only_; }

 private:
  std::string method_;
  bool labelled_only_;
};

}  // namespace relabel::algos
