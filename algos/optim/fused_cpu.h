#pragma once
// Single-pass CPU kernels for the optimiser and target updates over flat float buffers: the
// torch-op versions take 8 (Adam) or 1 slow (lerp_) passes over memory per step. AVX2+FMA when
// the CPU has it (runtime check), else a scalar loop with the same formulas.
#include <cstdint>

namespace relabel::algos::fused {

struct AdamScalars {
  float beta1, one_minus_beta1, beta2, one_minus_beta2;
  float sqrt_bias_correction2;  // sqrt(1 - beta2^t)
  float eps;
  float neg_step_size;  // -lr / (1 - beta1^t)
};

// torch::optim::Adam's update, element-wise in its op order:
//   m = m b1 + (1 - b1) g;  v = v b2 + (1 - b2) g g;
//   p = p - step_size m / (sqrt(v) / sqrt(bc2) + eps).
void adam(float* p, const float* g, float* m, float* v, int64_t n, const AdamScalars& s);

// dst = dst + w (src - dst)  (torch.lerp_ with w < 0.5: Polyak averaging with tau = w).
void lerp(float* dst, const float* src, int64_t n, float w);

}  // namespace relabel::algos::fused
