#pragma once
// Data collection for `relabel datagen`: a policy steps one environment for a fixed number of
// rows, episode after episode, into a D4RL-layout io::Dataset, and the returns of its complete
// episodes are recorded (the reference returns R_random and R_expert come from them).
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "io/dataset.h"

namespace relabel::algos {
class Sac;
}

namespace relabel::datagen {

// Writes one action (act_dim floats) for one observation (obs_dim floats).
using StepPolicy = std::function<void(const float* obs, float* action)>;

struct Collection {
  // `rows` transitions. Every episode ends with a flag: terminal, timeout at the time limit, or
  // — for the last episode when the rows run out first — a timeout marking that cut.
  io::Dataset data;
  // Returns of complete episodes: first those inside `data` (in order), then the extra episodes
  // run unstored when `data` held fewer than `min_episodes` complete ones.
  std::vector<double> returns;
  int64_t episodes_in_data = 0;  // complete episodes inside `data`
  double mean_return() const;
};

// Runs `policy` on `task` until `rows` transitions are stored and at least `min_episodes`
// complete episodes were seen. Episode k is reset with mix_seed(seed, k).
Collection collect_transitions(const std::string& task, const StepPolicy& policy, int64_t rows,
                               uint64_t seed, int min_episodes);

// Uniform actions in the task's bounds, from its own seeded generator.
StepPolicy uniform_policy(const std::string& task, uint64_t seed);
// The agent's stochastic policy (a sample of the tanh-Gaussian). `agent` must outlive it.
StepPolicy stochastic_policy(algos::Sac& agent);

// Returns of the complete episodes of `ds`: those ending in a terminal or lasting
// `max_episode_steps` steps (an episode cut short by the end of the data is left out).
std::vector<double> complete_episode_returns(const io::Dataset& ds, int max_episode_steps);

}  // namespace relabel::datagen
