#pragma once
// Collective over NCCL for CUDA tensors (docs/architecture.md; built when RELABEL_HAVE_NCCL).
// MPI bootstraps it: rank 0 of the communicator creates the NCCL unique id and broadcasts it,
// every rank calls ncclCommInitRank on its node-local device. Operations run on a stream owned
// by the backend, ordered after the work already queued on the compute stream (torch's current
// stream when LibTorch has CUDA, else the legacy default stream) and before any work queued on
// it later: the caller sees ordinary stream semantics and never synchronises by hand.
#include <mpi.h>

#include <memory>
#include <string>

#include "comm/collective.h"
#include "comm/mpi_collective.h"

// Opaque handles, so this header needs neither nccl.h nor the CUDA headers.
struct ncclComm;
struct CUstream_st;
struct CUevent_st;

namespace relabel::comm {

class NcclCollective final : public Collective {
 public:
  // Collective call over `comm` (not owned). `device_index` is the CUDA device of this rank,
  // usually local_rank % device_count.
  NcclCollective(MPI_Comm comm, int device_index);
  ~NcclCollective() override;
  NcclCollective(const NcclCollective&) = delete;
  NcclCollective& operator=(const NcclCollective&) = delete;

  int rank() const override { return host_->rank(); }
  int size() const override { return host_->size(); }
  torch::Device device() const override;

  using Collective::all_gather;
  using Collective::broadcast;
  // float32/float64 (also half, bfloat16, int32, int64 for Sum/Max/Min); Mean uses ncclAvg.
  void all_reduce(torch::Tensor& tensor, ReduceOp op = ReduceOp::Sum) override;
  void broadcast(torch::Tensor& tensor, int root = 0) override;
  torch::Tensor all_gather(const torch::Tensor& in) override;
  void all_to_all(const torch::Tensor& send, const std::vector<int64_t>& send_rows,
                  torch::Tensor& recv, const std::vector<int64_t>& recv_rows) override;
  // Waits for this backend's queued operations, then an MPI barrier of the group.
  void barrier() override;
  [[noreturn]] void abort(int exit_code) override { host_->abort(exit_code); }
  std::unique_ptr<Collective> split(int color, int key) override;
  Collective& host() override { return *host_; }

  // Number of CUDA devices the runtime sees; 0 without a driver, a device or the libraries
  // (never throws).
  static int visible_devices();
  // Why the CUDA runtime or NCCL could not be loaded (they are dlopened on first use); empty
  // when they are loaded.
  static std::string runtime_problem();

 private:
  NcclCollective(std::unique_ptr<MpiCollective> host, int device_index);
  void init();
  CUstream_st* begin();  // the NCCL stream, after the compute stream's queued work
  void end();            // the compute stream waits for the NCCL stream
  void check_tensor(const torch::Tensor& t, const char* what) const;

  std::unique_ptr<MpiCollective> host_;
  int device_ = 0;
  ncclComm* comm_ = nullptr;
  CUstream_st* stream_ = nullptr;
  CUevent_st* ready_ = nullptr;
  CUevent_st* done_ = nullptr;
};

}  // namespace relabel::comm
