#pragma once
// Replay buffer for online learners: preallocated float32 column tensors (a ring of `capacity`
// rows) and uniform sampling with replacement from a seeded generator. Rows keep the order they
// were added in, so a prefix of the history can be exported as dataset columns (medium-replay).
#include <torch/types.h>

#include <cstdint>
#include <random>

#include "algos/batch.h"

namespace torch::serialize {
class OutputArchive;
class InputArchive;
}  // namespace torch::serialize

namespace relabel::algos {

// Transitions in the D4RL column layout (io::Dataset builds on the same six columns).
struct TransitionColumns {
  torch::Tensor obs;        // (N, obs_dim) float32
  torch::Tensor actions;    // (N, act_dim) float32
  torch::Tensor rewards;    // (N,) float32
  torch::Tensor next_obs;   // (N, obs_dim) float32
  torch::Tensor terminals;  // (N,) bool
  torch::Tensor timeouts;   // (N,) bool
  int64_t rows() const { return obs.defined() ? obs.size(0) : 0; }
};

class ReplayBuffer {
 public:
  ReplayBuffer(int64_t capacity, int64_t obs_dim, int64_t act_dim, uint64_t seed);

  // Appends one transition (overwrites the oldest row when full). `timeout` marks the last step
  // of an episode cut by a time limit; it is kept for export and does not stop bootstrapping.
  void add(const float* obs, const float* action, float reward, const float* next_obs,
           bool terminal, bool timeout);

  int64_t size() const { return size_; }
  int64_t capacity() const { return capacity_; }
  int64_t total_added() const { return added_; }  // rows ever added, overwritten ones included
  int64_t obs_dim() const { return obs_dim_; }
  int64_t act_dim() const { return act_dim_; }

  // `batch_size` rows drawn uniformly with replacement, copied into tensors owned by the buffer
  // and reused by the next call (no allocation per step); moved to `device` when not CPU.
  const Batch& sample(int64_t batch_size, const torch::Device& device = torch::kCPU);

  // Rows [begin, end) in the order they were added, numbered over the whole history (0 is the
  // first row ever added). Throws relabel::Error when a requested row was overwritten.
  TransitionColumns export_rows(int64_t begin, int64_t end) const;

  // Contents, write position and generator state: a loaded buffer samples exactly as the saved one.
  void save(torch::serialize::OutputArchive& archive) const;
  void load(torch::serialize::InputArchive& archive);

 private:
  int64_t capacity_, obs_dim_, act_dim_;
  int64_t size_ = 0, added_ = 0;
  torch::Tensor obs_, actions_, rewards_, next_obs_, dones_, timeouts_;  // dones_ float 0/1
  std::mt19937_64 rng_;
  torch::Tensor index_;  // (B,) int64 scratch for sample()
  Batch batch_, device_batch_;
};

}  // namespace relabel::algos
