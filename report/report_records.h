#pragma once
// Reading a sweep or run directory for `relabel report` (docs/formats.md, "result.json"): every
// runs/<id>/result.json, the runs that have none yet, and sweep.json entries not started. Only
// reads; a malformed file is recorded (and warned about), never fatal.
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace relabel::report {

// One swept value: its display text and, when it is a number, the number.
struct ParamValue {
  std::string text;
  std::optional<double> number;
  bool operator==(const ParamValue& o) const { return text == o.text; }
  bool operator<(const ParamValue& o) const;  // numbers numerically, then text
};

struct CurvePoint {
  double step = 0;
  double ret = 0;    // undiscounted return
  double score = 0;  // normalised, 0–100
};

struct RunRecord {
  std::string id;
  // done | failed | running | preempted | pending (no result.json yet, or only in sweep.json)
  std::string status;
  std::string error;  // failure message, or why a run is pending
  std::string task, dataset, method;
  std::map<std::string, ParamValue> params;  // swept key → value, as recorded
  std::optional<long long> seed;
  std::optional<double> final_score, best_score, final_return;  // scores normalised 0–100
  std::vector<CurvePoint> curve;
  std::string source;  // the file this came from (result.json, config.toml or sweep.json)

  bool done() const { return status == "done"; }
  bool failed() const { return status == "failed"; }
  bool pending() const { return !done() && !failed(); }
};

struct MalformedFile {
  std::string path;
  std::string message;
};

struct RunSet {
  std::string dir;
  std::vector<RunRecord> runs;  // sorted by id
  std::vector<MalformedFile> malformed;
};

// Parses one result.json text; throws relabel::Error naming `path` and the key when it is not a
// valid record. `fallback_id` is used when the record has no id.
RunRecord parse_result_record(const std::string& text, const std::string& path,
                              const std::string& fallback_id);

// Reads DIR/runs/*/ and DIR/sweep.json. A DIR that is itself one run directory (result.json at
// its top) is read as a single run. Throws relabel::Error when DIR is missing or holds neither.
RunSet read_run_directory(const std::string& dir);

}  // namespace relabel::report
