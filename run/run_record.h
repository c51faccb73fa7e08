#pragma once
// The run directory's files (docs/formats.md, "result.json"): result.json and curve.csv, written
// atomically by rank 0. Also the tiny "what state is this run in" read used to skip done runs.
#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "io/run_record.h"

namespace relabel::engine {

// The record's types and time format live in io/run_record.h (one CurvePoint for the writer
// here and the readers in report/); this json writer is still the one the runs use.
using io::CurvePoint;
using io::utc_now;

nlohmann::json curve_to_json(const std::vector<CurvePoint>& curve);
std::vector<CurvePoint> curve_from_json(const nlohmann::json& j);

// Writes <dir>/result.json and <dir>/curve.csv atomically.
void write_run_record(const std::string& dir, const nlohmann::json& record,
                      const std::vector<CurvePoint>& curve);

// The parsed result.json of a run directory, if it exists and parses.
std::optional<nlohmann::json> read_run_record(const std::string& dir);

struct RunConfig;
// The method as reports group it: "<reward label>+<policy.algo>" ("imputation-labels_only+td3bc"),
// the reward label from the method's registry entry.
std::string method_label(const RunConfig& config);

}  // namespace relabel::engine
