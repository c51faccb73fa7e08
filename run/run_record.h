#pragma once
// What the run adds to io's run record (io/run_record.h, docs/formats.md): the method label
// reports group by.
#include <string>

namespace relabel::config {
struct RunConfig;
}  // namespace relabel::config

namespace relabel::run {

using config::RunConfig;

// The method as reports group it: "<reward label>+<policy.algo>" ("imputation-labels_only+td3bc"),
// the reward label from the method's registry entry.
std::string method_label(const RunConfig& config);

}  // namespace relabel::run
