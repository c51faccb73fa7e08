#pragma once
// Portable random draws for environment resets. std::uniform_real_distribution and
// std::normal_distribution are implementation-defined, so the same seed could give different
// initial states with another standard library; these draws depend only on mt19937_64's output.
#include <cmath>
#include <cstdint>
#include <random>

#include "core/seeding.h"

namespace relabel::envs {

using relabel::mix_seed;  // decorrelates nearby seeds such as (seed, episode i)

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
