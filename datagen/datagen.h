#pragma once
// `relabel datagen`: D4RL-style dataset suites (docs/algorithms.md, "Dataset generation").
// SAC is trained on the task; the "medium" policy is the earliest evaluation snapshot reaching a
// third of the way from R_random to the final return, the "expert" the final policy. The
// stochastic policies then collect random, medium, medium-replay, expert and medium-expert
// files in the D4RL layout, with R_random / R_expert as ref_min_score / ref_max_score.
//
// Output directory:
//   random.hdf5 medium.hdf5 medium-replay.hdf5 expert.hdf5 medium-expert.hdf5
//   datagen.json        arguments, returns of every policy, evaluations, sizes, wall times
//   policy_medium.pt    the medium actor (algos::Sac::save_policy)
//   policy_expert.pt    the expert actor
//   sac_final.pt        the whole agent and replay buffer after training (reused on re-runs)
//   sac_train.pt        while training: the state to resume from (removed when training ends)
// Re-running with the same arguments keeps every file that validates and regenerates only the
// missing ones; every file is written atomically.
#include <nlohmann/json_fwd.hpp>

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

namespace relabel::datagen {

struct DatagenOptions {
  std::string task;
  std::string out_dir;
  // 0 (or -1 for start_steps) means the task's default from datagen_defaults().
  int64_t steps = 0;         // SAC environment steps (one update per step after start_steps)
  int64_t size = 0;          // rows per file; medium-expert has 2 x size
  int64_t start_steps = -1;  // uniform-random steps before the policy acts
  int64_t eval_every = 0;    // steps between deterministic evaluations (policy snapshots)
  int eval_episodes = 10;    // episodes per evaluation
  uint64_t seed = 0;
  // Training state is saved (sac_train.pt) at the first episode boundary after this many minutes
  // and a re-run resumes from it. Not part of the suite's identity (datagen.json arguments).
  double checkpoint_minutes = 10.0;
  // Set by SIGTERM/SIGINT/SIGUSR* (run/stop_signals.h): training saves its state at the next
  // episode boundary, or collection stops before the next file, and run_datagen returns with
  // status "stopped"; a re-run resumes. Not part of the suite's identity.
  const std::atomic<bool>* stop = nullptr;
};

// Defaults scaled to a 2-core machine: pendulum 20k steps / 20k rows, MuJoCo tasks 300k steps /
// 200k rows (D4RL: 1M steps and rows).
DatagenOptions datagen_defaults(const std::string& task);
// `options` with every unset field filled from datagen_defaults(); validated (relabel::Error).
DatagenOptions resolve_datagen_options(const DatagenOptions& options);

// The five datasets of a suite, in generation order.
const std::vector<std::string>& suite_kinds();
std::string suite_file(const std::string& dir, const std::string& kind);  // dir/kind.hdf5

// Generates (or completes) the suite in options.out_dir and returns the datagen.json summary
// (its "status" is "done", or "stopped" after options.stop). Single-process: call it on one rank.
nlohmann::json run_datagen(const DatagenOptions& options);

// Root of the dataset cache: $RELABEL_DATA, else ~/.cache/relabel/datasets.
std::string dataset_cache_root();

// Makes sure the suite of `task` exists in `cache_dir` (empty: dataset_cache_root()/task),
// generating what is missing with `options` (task and out_dir are taken from the arguments);
// returns the directory. Used by `relabel run` for named datasets such as "hopper-medium".
std::string ensure_dataset_suite(const std::string& task, const std::string& cache_dir = "",
                                 DatagenOptions options = {});

// "hopper-medium-expert" -> {"hopper", "medium-expert"}; relabel::Error if the name does not end
// in a suite kind or the task is unknown.
std::pair<std::string, std::string> split_dataset_name(const std::string& name);

}  // namespace relabel::datagen
