#include "algos/reward/ground_truth_reward.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include "core/error.h"

namespace relabel::algos {

RELABEL_REGISTER_REWARD_METHOD([] {
  RewardMethodInfo m;
  m.name = "ground_truth";
  m.doc = "the dataset's own rewards (the upper reference); online: the environment's reward";
  m.online = true;
  m.needs_true_rewards = true;
  m.make = [](const RewardOptions&) {
    return std::make_unique<GroundTruthReward>("ground_truth", false);
  };
  return m;
}());

torch::Tensor GroundTruthReward::annotate(const torch::Tensor&, const torch::Tensor&,
                                          const torch::Tensor&) const {
  throw Error(fmt::format(
      "reward method {} has no learned reward to annotate with: it uses the dataset's rewards "
      "(call relabel with them)",
      method_));
}

torch::Tensor GroundTruthReward::relabel(const torch::Tensor& obs, const torch::Tensor&,
                                         const torch::Tensor&, const torch::Tensor& true_rewards,
                                         const torch::Tensor&) const {
  if (!true_rewards.defined())
    throw Error(
        fmt::format("reward method {} needs the dataset's rewards, but none were given", method_));
  if (true_rewards.dim() != 1 || true_rewards.size(0) != obs.size(0))
    throw Error(fmt::format("reward method {}: rewards have {} rows, observations {}", method_,
                            true_rewards.numel(), obs.size(0)));
  return true_rewards.to(torch::kFloat32).clone();
}

}  // namespace relabel::algos
