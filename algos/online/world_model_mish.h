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

// Differentiable Mish: the fused kernels for CPU float32 tensors, torch::mish otherwise.
torch::Tensor fast_mish(const torch::Tensor& x);

}  // namespace relabel::algos
