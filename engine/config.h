#pragma once
// The resolved configuration of one run (docs/formats.md, "Run configuration"). Plain structs:
// every member, its TOML key, default, range and documentation live in one table,
// engine/config_schema.cpp, so the zeros below are NOT the defaults: start from
// engine::default_run_config() (config_schema.h) or load_run_config() (config_load.h).
// Write-back and hashing: engine/config_write.h. Choice-valued keys are kept as their TOML
// strings ("iql", "reload", ...), validated on load.
#include <cstdint>
#include <limits>
#include <string>

namespace relabel::engine {

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

struct RewardConfig {
  std::string method;
  double alpha = 0.0;  // resolved: reload 1.0 (scale), cdred 0.9 (mix), others 1.0
  double beta = 0.0;
  int64_t predictor_steps = 0;
  int64_t hidden = 0;
  int64_t embed_dim = 0;
  double lr = 0.0;
  int64_t batch_size = 0;
  int64_t reward_steps = 0;
  double holdout_fraction = 0.0;
  std::string baseline;
  int64_t num_targets = 0;
  double zeta = 0.0;
  double sigma = 0.0;
  std::string g;
  double coef = 0.0;
  int64_t target_hidden = 0;
  int64_t predictor_hidden = 0;  // resolved: 256 (CPU preset) when parallel.device = cpu
  int64_t predictor_layers = 0;
};

struct PolicyConfig {
  std::string algo;
  int64_t hidden = 0;
  int64_t layers = 0;
  double lr = 0.0;
  double gamma = 0.0;
  double tau = 0.0;
  double expectile = 0.0;
  double temperature = 0.0;
  double max_weight = 0.0;
  bool deterministic_actor = false;
  bool actor_cosine = false;
  double alpha = 0.0;
  double policy_noise = 0.0;
  double noise_clip = 0.0;
  int64_t policy_delay = 0;
  bool normalize_obs = false;
  std::string reward_scaling;  // resolved from "auto"
  std::string preset;          // resolved: cpu-small on cpu, 1M on cuda
  bool mppi = false;
  int64_t horizon = 0;
  int64_t num_q = 0;
  bool two_hot = false;
  int64_t seed_steps = 0;  // 0 = max(1000, 5 * episode length), decided by the agent
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
  std::string source_path;  // the file it was loaded from (not a config key)
};

// Equality over every schema key (NaN equals NaN for the optional floats); source_path ignored.
bool operator==(const RunConfig& a, const RunConfig& b);
inline bool operator!=(const RunConfig& a, const RunConfig& b) { return !(a == b); }

}  // namespace relabel::engine
