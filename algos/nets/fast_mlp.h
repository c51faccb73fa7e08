#pragma once
// Hand-written forward/backward for the offline learners' ReLU MLPs (algos.md MLP[a, b, c]):
// no autograd graph, no per-step allocation. Each layer's weight and bias live in one
// (in + 1, out) matrix [W; b] inside a FlatParams buffer and every activation carries a trailing
// column of ones, so the bias rides along in the GEMM: forward is one mm_out per layer (gemv for
// a 1-wide output), and the weight-gradient GEMM A^T G also yields the bias gradient (the ones
// row). All products write into preallocated workspaces (a Tape) and straight into the flat
// gradient views. An ensemble of E members of one shape (the twin critics) shares one input.
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
    const torch::Tensor& out(int64_t e) const { return out_[e]; }
    // (B, out) buffer the caller fills with dLoss/d(out(e)) before backward().
    const torch::Tensor& grad_out(int64_t e) const { return grad_.back()[e]; }
    int64_t batch() const { return batch_; }

   private:
    friend class FastMlp;
    int64_t batch_ = -1;
    torch::Tensor input_;                               // (B, in + 1), last column ones
    std::vector<std::vector<torch::Tensor>> aug_;       // [hidden layer][member] (B, width + 1)
    std::vector<std::vector<torch::Tensor>> grad_aug_;  // [hidden layer][member] (B, width + 1)
    std::vector<std::vector<torch::Tensor>> act_;       // [layer][member] (B, width) views
    std::vector<std::vector<torch::Tensor>> grad_;      // [layer][member] (B, width) views
    std::vector<torch::Tensor> out_;                    // [member] (B, out)
    std::vector<torch::Tensor> out_vec_, grad_vec_;     // [member] (B) when out == 1
  };

  FastMlp() = default;
  explicit FastMlp(FastMlpShape shape);

  const FastMlpShape& shape() const { return shape_; }
  int64_t num_layers() const { return shape_.layers + 1; }
  int64_t width(int64_t layer) const;   // output width of linear layer `layer`
  int64_t fan_in(int64_t layer) const;  // input width of linear layer `layer`
  // Per layer "<prefix>l<i>" of shape (E, fan_in + 1, width): rows [0, fan_in) the weight
  // (stored (in, out): y = x W + b), row fan_in the bias.
  std::vector<ParamSpec> param_specs(const std::string& prefix) const;
  // Binds to the parameters flat[first, first + num_layers()).
  void bind(const FlatParams& flat, size_t first);
  // nn.Linear's default init (kaiming_uniform(a=sqrt 5) == U(+-1/sqrt(fan_in)) for weights and
  // biases), members drawn one after the other from `gen` (on the CPU, then copied).
  void init_uniform(at::Generator gen);

  // Forward of members [e0, e1) on the shared input: the column-wise concatenation of `parts`
  // (each (B, k), widths summing to `in`), copied into the tape.
  void forward(Tape& tape, at::TensorList parts, int64_t e0, int64_t e1) const;
  void forward(Tape& tape, at::TensorList parts) const { forward(tape, parts, 0, shape_.ensemble); }
  // Backward of members [e0, e1) from tape.grad_out(e). weight_grads: write dLoss/d[W; b] into
  // the bound gradient views (overwriting). input_grad (B, ncols) when defined: receives the sum
  // over members of dLoss/dx[:, col0 : col0 + ncols]. tape.grad_out is clobbered.
  void backward(Tape& tape, int64_t e0, int64_t e1, bool weight_grads,
                const torch::Tensor& input_grad = {}, int64_t col0 = 0) const;

  // Allocating forward of member e for acting (any batch size).
  torch::Tensor infer(const torch::Tensor& x, int64_t e = 0) const;
  // Copies of member e's layers as (in + 1, out) matrices [W; b]: infer() is
  // h = relu(addmm(b, h, W)) ..., the last layer without relu (tanh when tanh_output).
  std::vector<torch::Tensor> copy_layers(int64_t e = 0) const;

  // Autograd-capable functional forward over explicit parameters ordered as param_specs():
  // the reference the hand-written backward is tested against.
  static torch::Tensor reference_forward(const FastMlpShape& shape,
                                         const std::vector<torch::Tensor>& params,
                                         const torch::Tensor& x, int64_t e);

  // Model FLOPs, 2*M*N*K per weight GEMM of one member on `batch` rows (the bias row that rides
  // along, 1/(fan_in+1) extra, is not counted). Backward: weight grads (all layers) plus input
  // grads of the hidden layers, plus `input_cols` columns of the input grad.
  double forward_flops(int64_t batch) const;
  double backward_flops(int64_t batch, bool weight_grads, int64_t input_cols) const;

 private:
  void ensure(Tape& tape, int64_t batch, const torch::TensorOptions& options) const;

  FastMlpShape shape_;
  // [layer][member] views into the flat buffers; mutable because the _out ops take non-const
  // handles (the tensors are views, the FastMlp object itself is not modified).
  mutable std::vector<std::vector<torch::Tensor>> wb_, wb_vec_, w_, wt_, wb_row_, b_, gwb_,
      gwb_vec_;
};

}  // namespace relabel::algos
