#pragma once
// What the run skeleton adds to io's run record (io/run_record.h, docs/formats.md): the method
// label reports group by, and the curve's JSON form inside checkpoint metadata (so a resumed
// run continues its curve).
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "io/run_record.h"

namespace relabel::engine {

struct RunConfig;

using io::CurvePoint;

nlohmann::json curve_to_json(const std::vector<CurvePoint>& curve);
std::vector<CurvePoint> curve_from_json(const nlohmann::json& j);

// The method as reports group it: "<reward label>+<policy.algo>" ("imputation-labels_only+td3bc"),
// the reward label from the method's registry entry.
std::string method_label(const RunConfig& config);

}  // namespace relabel::engine
