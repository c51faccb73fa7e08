#pragma once
// Implicit Q-Learning (Kostrikov et al. 2021) as docs/algorithms.md specifies (CORL defaults):
// twin Q, V by expectile regression, advantage-weighted Gaussian (or deterministic) actor. One flat
// buffer holds Q, V and the actor: one gradient all-reduce and one fused Adam per update. The
// fast path (hand-written kernels, iql.cpp) is the CPU default; the torch path (autograd,
// iql_torch.cpp) runs the same updates on any device.
#include <vector>

#include "algos/nets/fast_mlp.h"
#include "algos/nets/flat_params.h"
#include "algos/offline/learner.h"
#include "algos/optim/flat_adam.h"

namespace relabel::algos {

class Iql final : public OfflineLearner {
 public:
  Iql(const OfflineOptions& options, GradSync& sync);

  Metrics update(const Batch& batch) override;
  torch::Tensor act(const torch::Tensor& obs) override;
  ActorWeights actor_weights() const override;
  void save(torch::serialize::OutputArchive& archive) const override;
  void load(torch::serialize::InputArchive& archive) override;
  int64_t steps() const override { return steps_; }
  double update_flops(int64_t batch) const override;

  // Inspection (tests): parameters are "q.l<i>" (2, in + 1, out) (FastMlp's [W; b] layout),
  // "v.l<i>", "actor.l<i>" and "actor.log_std" (Gaussian actor only).
  const FlatParams& params() const { return params_; }
  const FlatParams& q_target() const { return q_target_; }
  const FastMlpShape& q_shape() const { return q_.shape(); }
  const FastMlpShape& v_shape() const { return v_.shape(); }
  const FastMlpShape& actor_shape() const { return actor_.shape(); }
  double actor_lr() const;  // learning rate the next update's actor step uses

 private:
  // Gaussian actor log-std clamp (CORL GaussianPolicy).
  static constexpr double kLogStdMin = -20.0, kLogStdMax = 2.0;

  Metrics update_fast(const Batch& batch);
  Metrics update_torch(const Batch& batch);  // iql_torch.cpp
  void step_optimiser();                     // all-reduce, Adam, Polyak (both paths)

  OfflineOptions o_;
  GradSync& sync_;
  FastMlp q_, q_targ_, v_, actor_;
  FlatParams params_, q_target_;
  size_t v_first_ = 0, actor_first_ = 0, log_std_ = 0;
  torch::Tensor q_region_;  // Q's part of params_.values(), laid out like q_target_
  torch::Tensor q_target_values_;
  FlatAdam adam_;
  FastMlp::Tape tape_next_v_, tape_q_target_, tape_v_, tape_q_, tape_actor_;
  std::vector<float> adv_;  // step (2)'s advantages, reused by (5)
  bool torch_path_ = false;
  // Torch path: autograd leaves over params_ (FlatParams::leaves), per network.
  std::vector<torch::Tensor> q_leaves_, v_leaves_, actor_leaves_;
  torch::Tensor log_std_leaf_;
  int64_t steps_ = 0;
};

}  // namespace relabel::algos
