#pragma once
// For tests under mpirun: the world as a collective, and whether a tensor is the same on every
// rank (data-parallel replicas must stay bit-identical).
#include <mpi.h>
#include <torch/torch.h>

#include "comm/mpi_collective.h"

namespace relabel::test {

inline relabel::comm::MpiCollective& world() {
  static relabel::comm::MpiCollective w(MPI_COMM_WORLD);
  return w;
}

inline bool same_on_all_ranks(const torch::Tensor& t) {
  auto all = world().all_gather(t.unsqueeze(0).contiguous());
  for (int64_t r = 1; r < all.size(0); ++r)
    if (!torch::equal(all[r], all[0])) return false;
  return true;
}

}  // namespace relabel::test
