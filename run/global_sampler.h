#pragma once
// Minibatch indices that do not depend on the number of ranks (docs/architecture.md).
//
// Row j of the global batch at step t is a stateless hash of (seed, t, j) mapped uniformly onto
// the sampling universe (all N rows, or a subset such as the labelled rows). Every rank computes
// the same global batch; rank q of P trains on positions [q*B/P, (q+1)*B/P). Hence a P-rank run
// sees exactly the batches of a 1-rank run with the same global batch size, and resuming needs no
// sampler state (the step number is the state).
#include <cstdint>
#include <vector>

namespace relabel::run {

class GlobalSampler {
 public:
  // universe_size rows; `universe` maps universe positions to global row ids (empty = identity).
  GlobalSampler(uint64_t seed, int64_t universe_size, std::vector<int64_t> universe = {});

  // Global row ids of positions [begin, end) of step `step`'s global batch.
  void sample(int64_t step, int64_t begin, int64_t end, int64_t* out) const;
  int64_t universe_size() const { return universe_size_; }

 private:
  uint64_t seed_;
  int64_t universe_size_;
  std::vector<int64_t> universe_;
};

// Positions [begin, end) of a global batch of size B handled by rank q of P (B split as evenly as
// possible; the first B % P ranks take one extra row).
void batch_slice(int64_t batch, int rank, int size, int64_t* begin, int64_t* end);

}  // namespace relabel::run
