#pragma once
// Policy evaluation with batched inference: several episodes run side by side and the policy
// sees one (n x obs_dim) batch per step.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "envs/vector_env.h"

namespace relabel::envs {

// Maps n observations (n x obs_dim floats, row-major) to n actions (n x act_dim floats).
using BatchPolicy = std::function<void(const float* obs, int n, float* actions)>;

struct EvalOptions {
  // Episode k of this call is global episode first_episode + k and is reset with seed
  // mix_seed(seed, first_episode + k). Ranks that split E episodes into ranges therefore get
  // exactly the episodes one process would run.
  uint64_t first_episode = 0;
  // Episodes run side by side (the policy batch size is at most this).
  int max_parallel = 16;
};

// Runs `episodes` episodes of `task`; returns them ordered by episode number (stats.env is the
// parallel slot that ran it). With a deterministic policy the result does not depend on
// max_parallel.
std::vector<EpisodeStats> evaluate_episodes(const BatchPolicy& policy, const std::string& task,
                                            int episodes, uint64_t seed,
                                            const EvalOptions& options = {});

// The undiscounted returns of evaluate_episodes, in episode order.
std::vector<double> evaluate(const BatchPolicy& policy, const std::string& task, int episodes,
                             uint64_t seed, const EvalOptions& options = {});

}  // namespace relabel::envs
