#pragma once
// TD3+BC (Fujimoto & Gu 2021) as docs/algorithms.md specifies (CORL defaults): twin critics with
// clipped-noise target smoothing, a delayed deterministic actor trained on
// -lambda Q1(s, pi(s)) + MSE(pi(s), a), Polyak-averaged targets. Critics and actor each live in
// one flat buffer (one all-reduce and one fused Adam per optimiser step). The fast path
// (td3bc.cpp) is the CPU default; the torch path (autograd, td3bc_torch.cpp) runs the same
// updates on any device.
#include <ATen/core/Generator.h>

#include <vector>

#include "algos/nets/fast_mlp.h"
#include "algos/nets/flat_params.h"
#include "algos/offline/learner.h"
#include "algos/optim/flat_adam.h"

namespace relabel::algos {

class Td3Bc final : public OfflineLearner {
 public:
  Td3Bc(const OfflineOptions& options, GradSync& sync);

  Metrics update(const Batch& batch) override;
  torch::Tensor act(const torch::Tensor& obs) override;
  ActorWeights actor_weights() const override;
  void save(torch::serialize::OutputArchive& archive) const override;
  void load(torch::serialize::InputArchive& archive) override;
  int64_t steps() const override { return steps_; }
  double update_flops(int64_t batch) const override;

  // Inspection (tests): critic "q.l<i>" (2, in + 1, out), actor "actor.l<i>" (1, in + 1, out)
  // (FastMlp's [W; b] layout).
  const FlatParams& critic() const { return critic_; }
  const FlatParams& critic_target() const { return critic_target_; }
  const FlatParams& actor() const { return actor_params_; }
  const FlatParams& actor_target() const { return actor_target_; }
  const FastMlpShape& q_shape() const { return q_.shape(); }
  const FastMlpShape& actor_shape() const { return actor_.shape(); }
  // The clipped, scaled target-policy noise the last update added (B, act).
  const torch::Tensor& last_noise() const { return noise_; }

 private:
  void ensure_workspaces(int64_t batch);
  Metrics update_fast(const Batch& batch);
  Metrics update_torch(const Batch& batch);  // td3bc_torch.cpp
  // The target-policy noise N(0, policy_noise max_action) of this step, (B, act), drawn on the
  // CPU from the per-rank stream whatever the device (the same numbers on every device).
  torch::Tensor draw_noise(int64_t batch);
  void step_critic();  // all-reduce and Adam of the critics
  void step_actor();   // all-reduce and Adam of the actor, then Polyak of both targets

  OfflineOptions o_;
  GradSync& sync_;
  FastMlp q_, q_targ_, actor_, actor_targ_;
  FlatParams critic_, critic_target_, actor_params_, actor_target_;
  FlatAdam critic_adam_, actor_adam_;
  at::Generator noise_gen_;
  FastMlp::Tape tape_next_pi_, tape_q_target_, tape_q_, tape_pi_, tape_q_pi_;
  // Target action a', pi(s), the target noise and dQ1/dpi(s), all (B, act).
  torch::Tensor next_a_, pi_, noise_, dq_dpi_;
  torch::Tensor critic_target_values_, actor_target_values_;
  int64_t steps_ = 0;
  bool torch_path_ = false;
  std::vector<torch::Tensor> critic_leaves_, actor_leaves_;  // torch path (FlatParams::leaves)
  std::vector<torch::Tensor> critic_values_;                 // critic parameters, no autograd
};

}  // namespace relabel::algos
