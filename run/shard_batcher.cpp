#include "run/shard_batcher.h"

#include <torch/torch.h>

#include <algorithm>

#include "core/error.h"

namespace relabel::run {

using comm::Collective;

ShardBatcher::ShardBatcher(Collective& comm, const ShardColumns& shard, int64_t global_batch,
                           BatchPath path)
    : comm_(comm), rank_(comm.rank()), size_(comm.size()), global_batch_(global_batch) {
  if (global_batch < size_)
    throw Error("train.batch_size (" + std::to_string(global_batch) +
                ") must be at least the number of ranks (" + std::to_string(size_) + ")");
  device_path_ = path == BatchPath::Device || (path == BatchPath::Auto && !comm.device().is_cpu());
  obs_dim_ = shard.obs.size(1);
  act_dim_ = shard.actions.size(1);
  width_ = 2 * obs_dim_ + act_dim_ + 2;
  const int64_t n = shard.obs.size(0);
  // The device path's rows live where the collective exchanges them; the columns may come from
  // different devices (the reward model annotates on the run's device), so each is moved first.
  const torch::Device device = device_path_ ? comm.device() : torch::Device(torch::kCPU);
  auto column = [&](const torch::Tensor& t) { return t.to(device, torch::kFloat32); };
  packed_ =
      torch::cat({column(shard.obs), column(shard.actions), column(shard.rewards).reshape({n, 1}),
                  column(shard.next_obs), column(shard.dones).reshape({n, 1})},
                 1)
          .contiguous();
  pinned_ = device.is_cuda();
  const std::vector<int64_t> counts = comm_.host().all_gather(n);
  offsets_.assign(size_ + 1, 0);
  for (int r = 0; r < size_; ++r) offsets_[r + 1] = offsets_[r] + counts[r];
  batch_slice(global_batch_, rank_, size_, &slice_begin_, &slice_end_);
  indices_.resize(global_batch_);
  send_counts_.resize(size_);
  recv_counts_.resize(size_);
  next_from_.resize(size_);
  const auto options = torch::TensorOptions().dtype(torch::kFloat32).device(device);
  batch_buf_ = torch::empty({local_batch(), width_}, options);
  recv_buf_ = torch::empty({local_batch(), width_}, options);
}

int ShardBatcher::owner_of(int64_t row) const {
  auto it = std::upper_bound(offsets_.begin(), offsets_.end(), row);
  return static_cast<int>(it - offsets_.begin()) - 1;
}

algos::Batch ShardBatcher::next(const GlobalSampler& sampler, int64_t step) {
  if (sampler.universe_size() > global_rows())
    throw Error("sampler universe larger than the dataset");
  sampler.sample(step, 0, global_batch_, indices_.data());
  // Every rank knows the whole global batch, so each knows what every other rank needs from
  // it: no request round is necessary.
  if (size_ > 1) route();
  if (device_path_)
    gather_device();
  else
    gather_host();
  return split_columns();
}

void ShardBatcher::route() {
  send_rows_.clear();
  std::fill(send_counts_.begin(), send_counts_.end(), 0);
  std::fill(recv_counts_.begin(), recv_counts_.end(), 0);
  for (int q = 0; q < size_; ++q) {
    int64_t b, e;
    batch_slice(global_batch_, q, size_, &b, &e);
    for (int64_t j = b; j < e; ++j) {
      int owner = owner_of(indices_[j]);
      if (owner == rank_) {
        send_rows_.push_back(indices_[j] - offsets_[rank_]);
        ++send_counts_[q];
      }
      if (q == rank_) ++recv_counts_[owner];
    }
  }
  // Received rows are grouped by owner, in position order within each owner: recv_order_ puts
  // them back into global position order so every rank's slice is exactly the 1-rank batch's.
  recv_order_.assign(local_batch(), 0);
  next_from_[0] = 0;
  for (int r = 1; r < size_; ++r) next_from_[r] = next_from_[r - 1] + recv_counts_[r - 1];
  for (int64_t j = slice_begin_; j < slice_end_; ++j)
    recv_order_[j - slice_begin_] = next_from_[owner_of(indices_[j])]++;
}

void ShardBatcher::gather_host() {
  if (size_ == 1) {
    auto idx = torch::from_blob(indices_.data(), {global_batch_}, torch::kInt64);
    torch::index_select_out(batch_buf_, packed_, 0, idx);
    return;
  }
  auto rows =
      torch::from_blob(send_rows_.data(), {static_cast<int64_t>(send_rows_.size())}, torch::kInt64);
  send_buf_ = packed_.index_select(0, rows);
  comm_.host().all_to_all(send_buf_, send_counts_, recv_buf_, recv_counts_);
  auto order = torch::from_blob(recv_order_.data(), {local_batch()}, torch::kInt64);
  torch::index_select_out(batch_buf_, recv_buf_, 0, order);
}

void ShardBatcher::gather_device() {
  // One host tensor holds the step's ids: [rows to send | order of the received rows], or the
  // batch's rows with one rank. It is allocated every step on purpose: the caching pinned
  // allocator hands a block out again only after the copy queued from it has run, so a step
  // never overwrites ids still in flight and nothing waits for the device.
  const int64_t n_send = size_ == 1 ? global_batch_ : static_cast<int64_t>(send_rows_.size());
  const int64_t n_order = size_ == 1 ? 0 : local_batch();
  auto staged = torch::empty({n_send + n_order},
                             torch::TensorOptions().dtype(torch::kInt64).pinned_memory(pinned_));
  int64_t* p = staged.data_ptr<int64_t>();
  if (size_ == 1) {
    std::copy(indices_.begin(), indices_.end(), p);
  } else {
    std::copy(send_rows_.begin(), send_rows_.end(), p);
    std::copy(recv_order_.begin(), recv_order_.end(), p + n_send);
  }
  auto ids = staged.to(torch::TensorOptions().device(packed_.device()), /*non_blocking=*/true);
  if (size_ == 1) {
    torch::index_select_out(batch_buf_, packed_, 0, ids);
    return;
  }
  send_buf_ = packed_.index_select(0, ids.narrow(0, 0, n_send));
  // The collective itself, not comm.host(): NCCL for CUDA tensors, MPI for CPU ones.
  comm_.all_to_all(send_buf_, send_counts_, recv_buf_, recv_counts_);
  torch::index_select_out(batch_buf_, recv_buf_, 0, ids.narrow(0, n_send, n_order));
}

algos::Batch ShardBatcher::split_columns() const {
  algos::Batch batch;
  int64_t c = 0;
  batch.obs = batch_buf_.narrow(1, c, obs_dim_).contiguous();
  c += obs_dim_;
  batch.actions = batch_buf_.narrow(1, c, act_dim_).contiguous();
  c += act_dim_;
  batch.rewards = batch_buf_.select(1, c).contiguous();
  c += 1;
  batch.next_obs = batch_buf_.narrow(1, c, obs_dim_).contiguous();
  c += obs_dim_;
  batch.dones = batch_buf_.select(1, c).contiguous();
  return batch;
}

}  // namespace relabel::run
