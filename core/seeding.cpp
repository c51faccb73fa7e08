#include "core/seeding.h"

#include "core/error.h"

namespace relabel {

namespace {
// Absorbs the inputs one after the other through the mixer. Not symmetric in its inputs
// (a plain splitmix(seed) ^ splitmix(rank) would give seed 0/rank 1 = seed 1/rank 0). rank_code
// 0 is the shared stream; ranks use rank + 1, so the two never coincide.
uint64_t mix(uint64_t seed, uint64_t rank_code, std::string_view stream) {
  uint64_t x = splitmix64(seed);
  x = splitmix64(x ^ (rank_code * 0xd1b54a32d192ed03ULL));  // odd: a bijection of rank_code
  return splitmix64(x ^ fnv1a64(stream));
}
}  // namespace

uint64_t derive_seed(uint64_t seed, int rank, std::string_view stream) {
  if (rank < 0) throw Error("derive_seed: rank must be >= 0, got " + std::to_string(rank));
  return mix(seed, static_cast<uint64_t>(rank) + 1, stream);
}

uint64_t shared_seed(uint64_t seed, std::string_view stream) { return mix(seed, 0, stream); }

}  // namespace relabel
