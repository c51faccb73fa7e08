#pragma once
// The resolved configuration of one run (docs/formats.md, "Run configuration"). Plain structs:
// every member, its TOML key, default, range and documentation live in one table,
// config/config_schema.cpp and the registries it reads, so the zeros below are NOT the defaults:
// start from relabel::config::default_run_config() (config_schema.h) or load_run_config()
// (config_load.h). Write-back and hashing: config/config_write.h. Choice-valued keys are kept as
// their TOML strings ("iql", "reload", ...), validated on load.
#include <cstdint>
#include <limits>
#include <string>

#include "core/params.h"

namespace relabel::config {

struct TaskConfig {
  std::string name;
  // Optional overrides of the reference returns R_random / R_expert; NaN = unset (use the
  // dataset's attributes or the task registry).
  double ref_min_score = std::numeric_limits<double>::quiet_NaN();
  double ref_max_score = std::numeric_limits<double>::quiet_NaN();
};

struct DatasetConfig {
  std::string name;  // D4RL-style "<task>-<kind>" from the data cache; exclusive with path
  std::string path;  // a dataset file (d4rl) or directory (minari)
  std::string format;
  double label_fraction = 0.0;  // resolved: 0.01 for reward.method = imputation, else 1.0
  bool label_trajectories = false;
  std::string expert_path;
  int64_t expert_trajectories = 0;
  bool demonstrations_only = false;  // the policy trains on the K best trajectories only
};

// [reward]: the method and the keys it declares (algos/reward/reward_registry.h). Resolved
// params hold exactly the selected method's keys.
struct RewardConfig {
  std::string method;
  Params params;
};

// [policy]: the learner, the keys every learner shares, and the keys the selected learner
// declares (algos/policy_registry.h) in params.
struct PolicyConfig {
  std::string algo;
  int64_t hidden = 0;
  int64_t layers = 0;
  double lr = 0.0;
  double gamma = 0.0;
  double tau = 0.0;
  bool normalize_obs = false;
  std::string reward_scaling;  // resolved from "auto"
  Params params;
};

struct TrainConfig {
  int64_t steps = 0;
  int64_t batch_size = 0;
  int64_t eval_every = 0;
  int64_t eval_episodes = 0;
  int64_t checkpoint_every = 0;  // 0 = no checkpoints
  int64_t log_every = 0;
  int64_t env_steps = 0;
};

struct ParallelConfig {
  std::string device;
  int64_t threads_per_rank = 0;
  int64_t ranks_per_run = 0;
};

struct OutputConfig {
  std::string dir;  // resolved: "runs/<name>"; relative paths are relative to the CWD
};

struct LoggingConfig {
  bool tensorboard = true;  // TensorBoard event files in the run directory
};

struct RunConfig {
  std::string name;  // resolved: the config file's stem when empty
  int64_t seed = 0;
  TaskConfig task;
  DatasetConfig dataset;
  RewardConfig reward;
  PolicyConfig policy;
  TrainConfig train;
  ParallelConfig parallel;
  OutputConfig output;
  LoggingConfig logging;
  std::string source_path;  // the file it was loaded from (not a config key)
};

// Equality over every schema key (NaN equals NaN for the optional floats); source_path ignored.
bool operator==(const RunConfig& a, const RunConfig& b);
inline bool operator!=(const RunConfig& a, const RunConfig& b) { return !(a == b); }

}  // namespace relabel::config
