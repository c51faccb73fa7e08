#pragma once
// Soft Actor-Critic (Haarnoja et al. 2018, "Soft Actor-Critic Algorithms and Applications",
// arXiv:1812.05905): tanh-Gaussian actor, twin critics with Polyak targets and an automatically
// tuned entropy temperature. Used for dataset generation and as an online baseline
// (docs/algorithms.md, SAC). The agent works in normalised actions in [-1, 1]; act() and the
// batches it learns from use environment units in [-max_action, max_action].
#include <torch/types.h>

#include <cstdint>
#include <memory>
#include <string>

#include "algos/batch.h"

namespace torch::serialize {
class OutputArchive;
class InputArchive;
}  // namespace torch::serialize

namespace relabel::algos {

class GradSync;

struct SacOptions {
  int64_t obs_dim = 0;
  int64_t act_dim = 0;
  double max_action = 1.0;
  int64_t hidden = 256;  // actor MLP[s, h, h, 2a], critics MLP[s+a, h, h, 1]
  double lr = 3e-4;      // Adam, actor, critics and temperature
  double gamma = 0.99;
  double tau = 0.005;  // Polyak rate of the target critics
  double init_alpha = 1.0;
  double target_entropy = 0.0;  // 0 means the paper's heuristic −act_dim
  uint64_t seed = 0;            // initial weights and the actor's sampling noise
  std::string device = "cpu";
};

struct SacMetrics {
  double critic_loss = 0.0;  // sum of the two critics' mean squared TD errors
  double actor_loss = 0.0;
  double alpha = 0.0;  // temperature used in this update
  double alpha_loss = 0.0;
  double entropy = 0.0;  // −mean log π(ã|s) of the fresh actions
  double q_mean = 0.0;   // mean of Q1(s, a) over the batch
};

class Sac {
 public:
  // `sync` (optional, not owned) averages gradients across data-parallel replicas.
  explicit Sac(const SacOptions& options, GradSync* sync = nullptr);
  ~Sac();
  Sac(const Sac&) = delete;
  Sac& operator=(const Sac&) = delete;

  // One gradient step of critics, actor and temperature, then the target update.
  // batch.dones masks the bootstrap (terminal transitions only, not time limits).
  SacMetrics update(const Batch& batch);

  // Batched actions (B, act_dim) in environment units for observations (B, obs_dim);
  // deterministic = tanh of the mean, otherwise a sample from the policy.
  torch::Tensor act(const torch::Tensor& obs, bool deterministic);

  const SacOptions& options() const { return options_; }
  int64_t updates() const;

  // Everything needed to continue training: networks, targets, temperature, optimiser states,
  // update count and the sampling generator.
  void save(torch::serialize::OutputArchive& archive) const;
  void load(torch::serialize::InputArchive& archive);
  // The actor alone (a policy checkpoint); load_policy() leaves the critics untouched.
  void save_policy(torch::serialize::OutputArchive& archive) const;
  void load_policy(torch::serialize::InputArchive& archive);

 private:
  struct State;
  SacOptions options_;
  std::unique_ptr<State> s_;
};

}  // namespace relabel::algos
