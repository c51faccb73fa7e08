#pragma once
// MPPI planning in the world model's latent space (TD-MPC2's planner; Williams et al. 2015):
// a Gaussian over action sequences of the agent's horizon is refined for a few iterations by
// re-weighting the best-valued ("elite") samples with exp(temperature * value); some samples
// are proposed by the policy prior, and the mean is warm-started from the previous step's plan.
#include <ATen/core/Generator.h>
#include <torch/types.h>

#include <functional>

#include "algos/online/world_model_options.h"

namespace relabel::algos {

// The world model as the planner sees it (latents (N, latent), actions (N, act) in [-1, 1]).
struct MppiModel {
  std::function<torch::Tensor(const torch::Tensor& z, const torch::Tensor& a)> next;
  std::function<torch::Tensor(const torch::Tensor& z, const torch::Tensor& a)> reward;  // (N,)
  std::function<torch::Tensor(const torch::Tensor& z)> policy;  // sampled actions (N, act)
  std::function<torch::Tensor(const torch::Tensor& z, const torch::Tensor& a)> value;  // (N,)
  double discount = 0.99;
};

class MppiPlanner {
 public:
  MppiPlanner(const MppiOptions& options, int64_t horizon, int64_t act_dim);

  // One action (act,) in [-1, 1] for the latent z (1, latent). `episode_start` drops the warm
  // start; `eval` returns the chosen elite's first action without exploration noise.
  torch::Tensor plan(const MppiModel& model, const torch::Tensor& z, bool episode_start, bool eval,
                     at::Generator& gen);

  // Discounted return of each action sequence (H, N, act) from z (N, latent), bootstrapped
  // with the value of the final latent: (N,).
  torch::Tensor estimate_value(const MppiModel& model, const torch::Tensor& z,
                               const torch::Tensor& actions) const;

  // Warm-start state (undefined before the first plan).
  const torch::Tensor& previous_mean() const { return prev_mean_; }
  void set_previous_mean(const torch::Tensor& mean) { prev_mean_ = mean; }

 private:
  MppiOptions options_;
  int64_t horizon_, act_dim_;
  torch::Tensor prev_mean_;  // (H, act)
};

}  // namespace relabel::algos
