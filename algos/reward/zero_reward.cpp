#include "algos/reward/zero_reward.h"

#include <torch/torch.h>

#include "engine/core/error.h"

namespace relabel::algos {

torch::Tensor ZeroReward::annotate(const torch::Tensor& obs, const torch::Tensor&,
                                   const torch::Tensor&) const {
  if (!obs.defined() || obs.dim() < 1) throw Error("reward method zero: observations are missing");
  return torch::zeros({obs.size(0)}, obs.options().dtype(torch::kFloat32));
}

}  // namespace relabel::algos
