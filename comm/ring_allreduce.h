#pragma once
// Ring all-reduce (reduce-scatter, then all-gather; Patarasuk & Yuan, "Bandwidth optimal
// all-reduce algorithms for clusters of workstations", JPDC 2009) computing the MEAN, with the
// 1/size scaling fused into the last reduction step of each chunk. A mean through
// MPI_Allreduce(SUM) needs an extra pass over the data to scale it, which on shared memory
// costs ~45% of the all-reduce itself (bench_allreduce); here it costs nothing extra.
#include <mpi.h>

#include <cstdint>
#include <vector>

namespace relabel::comm {

// In place over every rank of `comm`; `data` has `n` elements on every rank. T is float or
// double (`type` MPI_FLOAT or MPI_DOUBLE). Messages are split at `max_chunk` elements. `scratch`
// is grown as needed and reused between calls.
template <typename T>
void ring_all_reduce_mean(T* data, int64_t n, MPI_Datatype type, MPI_Comm comm, int64_t max_chunk,
                          std::vector<char>& scratch);

}  // namespace relabel::comm
