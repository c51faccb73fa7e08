#include "run/global_sampler.h"

#include "core/error.h"
#include "core/seeding.h"

namespace relabel::run {

// splitmix64 (core/seeding.h) is a bijective 64-bit mixer, good enough to index rows.
constexpr auto mix = splitmix64;

GlobalSampler::GlobalSampler(uint64_t seed, int64_t universe_size, std::vector<int64_t> universe)
    : seed_(mix(seed ^ 0x5A4D504C45ULL)),
      universe_size_(universe_size),
      universe_(std::move(universe)) {
  if (universe_size_ <= 0) throw Error("cannot sample batches from an empty dataset");
  if (!universe_.empty() && static_cast<int64_t>(universe_.size()) != universe_size_)
    throw Error("GlobalSampler: universe size mismatch");
}

void GlobalSampler::sample(int64_t step, int64_t begin, int64_t end, int64_t* out) const {
  const uint64_t base = mix(seed_ ^ mix(static_cast<uint64_t>(step)));
  const unsigned __int128 n = static_cast<uint64_t>(universe_size_);
  for (int64_t j = begin; j < end; ++j) {
    // Lemire's multiply-shift maps a 64-bit hash onto [0, n) without a division.
    uint64_t h = mix(base + static_cast<uint64_t>(j));
    auto pos = static_cast<int64_t>((static_cast<unsigned __int128>(h) * n) >> 64);
    out[j - begin] = universe_.empty() ? pos : universe_[pos];
  }
}

void batch_slice(int64_t batch, int rank, int size, int64_t* begin, int64_t* end) {
  int64_t base = batch / size, extra = batch % size;
  *begin = rank * base + std::min<int64_t>(rank, extra);
  *end = *begin + base + (rank < extra ? 1 : 0);
}

}  // namespace relabel::run
