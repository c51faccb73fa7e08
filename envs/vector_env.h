#pragma once
// N copies of one task stepped together through flat float buffers (row i = copy i), for data
// collection and evaluation. No torch here: callers wrap the buffers in tensors if they like.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "envs/env.h"

namespace relabel::envs {

// One finished episode.
struct EpisodeStats {
  int env = 0;              // the copy (VectorEnv) or parallel slot (evaluate) that ran it
  uint64_t episode = 0;     // episode number: per copy in VectorEnv, global in evaluate
  double ret = 0.0;         // undiscounted return
  int length = 0;           // steps
  bool terminated = false;  // ended in a terminal state (else by the time limit)
};

class VectorEnv {
 public:
  // `num_envs` copies of a registered task. With `auto_reset`, a copy whose episode ends is
  // reset inside step() (collection); without it, it stays finished until reset_all()
  // (evaluation).
  VectorEnv(const std::string& task, int num_envs, bool auto_reset = false);
  VectorEnv(std::vector<std::unique_ptr<Env>> envs, bool auto_reset = false);

  int num_envs() const { return static_cast<int>(envs_.size()); }
  int obs_dim() const { return obs_dim_; }
  int act_dim() const { return act_dim_; }
  Env& env(int i) { return *envs_.at(i); }

  // Starts an episode in every copy and writes the num_envs x obs_dim observations. Copy i's
  // k-th episode (k = 0 here, k > 0 for automatic resets) uses reset seed
  // mix_seed(mix_seed(seed, i), k), so runs are reproducible whatever the stepping order.
  void reset_all(uint64_t seed, float* obs);
  std::vector<float> reset_all(uint64_t seed);

  // Steps every running copy with its row of `actions` (num_envs x act_dim) and writes
  // num_envs rows of next_obs, rewards and flags.
  // - auto_reset: where a copy's episode ended, next_obs holds the first observation of its
  //   next episode and final_obs() the last observation of the one that ended.
  // - otherwise: a copy that had already finished is not stepped; its row repeats its last
  //   observation with reward 0 and both flags 0.
  void step(const float* actions, float* next_obs, float* rewards, uint8_t* terminated,
            uint8_t* truncated);

  // num_envs x obs_dim: the last observation of episodes that ended in the latest step()
  // (rows of other copies are unspecified). Only filled with auto_reset.
  const float* final_obs() const { return final_obs_.data(); }
  bool running(int i) const { return running_.at(i) != 0; }
  int num_running() const;
  // The return and length so far of copy i's current episode.
  double episode_return(int i) const { return returns_.at(i); }
  int episode_length(int i) const { return lengths_.at(i); }
  // Episodes finished since the last call, in the order they finished.
  std::vector<EpisodeStats> take_finished();

 private:
  void reset_copy(int i, float* obs_row);

  std::vector<std::unique_ptr<Env>> envs_;
  bool auto_reset_;
  int obs_dim_ = 0;
  int act_dim_ = 0;
  uint64_t seed_ = 0;
  std::vector<float> last_obs_;
  std::vector<float> final_obs_;
  std::vector<uint8_t> running_;
  std::vector<double> returns_;
  std::vector<int> lengths_;
  std::vector<uint64_t> episodes_;
  std::vector<EpisodeStats> finished_;
};

}  // namespace relabel::envs
