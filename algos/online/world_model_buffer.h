#pragma once
// Replay of sub-trajectories for the world model (TD-MPC2 samples sequences of horizon + 1
// observations that never cross an episode boundary). Transitions are appended as they happen;
// a start row becomes sampleable once the horizon transitions after it, all in its episode,
// are stored. The same buffer holds the expert demonstrations (add_columns).
#include <torch/types.h>

#include <cstdint>
#include <random>
#include <vector>

#include "algos/online/replay_buffer.h"

namespace torch::serialize {
class OutputArchive;
class InputArchive;
}  // namespace torch::serialize

namespace relabel::algos {

// B sub-trajectories of H steps, time-major: obs (H+1, B, obs_dim), actions (H, B, act_dim)
// in environment units, rewards (H, B), terminals (H, B) float 0/1.
struct SequenceBatch {
  torch::Tensor obs, actions, rewards, terminals;
  int64_t size() const { return obs.defined() ? obs.size(1) : 0; }
};

class SequenceBuffer {
 public:
  // Holds at most `capacity` transitions (appending more throws relabel::RunError).
  SequenceBuffer(int64_t capacity, int64_t obs_dim, int64_t act_dim, int64_t horizon,
                 uint64_t seed);

  // Appends one transition; `episode_end` (terminal or truncated) closes the episode, so the
  // next transition starts a new one.
  void add(const float* obs, const float* action, float reward, const float* next_obs,
           bool terminal, bool episode_end);
  // Appends whole episodes in D4RL columns (episodes end at terminals, timeouts and the last
  // row), e.g. the expert demonstrations.
  void add_columns(const TransitionColumns& columns);

  int64_t size() const { return size_; }
  int64_t capacity() const { return capacity_; }
  int64_t horizon() const { return horizon_; }
  int64_t sampleable() const { return static_cast<int64_t>(starts_.size()); }
  // Rows of the episode still open (0 right after an episode end).
  int64_t open_episode_length() const { return size_ - episode_begin_; }
  // Row i's action and observation (environment units), e.g. to replay an open episode.
  torch::Tensor action(int64_t row) const { return actions_[row]; }
  torch::Tensor observation(int64_t row) const { return obs_[row]; }
  torch::Tensor next_observation(int64_t row) const { return next_obs_[row]; }

  // `batch` sub-trajectories with uniformly drawn starts (with replacement). Throws
  // relabel::RunError when no sequence is complete yet.
  SequenceBatch sample(int64_t batch);

  void save(torch::serialize::OutputArchive& archive) const;
  void load(torch::serialize::InputArchive& archive);

 private:
  void close_starts_up_to(int64_t last_row);

  int64_t capacity_, obs_dim_, act_dim_, horizon_;
  int64_t size_ = 0;
  int64_t episode_begin_ = 0;  // first row of the open episode
  torch::Tensor obs_, actions_, rewards_, next_obs_, terminals_;
  std::vector<int64_t> starts_;  // sampleable start rows
  std::mt19937_64 rng_;
};

}  // namespace relabel::algos
