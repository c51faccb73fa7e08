#pragma once
// `relabel status RUN_DIR` on one run directory (not a sweep): its state as `relabel status`
// classifies a sweep's runs, how far it got and its scores.
#include <cstdint>
#include <optional>
#include <string>

#include "io/run_record.h"
#include "report/status.h"

namespace relabel::report {

struct RunStatus {
  std::string dir;
  RunState state;  // id, status, error, final score (done runs)
  // The run's step and total from its newest `progress` record in metrics.jsonl (written every
  // 2 s of training); without one, the step its record last saw and no total.
  std::optional<int64_t> step, total;
  std::optional<io::CurvePoint> last_eval;  // the newest evaluation of its curve
};

// Whether `dir` is one run's directory: no sweep.json and no runs/, but a result.json, a
// config.toml or a directory lock file, which a run writes first, unless the lock's line names
// another writer (a sweep before it writes sweep.json, a dataset suite).
bool is_run_directory(const std::string& dir);

RunStatus read_run_status(const std::string& dir);
std::string format_run_status(const RunStatus& status);

}  // namespace relabel::report
