#include "algos/optim/fused_cpu.h"

#include <cmath>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define RELABEL_FUSED_X86 1
#endif

namespace relabel::algos::fused {

namespace {

void adam_scalar(float* p, const float* g, float* m, float* v, int64_t begin, int64_t n,
                 const AdamScalars& s) {
  for (int64_t i = begin; i < n; ++i) {
    const float gi = g[i];
    const float mi = std::fma(gi, s.one_minus_beta1, m[i] * s.beta1);
    const float vi = v[i] * s.beta2 + s.one_minus_beta2 * gi * gi;
    const float d = std::sqrt(vi) / s.sqrt_bias_correction2 + s.eps;
    m[i] = mi;
    v[i] = vi;
    p[i] = p[i] + s.neg_step_size * mi / d;
  }
}

void lerp_scalar(float* dst, const float* src, int64_t begin, int64_t n, float w) {
  for (int64_t i = begin; i < n; ++i) dst[i] = dst[i] + w * (src[i] - dst[i]);
}

#ifdef RELABEL_FUSED_X86
__attribute__((target("avx2,fma"))) void adam_avx2(float* p, const float* g, float* m, float* v,
                                                   int64_t n, const AdamScalars& s) {
  const __m256 b1 = _mm256_set1_ps(s.beta1), omb1 = _mm256_set1_ps(s.one_minus_beta1);
  const __m256 b2 = _mm256_set1_ps(s.beta2), omb2 = _mm256_set1_ps(s.one_minus_beta2);
  const __m256 sbc2 = _mm256_set1_ps(s.sqrt_bias_correction2), eps = _mm256_set1_ps(s.eps);
  const __m256 step = _mm256_set1_ps(s.neg_step_size);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 gi = _mm256_loadu_ps(g + i);
    const __m256 mi = _mm256_fmadd_ps(gi, omb1, _mm256_mul_ps(_mm256_loadu_ps(m + i), b1));
    const __m256 vi = _mm256_add_ps(_mm256_mul_ps(_mm256_loadu_ps(v + i), b2),
                                    _mm256_mul_ps(_mm256_mul_ps(omb2, gi), gi));
    const __m256 d = _mm256_add_ps(_mm256_div_ps(_mm256_sqrt_ps(vi), sbc2), eps);
    _mm256_storeu_ps(m + i, mi);
    _mm256_storeu_ps(v + i, vi);
    _mm256_storeu_ps(
        p + i, _mm256_add_ps(_mm256_loadu_ps(p + i), _mm256_div_ps(_mm256_mul_ps(step, mi), d)));
  }
  adam_scalar(p, g, m, v, i, n, s);
}

__attribute__((target("avx2,fma"))) void lerp_avx2(float* dst, const float* src, int64_t n,
                                                   float w) {
  const __m256 wv = _mm256_set1_ps(w);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 d = _mm256_loadu_ps(dst + i);
    _mm256_storeu_ps(
        dst + i, _mm256_add_ps(d, _mm256_mul_ps(wv, _mm256_sub_ps(_mm256_loadu_ps(src + i), d))));
  }
  lerp_scalar(dst, src, i, n, w);
}

bool has_avx2() {
  static const bool yes = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return yes;
}
#endif

}  // namespace

void adam(float* p, const float* g, float* m, float* v, int64_t n, const AdamScalars& s) {
#ifdef RELABEL_FUSED_X86
  if (has_avx2()) return adam_avx2(p, g, m, v, n, s);
#endif
  adam_scalar(p, g, m, v, 0, n, s);
}

void lerp(float* dst, const float* src, int64_t n, float w) {
#ifdef RELABEL_FUSED_X86
  if (has_avx2()) return lerp_avx2(dst, src, n, w);
#endif
  lerp_scalar(dst, src, 0, n, w);
}

}  // namespace relabel::algos::fused
