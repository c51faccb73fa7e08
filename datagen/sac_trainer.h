#pragma once
// The online SAC loop of `relabel datagen` (docs/algorithms.md, SAC): `start_steps`
// uniform-random actions, then one update per environment step, with a deterministic evaluation
// every `eval_every` steps. It lives in datagen, not algos, because it steps environments; the
// agent and its updates (algos::Sac) and the replay buffer are algos'. The caller sees
// evaluations and steps through callbacks (dataset generation snapshots the policy there);
// nothing here touches files.
#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "algos/online/replay_buffer.h"
#include "algos/online/sac.h"
#include "envs/env.h"

namespace relabel::datagen {

struct SacTrainOptions {
  int64_t steps = 20000;       // environment steps in total
  int64_t start_steps = 5000;  // uniform-random actions before the policy acts and updates begin
  int64_t batch_size = 256;
  int64_t eval_every = 5000;  // also evaluated after the last step; 0: only then
  int eval_episodes = 10;
  int64_t buffer_capacity = 0;  // 0: `steps`, so the buffer keeps the whole history
  uint64_t seed = 0;            // episodes, random actions, the agent (its seed is derived)
};

struct EvalPoint {
  int64_t step = 0;  // environment steps taken when evaluated
  double mean_return = 0.0;
  double std_return = 0.0;
};

class SacTrainer {
 public:
  // `sac` gives the hyperparameters; its dimensions, bounds and seed come from the task and
  // `train.seed`.
  SacTrainer(const std::string& task, const algos::SacOptions& sac, const SacTrainOptions& train);

  using EvalCallback = std::function<void(const EvalPoint&)>;
  // Called after every step (and after that step's evaluation) with the steps taken so far;
  // at_episode_boundary() tells whether the training state may be saved there.
  using StepCallback = std::function<void(int64_t step)>;
  // Runs the remaining steps up to options().steps, or until the episode boundary after stop().
  void train(const EvalCallback& on_eval = {}, const StepCallback& on_step = {});
  // Makes train() return at the next episode boundary (e.g. from a callback, to checkpoint).
  void stop() { stop_requested_ = true; }

  // Mean undiscounted return of the deterministic policy over eval_episodes episodes whose
  // initial states are the same at every evaluation (evaluations are comparable).
  EvalPoint evaluate();

  // Between episodes: everything train() needs to continue exactly as without the interruption
  // (agent, replay buffer, counters, the random-action generator, evaluations so far). The
  // environment is not saved, which is why only episode boundaries qualify.
  bool at_episode_boundary() const { return !in_episode_; }
  void save(torch::serialize::OutputArchive& archive) const;
  void load(torch::serialize::InputArchive& archive);

  algos::Sac& agent() { return *agent_; }
  algos::ReplayBuffer& buffer() { return buffer_; }
  const SacTrainOptions& options() const { return options_; }
  const std::string& task() const { return task_; }
  int64_t step() const { return step_; }
  int64_t episodes() const { return episodes_; }
  const std::vector<EvalPoint>& evaluations() const { return evals_; }
  const algos::SacMetrics& last_metrics() const { return metrics_; }

 private:
  void begin_episode();

  std::string task_;
  SacTrainOptions options_;
  std::unique_ptr<envs::Env> env_;
  std::unique_ptr<algos::Sac> agent_;
  algos::ReplayBuffer buffer_;
  std::mt19937_64 rng_;
  std::vector<float> obs_, low_, high_;
  int64_t step_ = 0, episodes_ = 0;
  int episode_steps_ = 0;
  bool in_episode_ = false;
  bool stop_requested_ = false;
  std::vector<EvalPoint> evals_;
  algos::SacMetrics metrics_;
};

}  // namespace relabel::datagen
