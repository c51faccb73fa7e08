#pragma once
// The body of an offline run (docs/architecture.md, data flow of a run): sharded load,
// observation normalisation, reward fit and annotation, data-parallel policy updates on
// batches assembled across the ranks' shards, evaluation in the task's environments.
#include <memory>

#include "comm/collective.h"
#include "config/config.h"
#include "run/run_driver.h"

namespace relabel::run {

using comm::Collective;
using config::RunConfig;

std::unique_ptr<RunBody> make_offline_run(const RunConfig& config, Collective& comm);

}  // namespace relabel::run
