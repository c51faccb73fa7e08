#pragma once
// Hand-written forward/backward for the offline learners' ReLU MLPs (algos.md MLP[a, b, c]):
// no autograd graph, no per-step allocation. Weights are views into a FlatParams buffer; every
// GEMM writes into a preallocated workspace (a Tape) with at::addmm_out / at::mm_out, weight
// gradients go straight into the flat gradient views. An ensemble of E members with identical
// shapes (the twin critics) shares one input and one Tape.
#include <torch/types.h>

#include <string>
#include <vector>

#include "algos/nets/flat_params.h"

namespace relabel::algos {

struct FastMlpShape {
  int64_t in = 0;
  int64_t hidden = 256;
  int64_t layers = 2;  // hidden layers
  int64_t out = 1;
  int64_t ensemble = 1;
  bool tanh_output = false;
};

class FastMlp {
 public:
  // Activations of one forward pass, kept for its backward. One Tape per distinct use in a step.
  class Tape {
   public:
    // (B, out) output of member e (after tanh when tanh_output).
    const torch::Tensor& out(int64_t e) const { return act_.back()[e]; }
    // (B, out) buffer the caller fills with dLoss/d(out(e)) before backward().
    const torch::Tensor& grad_out(int64_t e) const { return grad_.back()[e]; }
    int64_t batch() const { return batch_; }

   private:
    friend class FastMlp;
    int64_t batch_ = -1;
    torch::Tensor input_;
    std::vector<std::vector<torch::Tensor>> act_;   // [layer][member] (B, width)
    std::vector<std::vector<torch::Tensor>> grad_;  // [layer][member] (B, width)
  };

  FastMlp() = default;
  explicit FastMlp(FastMlpShape shape);

  const FastMlpShape& shape() const { return shape_; }
  int64_t num_layers() const { return shape_.layers + 1; }
  int64_t width(int64_t layer) const;   // output width of linear layer `layer`
  int64_t fan_in(int64_t layer) const;  // input width of linear layer `layer`
  // Per layer "<prefix>l<i>.weight" (E, in, out) and "<prefix>l<i>.bias" (E, out).
  std::vector<ParamSpec> param_specs(const std::string& prefix) const;
  // Binds to the parameters flat[first, first + 2 * num_layers()).
  void bind(const FlatParams& flat, size_t first);
  // nn.Linear's default init (kaiming_uniform(a=sqrt 5) == U(+-1/sqrt(fan_in)) for weights and
  // biases), members drawn one after the other from `gen`.
  void init_uniform(at::Generator gen);

  // Forward of members [e0, e1) on the shared input x (B, in); x must stay alive until backward.
  void forward(Tape& tape, const torch::Tensor& x, int64_t e0, int64_t e1) const;
  void forward(Tape& tape, const torch::Tensor& x) const { forward(tape, x, 0, shape_.ensemble); }
  // Backward of members [e0, e1) from tape.grad_out(e). weight_grads: write dLoss/dW, dLoss/db
  // into the bound gradient views (overwriting). input_grad (B, ncols) when defined: receives
  // the sum over members of dLoss/dx[:, col0 : col0 + ncols]. tape.grad_out is clobbered.
  void backward(Tape& tape, int64_t e0, int64_t e1, bool weight_grads,
                const torch::Tensor& input_grad = {}, int64_t col0 = 0) const;

  // Allocating forward of member e for acting (any batch size).
  torch::Tensor infer(const torch::Tensor& x, int64_t e = 0) const;

  // Autograd-capable functional forward over explicit parameters ordered as param_specs():
  // the reference the hand-written backward is tested against.
  static torch::Tensor reference_forward(const FastMlpShape& shape,
                                         const std::vector<torch::Tensor>& params,
                                         const torch::Tensor& x, int64_t e);

  // 2*M*N*K FLOPs of one member's forward on `batch` rows; backward with weight grads
  // (first layer counted once unless input grads are needed too).
  double forward_flops(int64_t batch) const;
  double backward_flops(int64_t batch, bool weight_grads, int64_t input_cols) const;

 private:
  void ensure(Tape& tape, int64_t batch, const torch::TensorOptions& options) const;

  FastMlpShape shape_;
  // [layer][member] views into the flat buffers.
  // mutable: the _out ops take non-const handles; the tensors are views into the flat buffers.
  mutable std::vector<std::vector<torch::Tensor>> w_, wt_, b_, gw_, gb_;
};

}  // namespace relabel::algos
