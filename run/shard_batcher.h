#pragma once
// Assembles each rank's slice of the global minibatch from a dataset sharded across ranks.
//
// Every rank holds a contiguous block of global rows, packed as one float32 matrix with columns
// [obs | action | reward | next_obs | done]. Each step every rank computes the same global batch
// (GlobalSampler); the owner of each sampled row sends it to the rank whose slice contains it, in a
// single all-to-all of the collective (~B·(2·obs+act+2)·4 bytes per step, small next to an
// update). With one rank this is a plain index_select.
//
// Two paths assemble the same batch, bit for bit:
// - Host: the rows live on the CPU and travel through comm.host() (MPI). The CPU default; it is
//   tuned to cost nothing next to the CPU update, so it stays as plain as possible.
// - Device: the rows live on the collective's device (a GPU under NCCL) and never leave it. The
//   host still computes the global batch's row ids and the routing (who sends which rows to
//   whom): NCCL needs the message sizes on the host, so computing them there costs no
//   device-to-host read, while drawing the ids on the device would need one every step. The
//   host's per-step product (row numbers into the shard, and the order of the received rows)
//   goes to the device in one non-blocking copy from pinned memory; the gather (index_select),
//   the exchange (Collective::all_to_all on device tensors) and the reorder run on the device,
//   queued on its stream: no step waits for the device.
#include <torch/types.h>

#include <memory>
#include <vector>

#include "algos/batch.h"
#include "comm/collective.h"
#include "run/global_sampler.h"

namespace relabel::run {

using comm::Collective;

struct ShardColumns {
  torch::Tensor obs, actions, rewards, next_obs, dones;  // this rank's rows; dones float 0/1
};

// Auto: Host when the collective's device is the CPU, Device otherwise. Device on a CPU
// collective runs the device code with CPU tensors through the MPI collective (how CI tests it).
enum class BatchPath { Auto, Host, Device };

class ShardBatcher {
 public:
  // Collective over `comm`: gathers every rank's row count. Batches are on comm.device().
  ShardBatcher(Collective& comm, const ShardColumns& shard, int64_t global_batch,
               BatchPath path = BatchPath::Auto);

  // Rows owned by this rank: global ids [row_offset(), row_offset() + local_rows()).
  int64_t row_offset() const { return offsets_[rank_]; }
  int64_t local_rows() const { return offsets_[rank_ + 1] - offsets_[rank_]; }
  int64_t global_rows() const { return offsets_.back(); }
  int64_t local_batch() const { return slice_end_ - slice_begin_; }
  bool on_device() const { return device_path_; }

  // This rank's part of step `step`'s global batch (collective over comm when size > 1).
  algos::Batch next(const GlobalSampler& sampler, int64_t step);

 private:
  int owner_of(int64_t row) const;
  // From indices_: the shard rows this rank sends (send_rows_, grouped by destination), the
  // row counts per peer, and recv_order_ (received row feeding each position of the slice).
  void route();
  void gather_host();
  void gather_device();
  algos::Batch split_columns() const;

  Collective& comm_;
  int rank_ = 0, size_ = 1;
  bool device_path_ = false;
  bool pinned_ = false;  // stage the per-step ids in pinned memory (CUDA devices)
  int64_t obs_dim_ = 0, act_dim_ = 0, width_ = 0, global_batch_ = 0;
  int64_t slice_begin_ = 0, slice_end_ = 0;
  std::vector<int64_t> offsets_;  // size+1 prefix sums of the ranks' row counts
  torch::Tensor packed_;          // (local_rows, width), on comm.device() for the device path
  // Per-step scratch, allocated once.
  std::vector<int64_t> indices_, send_rows_, recv_order_, next_from_;
  std::vector<int64_t> send_counts_, recv_counts_;  // rows per peer
  torch::Tensor send_buf_, recv_buf_, batch_buf_;
};

}  // namespace relabel::run
