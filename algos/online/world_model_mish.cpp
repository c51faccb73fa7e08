#include "algos/online/world_model_mish.h"
#pragma GCC diagnostic ignored "-Wpsabi"  // vector helpers are always inlined: no ABI

#include <torch/torch.h>

#include <cmath>
#include <cstring>

namespace relabel::algos {
namespace {

// Eight floats per step with GCC vector extensions: lowered to AVX2 in the avx2 clone and to
// pairs of SSE2 operations in the default one (target_clones picks at load time).
typedef float vf __attribute__((vector_size(32)));
typedef int vi __attribute__((vector_size(32)));
typedef float vf_unaligned __attribute__((vector_size(32), aligned(4)));
constexpr int kWidth = 8;

inline __attribute__((always_inline)) vf splat(float v) { return vf{v, v, v, v, v, v, v, v}; }

inline __attribute__((always_inline)) vf vmin(vf a, vf b) { return a < b ? a : b; }
inline __attribute__((always_inline)) vf vmax(vf a, vf b) { return a > b ? a : b; }

// exp(x) for x in [-87, 88]: Cephes expf (S. L. Moshier): x = k ln2 + r, |r| <= ln2 / 2, a
// degree-7 polynomial for exp(r) and 2^k built in the exponent bits. Relative error ~1e-7.
inline __attribute__((always_inline)) vf vexp(vf x) {
  x = vmax(vmin(x, splat(88.0f)), splat(-87.0f));
  vf fx = x * splat(1.44269504088896341f) + splat(0.5f);
  vf k = __builtin_convertvector(__builtin_convertvector(fx, vi), vf);  // trunc
  k = k + __builtin_convertvector(k > fx, vf);                          // floor: -1 if k > fx
  vf r = x - k * splat(0.693359375f) + k * splat(2.12194440e-4f);
  vf z = r * r;
  vf p = splat(1.9875691500e-4f);
  p = p * r + splat(1.3981999507e-3f);
  p = p * r + splat(8.3334519073e-3f);
  p = p * r + splat(4.1665795894e-2f);
  p = p * r + splat(1.6666665459e-1f);
  p = p * r + splat(5.0000001201e-1f);
  p = p * z + r + splat(1.0f);
  vi bits = (__builtin_convertvector(k, vi) + 127) << 23;
  return p * (vf)bits;
}

// Exponential of x clamped to [-80, 20]: beyond it Mish is x (above) or 0 (below) to float
// precision, and e (e + 2) stays finite.
inline __attribute__((always_inline)) vf clamped_exp(vf x) {
  return vexp(vmax(vmin(x, splat(20.0f)), splat(-80.0f)));
}

// Full blocks are loaded and stored directly; the tail goes through a zero-padded block.
inline __attribute__((always_inline)) vf load(const float* p) {
  return *reinterpret_cast<const vf_unaligned*>(p);
}
inline __attribute__((always_inline)) void store(float* p, vf v) {
  *reinterpret_cast<vf_unaligned*>(p) = v;
}

inline __attribute__((always_inline)) vf mish_block(vf v) {
  vf e = clamped_exp(v);
  vf q = e * (e + splat(2.0f));
  return v * q / (q + splat(2.0f));
}

inline __attribute__((always_inline)) vf mish_grad_block(vf v, vf g) {
  vf e = clamped_exp(v);
  vf q = e * (e + splat(2.0f));
  vf w = q / (q + splat(2.0f));
  vf sigmoid = e / (e + splat(1.0f));
  return g * (w + v * (splat(1.0f) - w * w) * sigmoid);
}

__attribute__((target_clones("avx2", "default"))) void forward_kernel(const float* x, float* y,
                                                                      int64_t n) {
  int64_t i = 0;
  for (; i + kWidth <= n; i += kWidth) store(y + i, mish_block(load(x + i)));
  if (i < n) {
    float in[kWidth] = {}, out[kWidth];
    std::memcpy(in, x + i, sizeof(float) * (n - i));
    store(out, mish_block(load(in)));
    std::memcpy(y + i, out, sizeof(float) * (n - i));
  }
}

__attribute__((target_clones("avx2", "default"))) void backward_kernel(const float* x,
                                                                       const float* g, float* dx,
                                                                       int64_t n) {
  int64_t i = 0;
  for (; i + kWidth <= n; i += kWidth) store(dx + i, mish_grad_block(load(x + i), load(g + i)));
  if (i < n) {
    float in[kWidth] = {}, gin[kWidth] = {}, out[kWidth];
    std::memcpy(in, x + i, sizeof(float) * (n - i));
    std::memcpy(gin, g + i, sizeof(float) * (n - i));
    store(out, mish_grad_block(load(in), load(gin)));
    std::memcpy(dx + i, out, sizeof(float) * (n - i));
  }
}

inline __attribute__((always_inline)) float hsum(vf v) {
  float s = 0.0f;
  for (int i = 0; i < kWidth; ++i) s += v[i];
  return s;
}

// One row of `width` floats (a multiple of kWidth): mean, then the centred second moment (two
// passes, as accurate as ATen's), then (x - mean) * rstd * gamma + beta through Mish.
__attribute__((target_clones("avx2", "default"))) void layer_norm_mish_row(float* x,
                                                                           const float* gamma,
                                                                           const float* beta,
                                                                           int64_t width) {
  vf acc = splat(0.0f);
  for (int64_t i = 0; i < width; i += kWidth) acc += load(x + i);
  const float mean = hsum(acc) / static_cast<float>(width);
  vf m = splat(mean);
  acc = splat(0.0f);
  for (int64_t i = 0; i < width; i += kWidth) {
    vf d = load(x + i) - m;
    acc += d * d;
  }
  const float rstd = 1.0f / std::sqrt(hsum(acc) / static_cast<float>(width) + 1e-5f);
  vf r = splat(rstd);
  for (int64_t i = 0; i < width; i += kWidth)
    store(x + i, mish_block((load(x + i) - m) * r * load(gamma + i) + load(beta + i)));
}

class MishFunction : public torch::autograd::Function<MishFunction> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x) {
    auto in = x.contiguous();
    auto out = torch::empty_like(in);
    mish_forward(in.data_ptr<float>(), out.data_ptr<float>(), in.numel());
    ctx->save_for_backward({in});
    return out;
  }
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    auto in = ctx->get_saved_variables()[0];
    auto g = grads[0].contiguous();
    auto dx = torch::empty_like(in);
    mish_backward(in.data_ptr<float>(), g.data_ptr<float>(), dx.data_ptr<float>(), in.numel());
    return {dx};
  }
};

}  // namespace

