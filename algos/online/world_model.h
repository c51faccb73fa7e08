#pragma once
// Latent world-model agent, TD-MPC2-style (Hansen, Su & Wang, ICLR 2024; docs/algorithms.md "Latent
// world-model agent"): encoder and latent dynamics with SimNorm, an ensemble of Q functions with
// two-hot (or scalar) heads, a tanh-Gaussian policy prior, and acting by the prior or by MPPI.
// The reward is TD-MPC2's learned reward head (trained on environment rewards) or a
// LatentReward learned with the model (CDRED). No MPI and no files: gradients are averaged
// through GradSync, checkpoints go into torch archives.
#include <ATen/core/Generator.h>
#include <torch/types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "algos/online/world_model_buffer.h"
#include "algos/online/world_model_options.h"
#include "algos/online/world_model_reward.h"

namespace torch::serialize {
class OutputArchive;
class InputArchive;
}  // namespace torch::serialize

namespace relabel::algos {

class GradSync;

// The agent's acting path without planning, as plain tensors: the encoder, then the policy
// prior's mean, tanh(mu) * max_action (what act(obs, eval = true) computes when options.mppi is
// off). `relabel export` turns it into a standalone module.
struct PriorActor {
  enum class Activation { None, Mish, SimNorm };
  struct Layer {
    torch::Tensor weight;  // (in, out): y = x W + b
    torch::Tensor bias;    // (out)
    // (out) LayerNorm gain and shift (eps 1e-5) before the activation; undefined without one.
    torch::Tensor ln_gain, ln_shift;
    Activation activation = Activation::None;
  };
  std::vector<Layer> layers;  // encoder layers, then the policy prior's
  int64_t simnorm_group = 8;
  int64_t act_dim = 0;  // the prior's mean is the first act_dim outputs of the last layer
  double max_action = 1.0;
};

class WorldModelAgent {
 public:
  // `reward` (optional, not owned): a latent reward learned with the model; its update needs
  // expert sequences. `sync` (optional, not owned) averages gradients across replicas; the
  // initial parameters are broadcast from rank 0.
  explicit WorldModelAgent(const WorldModelOptions& options, LatentReward* reward = nullptr,
                           GradSync* sync = nullptr);
  ~WorldModelAgent();
  WorldModelAgent(const WorldModelAgent&) = delete;
  WorldModelAgent& operator=(const WorldModelAgent&) = delete;

  // One update of the model (consistency, reward, value and reward-model losses) and of the
  // policy prior, then the Polyak update of the target Qs. `replay` holds this rank's share of
  // the batch; with a LatentReward, `expert` holds as many expert sequences (required).
  // Returns named losses and statistics.
  std::map<std::string, double> update(const SequenceBatch& replay,
                                       const SequenceBatch* expert = nullptr);

  // Actions (N, act_dim) in environment units for observations (N, obs_dim): the policy
  // prior's sample (training) or mean (eval), or an MPPI plan per row. With MPPI, row i keeps
  // its warm start between calls (slot i; training and evaluation slots are separate) and
  // `episode_start[i]` != 0 drops it.
  torch::Tensor act(const torch::Tensor& obs, bool eval,
                    const std::vector<uint8_t>& episode_start = {});

  // Latents (N, latent) of observations (N, obs_dim); the learned reward R(z, a) (N,) of
  // latents and environment-unit actions. No gradient.
  torch::Tensor encode(const torch::Tensor& obs) const;
  torch::Tensor reward(const torch::Tensor& z, const torch::Tensor& actions) const;

  const WorldModelOptions& options() const { return options_; }
  double discount() const;
  int64_t updates() const;
  double value_scale() const;  // running 5th-95th percentile range of Q (policy loss scale)
  // All trainable parameters, flat (a copy), and their count.
  torch::Tensor parameters() const;
  int64_t num_parameters() const;

  // Everything needed to continue identically: parameters, targets, optimiser states, the
  // value scale, update count, generator state, MPPI warm starts and the reward's frozen parts.
  void save(torch::serialize::OutputArchive& archive) const;
  void load(torch::serialize::InputArchive& archive);

  // Copies of the encoder's and the policy prior's weights (CPU float32).
  PriorActor prior_actor() const;

 private:
  struct State;
  WorldModelOptions options_;
  std::unique_ptr<State> s_;
};

}  // namespace relabel::algos
