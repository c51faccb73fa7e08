#pragma once
// Reproducible, independent random streams per (seed, rank, purpose) (docs/architecture.md).
// Parameter initialisation uses shared_seed(seed, "init"): identical on every rank (and the
// parameters are broadcast anyway); data sampling and exploration use derive_seed(seed, rank,
// "batch"/"env"), different on every rank. Changing a stream name or rank changes the seed.
#include <cstdint>
#include <random>
#include <string_view>

namespace relabel::engine {

// SplitMix64's finaliser (Steele, Lea & Flood, "Fast splittable pseudorandom number
// generators", OOPSLA 2014): a bijection with good avalanche, used to mix inputs into a seed.
constexpr uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Seed of `stream` on `rank` (rank >= 0), stable across builds and platforms.
uint64_t derive_seed(uint64_t seed, int rank, std::string_view stream);
// Seed of `stream` shared by every rank (e.g. "init"): differs from derive_seed for any rank.
uint64_t shared_seed(uint64_t seed, std::string_view stream);

inline std::mt19937_64 make_rng(uint64_t seed, int rank, std::string_view stream) {
  return std::mt19937_64(derive_seed(seed, rank, stream));
}

}  // namespace relabel::engine
