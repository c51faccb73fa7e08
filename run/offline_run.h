#pragma once
// The body of an offline run (docs/architecture.md, data flow of a run): sharded load,
// observation normalisation, reward fit and annotation, data-parallel policy updates on
// batches assembled across the ranks' shards, evaluation in the task's environments.
#include <memory>

#include "algos/offline/learner.h"
#include "comm/collective.h"
#include "config/config.h"
#include "run/run_driver.h"

namespace relabel::run {

using comm::Collective;
using config::RunConfig;

std::unique_ptr<RunBody> make_offline_run(const RunConfig& config, Collective& comm);

// The learner options a run of `config` uses on `rank` (also what `relabel export` rebuilds a
// checkpointed learner with).
algos::OfflineOptions offline_learner_options(const RunConfig& config, int64_t obs_dim,
                                              int64_t act_dim, int rank);

}  // namespace relabel::run
