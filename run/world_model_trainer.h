#pragma once
// Online training of the world-model agent on one rank (TD-MPC2's online trainer, made
// data-parallel): this rank's own environment and replay shard, random actions for the first
// seed_steps global steps, then as many pre-training updates, then one update per global
// environment step (with P ranks: every iteration each rank takes one step and the group makes
// P updates of batch_size / P rows per rank, gradients averaged through algos::GradSync). With
// CDRED each update also draws as many expert sub-trajectories. It lives in run/, not algos/,
// because it steps environments; the agent (model, planning, updates, acting on a batch of
// observations) is algos::WorldModelAgent. No files and no MPI: online_run.cpp saves the state
// (save/load, replay buffer included) and gathers evaluations.
#include <torch/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "algos/online/replay_buffer.h"
#include "algos/online/world_model.h"
#include "algos/online/world_model_buffer.h"
#include "algos/online/world_model_options.h"
#include "algos/online/world_model_reward.h"
#include "envs/env.h"
#include "envs/vector_env.h"

namespace relabel::run {

struct WorldModelTrainerOptions {
  std::string task;
  // obs_dim, act_dim, max_action and episode_length are taken from the task, rank from below.
  algos::WorldModelOptions agent;
  // A reward learned on the latents (CDRED: cdred_factory; needs expert columns), or empty for
  // the environment's reward.
  algos::LatentRewardFactory reward;
  int64_t total_env_steps = 100000;  // over all ranks
  int64_t seed_steps = 0;            // over all ranks; 0 = max(1000, 5 * episode length)
  int64_t batch_size = 256;          // global; each rank samples batch_size / world_size
  uint64_t env_seed = 0;             // this rank's environment resets and random actions
  uint64_t buffer_seed = 0;          // this rank's replay and expert sampling
  int rank = 0;
  int world_size = 1;
};

// The agent a trainer checkpoint holds (WorldModelTrainer::save's archive), rebuilt without the
// trainer's environment and buffers from the options of the run that wrote it, on
// options.agent.device; `reward` receives its latent reward, if any (the reward's tensors share
// the agent's parameter buffer, so the agent needs it to load). What `relabel export` reads.
std::unique_ptr<algos::WorldModelAgent> load_checkpoint_agent(
    WorldModelTrainerOptions options, torch::serialize::InputArchive& trainer_state,
    std::unique_ptr<algos::LatentReward>& reward);

// Wall seconds spent per phase on this rank.
struct WorldModelTiming {
  double acting = 0.0;    // policy/planner and environment steps
  double updating = 0.0;  // world model, reward and policy updates (incl. sampling)
  int64_t updates = 0;
};

class WorldModelTrainer {
 public:
  // `expert` (copied) is required with options.reward: the demonstrations' transitions.
  WorldModelTrainer(const WorldModelTrainerOptions& options, algos::GradSync* sync = nullptr,
                    const algos::TransitionColumns* expert = nullptr);
  ~WorldModelTrainer();

  // One environment step on this rank, then the updates that are due (collective when the
  // group has several ranks: every rank must call it the same number of times).
  void iterate();
  int64_t env_steps() const;  // global environment steps so far
  bool done() const { return env_steps() >= options_.total_env_steps; }
  int64_t seed_steps() const { return seed_steps_; }

  // Evaluation episodes first_episode .. first_episode + episodes - 1, episode k reset with
  // mix_seed(seed, k) (as envs::evaluate), acting with the policy mean or MPPI in eval mode.
  std::vector<envs::EpisodeStats> evaluate(int episodes, uint64_t seed, uint64_t first_episode = 0);

  // Training episodes finished on this rank since the last call.
  std::vector<envs::EpisodeStats> take_finished_episodes();
  const std::map<std::string, double>& last_metrics() const { return metrics_; }
  const WorldModelTiming& timing() const { return timing_; }
  algos::WorldModelAgent& agent() { return *agent_; }
  const WorldModelTrainerOptions& options() const { return options_; }
  int64_t replay_size() const { return replay_->size(); }

  // This rank's whole state: agent, replay shard, expert sampler, step counters, exploration
  // generator and the open episode (restored on load by replaying its actions from the reset
  // seed, so the environment continues exactly where it stopped).
  void save(torch::serialize::OutputArchive& archive) const;
  void load(torch::serialize::InputArchive& archive);

 private:
  void reset_episode();
  void run_updates(int64_t count);

  WorldModelTrainerOptions options_;
  std::unique_ptr<envs::Env> env_;
  std::unique_ptr<algos::LatentReward> reward_;
  std::unique_ptr<algos::WorldModelAgent> agent_;
  std::unique_ptr<algos::SequenceBuffer> replay_, expert_;
  std::mt19937_64 rng_;  // random actions of the seed phase
  int64_t seed_steps_ = 0;
  int64_t iterations_ = 0;  // this rank's environment steps
  int64_t episode_ = 0;     // this rank's episode counter (reset seed stream)
  int64_t episode_length_ = 0;
  double episode_return_ = 0.0;
  bool episode_start_ = true;
  std::vector<float> obs_, next_obs_;
  std::vector<envs::EpisodeStats> finished_;
  std::map<std::string, double> metrics_;
  WorldModelTiming timing_;
};

}  // namespace relabel::run
