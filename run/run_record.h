#pragma once
// What the run adds to io's run record (io/run_record.h, docs/formats.md): the method and
// dataset labels reports group by, from the config alone, so that a sweep can write them for
// runs that have not started (sweep.json) exactly as the runs will.
#include <string>

namespace relabel::config {
struct RunConfig;
}  // namespace relabel::config

namespace relabel::run {

using config::RunConfig;

// The method as reports group it: "<reward label>+<policy.algo>" ("imputation-labels_only+td3bc"),
// the reward label from the method's registry entry.
std::string method_label(const RunConfig& config);

// result.json's "dataset": dataset.name, else the stem of the file the run learns from (an
// online run's expert file, an offline run's dataset), else "online".
std::string dataset_label(const RunConfig& config);

}  // namespace relabel::run
