#pragma once
// Reproducible, independent random streams per (seed, rank, purpose) (docs/architecture.md).
// Parameter initialisation uses shared_seed(seed, "init"): identical on every rank (and the
// parameters are broadcast anyway); data sampling and exploration use derive_seed(seed, rank,
// "batch"/"env"), different on every rank. Changing a stream name or rank changes the seed.
#include <cstdint>
#include <random>
#include <string_view>

namespace relabel {

// SplitMix64 (Steele, Lea & Flood, "Fast splittable pseudorandom number generators", OOPSLA
// 2014): the project's one seed mixer. Its increment (the golden-ratio gamma) and finaliser, a
// bijection with good avalanche: splitmix64(x) is the generator's output for state x.
inline constexpr uint64_t kSplitMixGamma = 0x9e3779b97f4a7c15ULL;
constexpr uint64_t splitmix64_finalise(uint64_t x) {
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}
constexpr uint64_t splitmix64(uint64_t x) { return splitmix64_finalise(x + kSplitMixGamma); }

// FNV-1a, 64 bits (Fowler, Noll, Vo): a fixed hash of names and texts, so seeds and config
// hashes never depend on std::hash.
constexpr uint64_t fnv1a64(std::string_view text) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) h = (h ^ c) * 0x100000001b3ULL;
  return h;
}

// Seed number `stream` of the family keyed by `seed`: decorrelated even for nearby (seed,
// stream) pairs (the generator's output after stream + 1 steps from `seed`).
constexpr uint64_t mix_seed(uint64_t seed, uint64_t stream) {
  return splitmix64(seed + kSplitMixGamma * stream);
}

// SplitMix64 as a generator: tiny, fully specified, the same on every platform.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    const uint64_t out = splitmix64(state_);
    state_ += kSplitMixGamma;
    return out;
  }
  // Uniform in [0, bound) without modulo bias (rejects the short tail).
  uint64_t below(uint64_t bound) {
    const uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
    uint64_t x;
    do x = next();
    while (x >= limit);
    return x % bound;
  }

 private:
  uint64_t state_;
};

// Seed of `stream` on `rank` (rank >= 0), stable across builds and platforms.
uint64_t derive_seed(uint64_t seed, int rank, std::string_view stream);
// Seed of `stream` shared by every rank (e.g. "init"): differs from derive_seed for any rank.
uint64_t shared_seed(uint64_t seed, std::string_view stream);

inline std::mt19937_64 make_rng(uint64_t seed, int rank, std::string_view stream) {
  return std::mt19937_64(derive_seed(seed, rank, stream));
}

}  // namespace relabel
