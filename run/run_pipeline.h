#pragma once
// One experiment, end to end (docs/architecture.md, data flow): sharded load, observation
// normalisation, reward fit and annotation, data-parallel policy training, evaluation split
// across ranks, checkpoints, resume, result.json + curve.csv + log.txt in the run directory.
// Every rank of `comm` calls run_experiment with the same configuration.
#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config/config.h"

namespace relabel::comm {
class Collective;
}  // namespace relabel::comm

namespace relabel::run {

using comm::Collective;
using config::RunConfig;

struct RunControl {
  // Set asynchronously (signal handler) to request a checkpoint-and-stop at the next step
  // boundary; ranks agree on it collectively, so all stop at the same step.
  const std::atomic<bool>* stop_flag = nullptr;
  // Behave as if preempted once this many steps are done (tests, debugging); -1 = never.
  int64_t stop_at_step = -1;
  // Sweep bookkeeping for result.json; a standalone run uses its config hash as id.
  std::string run_id;
  std::vector<std::pair<std::string, ConfigValue>> params;  // swept keys (typed), then "seed"
  bool force = false;                                       // re-run even if result.json says done
};

enum class RunStatus { Done, Failed, Preempted, Skipped };

struct RunOutcome {
  RunStatus status = RunStatus::Failed;
  // Normalised scores of the curve's last and best evaluations; none before the first one (a
  // run preempted or failed before it, a done record without them).
  std::optional<double> final_score;
  std::optional<double> best_score;
  std::string error;
  std::string dir;
};

const char* to_string(RunStatus status);

// Runs (or resumes) the experiment: the offline or online body (run/offline_run.h,
// run/online_run.h) driven by the run skeleton (run/run_driver.h). Input errors (bad dataset,
// dims, missing rewards) throw relabel::Error on every rank; other failures throw RunError.
// result.json records the status in both cases (written by rank 0 before rethrowing).
RunOutcome run_experiment(const RunConfig& config, Collective& comm, const RunControl& control);

}  // namespace relabel::run
