#pragma once
// How learning code reaches the gradient all-reduce without knowing about MPI
// (docs/architecture.md: algos/ makes no MPI calls). relabel::comm::GradientSync implements it;
// NoSync is the single-process case. Call broadcast_parameters() once after building a model
// (replicas start identical) and average_gradients() after every backward, before the optimiser
// step.
#include <vector>

namespace at {
class Tensor;
}

namespace relabel::algos {

class GradSync {
 public:
  virtual ~GradSync() = default;
  // Replaces every parameter with rank 0's value.
  virtual void broadcast_parameters(const std::vector<at::Tensor>& params) = 0;
  // Replaces every parameter's .grad() with its mean over the ranks (undefined grads count as 0).
  virtual void average_gradients(const std::vector<at::Tensor>& params) = 0;
  // Number of replicas the gradients are averaged over.
  virtual int world_size() const = 0;
  // Sums `n` doubles element-wise over the replicas, in place: global statistics (dataset-wide
  // mean prediction error, reward mean/std) that learning code needs without calling MPI.
  virtual void all_reduce_sum(double* values, int n) = 0;
};

class NoSync final : public GradSync {
 public:
  void broadcast_parameters(const std::vector<at::Tensor>&) override {}
  void average_gradients(const std::vector<at::Tensor>&) override {}
  int world_size() const override { return 1; }
  void all_reduce_sum(double*, int) override {}
};

}  // namespace relabel::algos
