#include "run/shard_batcher.h"

#include <torch/torch.h>

#include <algorithm>

#include "core/error.h"

namespace relabel::run {

using comm::Collective;

ShardBatcher::ShardBatcher(Collective& comm, const ShardColumns& shard, int64_t global_batch)
    : comm_(comm), rank_(comm.rank()), size_(comm.size()), global_batch_(global_batch) {
  if (global_batch < size_)
    throw Error("train.batch_size (" + std::to_string(global_batch) +
                ") must be at least the number of ranks (" + std::to_string(size_) + ")");
  obs_dim_ = shard.obs.size(1);
  act_dim_ = shard.actions.size(1);
  width_ = 2 * obs_dim_ + act_dim_ + 2;
  const int64_t n = shard.obs.size(0);
  packed_ = torch::cat({shard.obs.to(torch::kFloat32), shard.actions.to(torch::kFloat32),
                        shard.rewards.reshape({n, 1}).to(torch::kFloat32),
                        shard.next_obs.to(torch::kFloat32),
                        shard.dones.reshape({n, 1}).to(torch::kFloat32)},
                       1)
                .contiguous();
  const std::vector<int64_t> counts = comm_.host().all_gather(n);
  offsets_.assign(size_ + 1, 0);
  for (int r = 0; r < size_; ++r) offsets_[r + 1] = offsets_[r] + counts[r];
  batch_slice(global_batch_, rank_, size_, &slice_begin_, &slice_end_);
  indices_.resize(global_batch_);
  send_counts_.resize(size_);
  recv_counts_.resize(size_);
  batch_buf_ = torch::empty({local_batch(), width_}, torch::kFloat32);
}

int ShardBatcher::owner_of(int64_t row) const {
  auto it = std::upper_bound(offsets_.begin(), offsets_.end(), row);
  return static_cast<int>(it - offsets_.begin()) - 1;
}

algos::Batch ShardBatcher::next(const GlobalSampler& sampler, int64_t step) {
  if (sampler.universe_size() > global_rows())
    throw Error("sampler universe larger than the dataset");
  if (size_ == 1) {
    sampler.sample(step, 0, global_batch_, indices_.data());
    auto idx = torch::from_blob(indices_.data(), {global_batch_}, torch::kInt64);
    torch::index_select_out(batch_buf_, packed_, 0, idx);
  } else {
    // Every rank knows the whole global batch, so each knows what every other rank needs from
    // it: no request round is necessary.
    sampler.sample(step, 0, global_batch_, indices_.data());
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
    auto rows = torch::from_blob(send_rows_.data(), {static_cast<int64_t>(send_rows_.size())},
                                 torch::kInt64);
    send_buf_ = packed_.index_select(0, rows);
    if (!recv_buf_.defined() || recv_buf_.size(0) != local_batch())
      recv_buf_ = torch::empty({local_batch(), width_}, torch::kFloat32);
    comm_.host().all_to_all(send_buf_, send_counts_, recv_buf_, recv_counts_);
    // Received rows are grouped by owner, in position order within each owner: put them back
    // into global position order so every rank's slice is exactly the 1-rank batch's rows.
    recv_order_.assign(local_batch(), 0);
    std::vector<int64_t> next_from(size_, 0);
    for (int r = 1; r < size_; ++r) next_from[r] = next_from[r - 1] + recv_counts_[r - 1];
    for (int64_t j = slice_begin_; j < slice_end_; ++j)
      recv_order_[j - slice_begin_] = next_from[owner_of(indices_[j])]++;
    auto order = torch::from_blob(recv_order_.data(), {local_batch()}, torch::kInt64);
    torch::index_select_out(batch_buf_, recv_buf_, 0, order);
  }
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
