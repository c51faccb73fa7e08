#pragma once
// Behaviour cloning: deterministic actor max_action * tanh(MLP(s)) trained on MSE(pi(s), a)
// (CORL any-percent BC), the baseline of docs/algorithms.md's comparisons. The fast path (bc.cpp)
// is the CPU default; the torch path (autograd, bc_torch.cpp) runs on any device.
#include <vector>

#include "algos/nets/fast_mlp.h"
#include "algos/nets/flat_params.h"
#include "algos/offline/learner.h"
#include "algos/optim/flat_adam.h"

namespace relabel::algos {

class Bc final : public OfflineLearner {
 public:
  Bc(const OfflineOptions& options, GradSync& sync);

  Metrics update(const Batch& batch) override;
  torch::Tensor act(const torch::Tensor& obs) override;
  ActorWeights actor_weights() const override;
  void save(torch::serialize::OutputArchive& archive) const override;
  void load(torch::serialize::InputArchive& archive) override;
  int64_t steps() const override { return steps_; }
  double update_flops(int64_t batch) const override;

  // Inspection (tests): "actor.l<i>" (1, in + 1, out) (FastMlp's [W; b] layout).
  const FlatParams& actor() const { return params_; }
  const FastMlpShape& actor_shape() const { return actor_.shape(); }

 private:
  Metrics update_fast(const Batch& batch);
  Metrics update_torch(const Batch& batch);  // bc_torch.cpp
  void step_optimiser();                     // all-reduce and Adam (both paths)

  OfflineOptions o_;
  GradSync& sync_;
  FastMlp actor_;
  FlatParams params_;
  FlatAdam adam_;
  FastMlp::Tape tape_;
  int64_t steps_ = 0;
  bool torch_path_ = false;
  std::vector<torch::Tensor> leaves_;  // torch path (FlatParams::leaves)
};

}  // namespace relabel::algos
