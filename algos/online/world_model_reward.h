#pragma once
// A reward defined on the world model's latent state and action, learned together with the
// world model (CDRED, docs/algorithms.md). Its trainable tensors live in the agent's flat parameter
// buffer (declare() adds them to the agent's layout), so one optimiser, one gradient clip and
// one all-reduce cover the world model and the reward; frozen parts (random targets) are the
// reward's own. Without a LatentReward the agent learns TD-MPC2's reward head from the
// environment rewards.
#include <ATen/core/Generator.h>
#include <torch/types.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "algos/online/world_model_params.h"

namespace torch::serialize {
class OutputArchive;
class InputArchive;
}  // namespace torch::serialize

namespace relabel::algos {

// What an online reward learned on the world model's latents is built for; a reward method
// registers a factory of LatentRewards (algos/reward/reward_registry.h, make_latent).
struct LatentRewardShape {
  int64_t latent_dim = 0;
  int64_t act_dim = 0;
  double rho = 0.5;  // the agent's per-step loss weight over the horizon
  std::string device = "cpu";
};

class LatentReward;
using LatentRewardFactory = std::function<std::unique_ptr<LatentReward>(const LatentRewardShape&)>;

class LatentReward {
 public:
  virtual ~LatentReward() = default;

  // Adds the trainable tensors to `layout` (called once, while the agent builds its layout).
  virtual void declare(ParamLayout& layout) = 0;
  // Initial values of the declared tensors (views of the agent's buffer) and of the frozen
  // parts, drawn from `gen`.
  virtual void init(const std::vector<torch::Tensor>& params, at::Generator& gen) = 0;

  // R(z, a) for latents (N, latent) and normalised actions (N, act): (N,). No gradient.
  virtual torch::Tensor reward(const std::vector<torch::Tensor>& params, const torch::Tensor& z,
                               const torch::Tensor& a) const = 0;

  struct Step {
    torch::Tensor reward;  // (H, N) R on the rolled-out latents, no gradient (TD targets)
    torch::Tensor loss;    // scalar training loss, coefficient included
  };
  // One update's share: latents (H, N, latent) rolled out by the world model (with gradient)
  // and normalised actions (H, N, act); rows [0, replay_rows) come from the replay buffer, the
  // others from the expert demonstrations. The loss's gradient flows into the latents.
  // `metrics` receives named diagnostics.
  virtual Step train_step(const std::vector<torch::Tensor>& params, const torch::Tensor& z,
                          const torch::Tensor& a, int64_t replay_rows, at::Generator& gen,
                          std::map<std::string, double>& metrics) const = 0;

  // Frozen state (the trainable tensors are saved with the agent's buffer).
  virtual void save(torch::serialize::OutputArchive& archive) const = 0;
  virtual void load(torch::serialize::InputArchive& archive) = 0;
};

}  // namespace relabel::algos
