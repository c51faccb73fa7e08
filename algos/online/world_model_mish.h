#pragma once
// Mish(x) = x * tanh(softplus(x)) (Misra 2019), the activation of every TD-MPC2 block, as one
// fused CPU pass. ATen's kernel evaluates exp, log1p and tanh per element, which costs more than
// the matrix products of the small world-model layers; with e = exp(x),
// tanh(log(1 + e)) = n / (n + 2) where n = e (e + 2), so one exponential suffices, forward and
// backward (d/dx = w + x (1 - w^2) sigmoid(x), w = n / (n + 2)).
#include <torch/types.h>

#include <cstdint>

namespace relabel::algos {

// Raw kernels over n contiguous floats.
void mish_forward(const float* x, float* y, int64_t n);
void mish_backward(const float* x, const float* grad_y, float* grad_x, int64_t n);

// No-grad LayerNorm (eps 1e-5, biased variance, as torch::layer_norm), affine map and Mish in
// place over the rows of `x` viewed as (rows, width): a frozen network's hidden layer in one pass
// over memory instead of four. Row r uses row (r / inner) % members of gamma and beta, which are
// (members, 1, width) or (members, width): inner = 1 for an (N, members, width) tensor and N for
// (members, N, width). CPU float32 contiguous tensors take the fused kernel, others torch's ops.
void layer_norm_mish_(torch::Tensor& x, const torch::Tensor& gamma, const torch::Tensor& beta,
                      int64_t inner);

// Differentiable Mish: the fused kernels for CPU float32 tensors, torch::mish otherwise.
torch::Tensor fast_mish(const torch::Tensor& x);

}  // namespace relabel::algos
