#pragma once
// Collective over an MPI communicator for CPU tensors (docs/architecture.md, comm/).
#include <mpi.h>

#include <memory>
#include <string>
#include <vector>

#include "comm/collective.h"

namespace relabel::comm {

class SharedMemoryReducer;

// The MPI communicator of `comm`'s host group, for MPI-IO (parallel HDF5 reads in io/): the one
// use of raw MPI above comm/ (inside comm/, also for one-sided windows). Throws relabel::RunError
// when the group is not MPI.
MPI_Comm mpi_io_comm(Collective& comm);

// Throws relabel::RunError("<what>: <MPI error string>") unless code is MPI_SUCCESS. MPI only
// returns codes on communicators whose error handler is MPI_ERRORS_RETURN (split communicators
// made here are; on MPI_COMM_WORLD the default handler aborts the job, which is also safe).
void check_mpi(int code, const char* what);

class MpiCollective final : public Collective {
 public:
  // Wraps `comm` without owning it (e.g. MPI_COMM_WORLD, or a communicator owned elsewhere).
  explicit MpiCollective(MPI_Comm comm);
  ~MpiCollective() override;
  MpiCollective(const MpiCollective&) = delete;
  MpiCollective& operator=(const MpiCollective&) = delete;

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  torch::Device device() const override { return torch::kCPU; }
  MPI_Comm comm() const { return comm_; }  // for one-sided windows, MPI-IO, ...

  using Collective::all_gather;
  using Collective::broadcast;
  void all_reduce(torch::Tensor& tensor, ReduceOp op = ReduceOp::Sum) override;
  void broadcast(torch::Tensor& tensor, int root = 0) override;
  torch::Tensor all_gather(const torch::Tensor& in) override;
  void all_to_all(const torch::Tensor& send, const std::vector<int64_t>& send_rows,
                  torch::Tensor& recv, const std::vector<int64_t>& recv_rows) override;
  void barrier() override;
  [[noreturn]] void abort(int exit_code) override;
  std::unique_ptr<Collective> split(int color, int key) override;

  // Largest element count passed to one MPI call; bigger messages go in chunks (MPI counts are
  // int). Tests lower it to exercise the chunking.
  void set_max_chunk_elements(int64_t n);
  // Float means of at least this many bytes use the ring with fused scaling; smaller ones
  // MPI_Allreduce (latency-optimised) and a division. Tests lower it to exercise the ring.
  void set_ring_min_bytes(int64_t bytes);
  // Float sums and means of at least ring_min_bytes go through one shared-memory segment when
  // every rank is on this node (comm/shm_allreduce.h), the ring otherwise. Tests turn it off
  // to exercise the ring. Collective: every rank must pass the same value.
  void set_shared_memory(bool enabled) { shm_enabled_ = enabled; }

 private:
  struct Owned {};
  MpiCollective(MPI_Comm comm, Owned);

  MPI_Comm comm_;
  bool owned_ = false;
  int rank_ = 0, size_ = 1;
  int64_t max_chunk_ = 1LL << 30;
  int64_t ring_min_bytes_ = 256 << 10;
  std::vector<char> scratch_;  // the ring's receive buffer, reused
  bool shm_enabled_ = true;
  int shm_state_ = 0;  // 0: not tried yet, 1: shm_ usable, -1: ranks span nodes or no shm
  std::unique_ptr<SharedMemoryReducer> shm_;
};

}  // namespace relabel::comm
