#include "algos/reward/zero_reward.h"

#include <torch/torch.h>

#include "core/error.h"

namespace relabel::algos {

RELABEL_REGISTER_REWARD_METHOD([] {
  RewardMethodInfo m;
  m.name = "zero";
  m.doc = "every transition gets reward 0 (the no-reward-information control)";
  m.make = [](const RewardOptions&) { return std::make_unique<ZeroReward>(); };
  return m;
}());

torch::Tensor ZeroReward::annotate(const torch::Tensor& obs, const torch::Tensor&,
                                   const torch::Tensor&) const {
  if (!obs.defined() || obs.dim() < 1) throw Error("reward method zero: observations are missing");
  return torch::zeros({obs.size(0)}, obs.options().dtype(torch::kFloat32));
}

}  // namespace relabel::algos
