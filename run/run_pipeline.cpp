#include "run/run_pipeline.h"

#include "algos/policy_registry.h"
#include "run/offline_run.h"
#include "run/online_run.h"
#include "run/run_driver.h"

namespace relabel::run {

using comm::Collective;
using config::RunConfig;

const char* to_string(RunStatus status) {
  switch (status) {
    case RunStatus::Done:
      return "done";
    case RunStatus::Failed:
      return "failed";
    case RunStatus::Preempted:
      return "preempted";
    case RunStatus::Skipped:
      return "skipped";
  }
  return "?";
}

RunOutcome run_experiment(const RunConfig& config, Collective& comm, const RunControl& control) {
  // An online learner (the world model) steps its own environments; an offline one trains on
  // the dataset. Both are bodies of the same run skeleton (run/run_driver.h).
  const bool online = algos::find_policy_algo(config.policy.algo).online;
  auto body = online ? make_online_run(config, comm) : make_offline_run(config, comm);
  return drive_run(*body, config, comm, control);
}

}  // namespace relabel::run
