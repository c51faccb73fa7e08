#pragma once
// The run record (docs/formats.md, "result.json"): what a run's result.json holds, as one typed
// value, with its JSON form both ways and the run directory's readers and writer (result.json
// and curve.csv, written atomically). run/ writes it; report/, status and the sweep scheduler
// read it. No LibTorch here, so the report compiles without it.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/params.h"
#include "io/dataset_identity.h"

namespace relabel::io {

// One swept value: its text, its number when it is one (numeric values order and plot as
// numbers: "10" after "2"), and the JSON value written for it, which keeps the TOML type:
// numbers as JSON numbers, booleans as booleans, strings as strings. Records written before
// values were typed hold text ("0.8"); such values read back with their number and are written
// back as the text they were.
struct ParamValue {
  std::string text;
  std::optional<double> number;
  nlohmann::json value;  // what result.json and sweep.json hold; null: write `text`
  bool operator==(const ParamValue& o) const { return text == o.text; }
  bool operator<(const ParamValue& o) const;  // numbers numerically, then text
};

// A params value from result.json or sweep.json: a string (numeric text also gets its number),
// a number (its text as relabel::value_text writes it), a boolean, or anything else (its JSON
// text, no number).
ParamValue param_value(const nlohmann::json& value);
// A swept config value, typed (a non-finite float is kept as its text: JSON has no NaN).
ParamValue param_value(const ConfigValue& value);
// The JSON written for `value`: its typed value, else its text.
nlohmann::json param_json(const ParamValue& value);

struct CurvePoint {
  int64_t step = 0;    // gradient steps (offline) or environment steps over all ranks (online)
  double ret = 0.0;    // mean undiscounted evaluation return; NaN when a record omits it
  double score = 0.0;  // D4RL-style normalised score, 0..100
};

// One start or resume of a run; status and end_step are set when it ends.
struct Attempt {
  std::string started_at;
  int64_t start_step = 0;
  int ranks = 0;
  std::string status;  // "" while the attempt runs
  std::optional<int64_t> end_step;
};

// Strings are "" and optionals empty where the record does not hold the key.
struct RunRecord {
  std::string id;
  std::string status;  // running | done | failed | preempted
  std::string task, dataset, method;
  // The data the run trained on (offline runs; absent in records written before it existed).
  std::optional<DatasetIdentity> dataset_identity;
  // The expert file an offline run took its demonstrations from (dataset.expert_path), pinned
  // like the dataset; absent without one and in records written before it existed.
  std::optional<DatasetIdentity> expert_identity;
  std::map<std::string, ParamValue> params;  // swept key -> value (typed), and "seed"
  std::optional<int64_t> seed;
  std::optional<int> ranks;
  std::string config_hash, relabel_version;
  // The config hash with the seed at 0: equal for the seeds of one configuration ("" in
  // records written before it existed).
  std::string config_hash_without_seed;
  std::string started_at, finished_at;  // UTC, YYYY-MM-DDTHH:MM:SSZ
  std::vector<Attempt> attempts;
  std::string error;  // when failed
  std::vector<CurvePoint> curve;
  std::optional<double> final_score, final_return, best_score;
  // R_random and R_expert the scores are normalised with (absent in older records).
  std::optional<double> ref_random, ref_expert;
  std::map<std::string, double> timing;  // seconds per phase, rates
  nlohmann::json reward_diagnostics;     // method-specific values; null when not recorded

  bool done() const { return status == "done"; }
  bool failed() const { return status == "failed"; }
};

// A curve's JSON form ([{step, return, score}], a NaN return omitted), as result.json and the
// run's checkpoint metadata hold it. The reader is strict: errors name `path` and the entry.
nlohmann::json curve_to_json(const std::vector<CurvePoint>& curve);
std::vector<CurvePoint> curve_from_json(const nlohmann::json& j, const std::string& path);

// The JSON form. Keys the writer always writes (id, status, task, dataset, method, params,
// attempts, curve, timing) are always present; the others only when set. params are written
// typed (param_json).
nlohmann::json to_json(const RunRecord& record);

// Strict: throws relabel::Error, one line naming `path` and the key, when `j` is not a valid
// record: not an object, status, task or method missing (a failed record may lack task and
// method: a run that failed before its first record was written), a known key of the wrong type,
// a status outside running/done/failed/preempted, a done record without final_score. Unknown
// keys are ignored, so an older reader accepts a newer writer's records.
RunRecord run_record_from_json(const nlohmann::json& j, const std::string& path);

// Parses result.json text strictly (invalid JSON is an Error naming `path` too).
RunRecord parse_run_record(const std::string& text, const std::string& path);

// Whether <dir>/result.json is there: false when nothing has that name, true when it is a
// regular file (a symbolic link to one included). Anything else under that name (a symbolic link
// loop or one to a missing file, a directory, a FIFO) is a relabel::Error naming the file, which
// readers treat as they treat a record that does not parse (status: malformed, exit 2; report:
// a warning and the file listed as malformed).
bool run_record_present(const std::string& dir);

// <dir>/result.json, tolerant: nullopt when it is missing, not JSON or not a valid record.
// For bookkeeping that must not fail on a damaged directory (skip done runs, sweep status).
std::optional<RunRecord> read_run_record(const std::string& dir);

// <dir>/result.json, strict (the report): throws relabel::Error naming the file and the key. A
// record without a curve takes it from <dir>/curve.csv when that exists.
RunRecord load_run_record(const std::string& dir);

// curve.csv (step,return,score; a missing return column reads as NaN). Throws relabel::Error
// naming the file and row.
std::vector<CurvePoint> read_curve_csv(const std::string& path);

// Writes <dir>/curve.csv and then <dir>/result.json, each atomically.
void write_run_record(const std::string& dir, const RunRecord& record);

// "FILE: key 'K'", the start of every record error (report warnings read the same way).
std::string where(const std::string& path, const std::string& key);
// The string at `key` of object `j`; "" when absent and not `required`, else relabel::Error
// naming `path` and the key (missing, or not a string).
std::string get_string(const nlohmann::json& j, const std::string& key, const std::string& path,
                       bool required);

// UTC now as ISO 8601 (2026-11-21T08:30:00Z), the record's time format.
std::string utc_now();

}  // namespace relabel::io
