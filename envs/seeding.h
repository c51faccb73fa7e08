#pragma once
// Portable random draws for environment resets. std::uniform_real_distribution and
// std::normal_distribution are implementation-defined, so the same seed could give different
// initial states with another standard library; these draws depend only on mt19937_64's output.
#include <cmath>
#include <cstdint>
#include <random>

namespace relabel::envs {

// SplitMix64 finaliser (Steele et al., 2014): decorrelates nearby seeds such as (seed, i).
inline uint64_t mix_seed(uint64_t seed, uint64_t stream) {
  uint64_t z = seed + 0x9E3779B97F4A7C15ull * (stream + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Uniform in [0, 1) with 53 random bits.
inline double uniform01(std::mt19937_64& rng) {
  return static_cast<double>(rng() >> 11) * 0x1.0p-53;
}

inline double uniform(std::mt19937_64& rng, double lo, double hi) {
  return lo + (hi - lo) * uniform01(rng);
}

// Standard normal by the Box-Muller transform (one of the pair is used).
inline double standard_normal(std::mt19937_64& rng) {
  const double u1 = 1.0 - uniform01(rng);  // in (0, 1]: log is finite
  const double u2 = uniform01(rng);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

}  // namespace relabel::envs
