#pragma once
// Parameters of one optimiser group living as views into ONE contiguous float buffer (and their
// gradients as views into a second one), so the optimiser, the gradient all-reduce and Polyak
// averaging are a handful of vectorised ops over the whole buffer instead of per-tensor loops.
#include <torch/types.h>

#include <string>
#include <vector>

namespace relabel::algos {

struct ParamSpec {
  std::string name;
  std::vector<int64_t> shape;
};

class FlatParams {
 public:
  FlatParams() = default;
  // Allocates zero-initialised storage for `specs`; each parameter starts 64-byte aligned
  // (padding stays zero in values and gradients). with_grad=false for target networks.
  FlatParams(std::vector<ParamSpec> specs, const torch::TensorOptions& options,
             bool with_grad = true);

  // The flat buffer as GradSync sees it: requires_grad, its .grad() is the flat gradient.
  // Pass {sync_tensor()} to broadcast_parameters / average_gradients: one bucket.
  const torch::Tensor& sync_tensor() const { return sync_; }
  // After GradSync replaced the flat .grad() tensor, copies the result back into our buffer.
  void adopt_synced_grad();

  const torch::Tensor& values() const { return values_; }  // 1-D, no autograd
  const torch::Tensor& grads() const { return grads_; }    // 1-D
  int64_t numel() const { return values_.numel(); }
  size_t size() const { return specs_.size(); }
  const ParamSpec& spec(size_t i) const { return specs_[i]; }
  const torch::Tensor& param(size_t i) const { return params_[i]; }
  const torch::Tensor& grad(size_t i) const { return grad_views_[i]; }
  int64_t offset(size_t i) const { return offsets_[i]; }
  // End offset of parameter i (offset + numel, without padding).
  int64_t end(size_t i) const;
  // Index of the parameter called `name`; throws relabel::Error when absent.
  size_t index(const std::string& name) const;

  void zero_grad();

  // Autograd leaves for parameters [first, first + count): each shares param(i)'s storage and
  // has grad(i) as its .grad(), so backward() accumulates straight into the flat gradient buffer
  // (zero_grad() first) and the optimiser and GradSync see it there. The torch path of the
  // offline learners trains through these.
  std::vector<torch::Tensor> leaves(size_t first, size_t count) const;

 private:
  std::vector<ParamSpec> specs_;
  std::vector<int64_t> offsets_;
  torch::Tensor sync_, values_, grads_;
  std::vector<torch::Tensor> params_, grad_views_;
};

}  // namespace relabel::algos
