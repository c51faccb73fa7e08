#pragma once
// method = zero: every transition gets reward 0 (the "no reward information" control).
#include "algos/reward/reward_model.h"

namespace relabel::algos {

class ZeroReward final : public RewardModel {
 public:
  std::string method() const override { return "zero"; }
  void fit(const RewardSupervision&, GradSync&) override {}
  torch::Tensor annotate(const torch::Tensor& obs, const torch::Tensor& actions,
                         const torch::Tensor& next_obs) const override;
};

}  // namespace relabel::algos
