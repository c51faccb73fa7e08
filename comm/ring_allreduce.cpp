#include "comm/ring_allreduce.h"

#include <algorithm>

#include "comm/mpi_collective.h"

namespace relabel::comm {

template <typename T>
void ring_all_reduce_mean(T* data, int64_t n, MPI_Datatype type, MPI_Comm comm, int64_t max_chunk,
                          std::vector<char>& scratch) {
  int rank = 0, p = 1;
  check_mpi(MPI_Comm_rank(comm, &rank), "MPI_Comm_rank");
  check_mpi(MPI_Comm_size(comm, &p), "MPI_Comm_size");
  if (p == 1 || n == 0) return;
  // Chunk c is [c*n/p, (c+1)*n/p): balanced, and computed identically on every rank.
  auto begin = [&](int c) { return static_cast<int64_t>(c) * n / p; };
  auto length = [&](int c) { return begin(c + 1) - begin(c); };
  auto mod = [&](int c) { return ((c % p) + p) % p; };
  const int64_t longest = (n + p - 1) / p;
  // Every rank runs the same number of Sendrecv pieces per step (some may be empty), so
  // messages always pair up even when neighbouring chunks differ in length.
  const int64_t pieces = (longest + max_chunk - 1) / max_chunk;
  const int right = (rank + 1) % p, left = (rank + p - 1) % p;
  if (scratch.size() < static_cast<size_t>(longest) * sizeof(T))
    scratch.resize(static_cast<size_t>(longest) * sizeof(T));
  T* recv = reinterpret_cast<T*>(scratch.data());
  const T inv = T(1) / T(p);

  auto exchange = [&](int send_chunk, int recv_chunk, T* recv_into, int tag) {
    const int64_t s_len = length(send_chunk), r_len = length(recv_chunk);
    for (int64_t k = 0; k < pieces; ++k) {
      const int64_t off = k * max_chunk;
      const int s = static_cast<int>(std::clamp<int64_t>(s_len - off, 0, max_chunk));
      const int r = static_cast<int>(std::clamp<int64_t>(r_len - off, 0, max_chunk));
      check_mpi(MPI_Sendrecv(data + begin(send_chunk) + std::min(off, s_len), s, type, right, tag,
                             recv_into + std::min(off, r_len), r, type, left, tag, comm,
                             MPI_STATUS_IGNORE),
                "MPI_Sendrecv");
    }
  };

  // Reduce-scatter: after step s, chunk (rank - s - 1) holds the sum of s + 2 ranks; after
  // p - 1 steps this rank owns chunk (rank + 1), complete, and scales it as it adds.
  for (int s = 0; s < p - 1; ++s) {
    const int send_chunk = mod(rank - s), recv_chunk = mod(rank - s - 1);
    exchange(send_chunk, recv_chunk, recv, /*tag=*/7301);
    T* dst = data + begin(recv_chunk);
    const int64_t len = length(recv_chunk);
    if (s == p - 2) {
      for (int64_t i = 0; i < len; ++i) dst[i] = (dst[i] + recv[i]) * inv;
    } else {
      for (int64_t i = 0; i < len; ++i) dst[i] += recv[i];
    }
  }
  // All-gather: pass the finished chunks around the ring, received in place.
  for (int s = 0; s < p - 1; ++s) {
    const int send_chunk = mod(rank + 1 - s), recv_chunk = mod(rank - s);
    exchange(send_chunk, recv_chunk, data + begin(recv_chunk), /*tag=*/7302);
  }
}

template void ring_all_reduce_mean<float>(float*, int64_t, MPI_Datatype, MPI_Comm, int64_t,
                                          std::vector<char>&);
template void ring_all_reduce_mean<double>(double*, int64_t, MPI_Datatype, MPI_Comm, int64_t,
                                           std::vector<char>&);

}  // namespace relabel::comm