void mish_forward(const float* x, float* y, int64_t n) { forward_kernel(x, y, n); }

void mish_backward(const float* x, const float* grad_y, float* grad_x, int64_t n) {
  backward_kernel(x, grad_y, grad_x, n);
}

void layer_norm_mish_(torch::Tensor& x, const torch::Tensor& gamma, const torch::Tensor& beta,
                      int64_t inner) {
  torch::NoGradGuard no_grad;
  const int64_t width = x.size(-1), members = gamma.numel() / width;
  const int64_t rows = x.numel() / width;
  const bool fused = x.device().is_cpu() && x.scalar_type() == torch::kFloat32 &&
                     x.is_contiguous() && width % kWidth == 0 && gamma.is_contiguous() &&
                     beta.is_contiguous();
  if (!fused) {
    auto g = gamma.reshape({members, width}), b = beta.reshape({members, width});
    auto v = x.reshape({rows / inner / members, members, inner, width});
    auto y = torch::layer_norm(v, {width}, {}, {}, 1e-5) * g.view({1, members, 1, width}) +
             b.view({1, members, 1, width});
    x.copy_(torch::mish(y).view(x.sizes()));
    return;
  }
  float* p = x.data_ptr<float>();
  const float* g = gamma.data_ptr<float>();
  const float* b = beta.data_ptr<float>();
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t k = (r / inner) % members;
    layer_norm_mish_row(p + r * width, g + k * width, b + k * width, width);
  }
}

torch::Tensor fast_mish(const torch::Tensor& x) {
  if (!x.device().is_cpu() || x.scalar_type() != torch::kFloat32) return torch::mish(x);
  return MishFunction::apply(x);
}

}  // namespace relabel::algos
