#pragma once
// The state of a sweep directory, from sweep.json (the expansion) and each run's result.json:
// what `relabel status DIR` prints and `relabel slurm status` joins with the SLURM queue.
#include <optional>
#include <string>
#include <vector>

#include "io/run_record.h"

namespace relabel::report {

struct RunState {
  std::string id;
  // done | failed | running | preempted | pending | malformed (result.json is not a valid
  // record), or interrupted: the record says running but no process holds the run directory's
  // lock (the writer died; rerunning resumes it)
  std::string status;
  std::string error;
  std::string params;  // "k=v k=v"
  double final_score = 0.0;
  bool has_score = false;
  std::string started_at, finished_at;
};

struct SweepStatus {
  std::string dir, name;
  std::vector<RunState> runs;
  int done = 0, failed = 0, running = 0, preempted = 0, interrupted = 0, pending = 0;
  // Runs whose result.json exists but is not a valid record: `error` names the file and key;
  // `relabel status` lists them and exits 2.
  int malformed = 0;
  // Runs a sweep refused (io/observed_status.h refusal_reason): `error` holds the reason.
  int refused = 0;
  // Folders under runs/ with a result.json that sweep.json does not list: not counted, named in
  // a warning line (report/report_records.h, unlisted_run_folders).
  std::vector<std::string> unlisted;
  double runs_per_hour = 0.0;  // done runs over the span from first start to last finish
  double eta_seconds = -1.0;   // remaining runs at that rate; < 0 when unknown
};

// The state of the run in `run_dir` (`params`: its swept values from sweep.json, else taken
// from its record), and its record when it has a valid one (`record_out`, when given).
RunState read_run_state(const std::string& run_dir, const std::string& id,
                        const std::string& params,
                        std::optional<io::RunRecord>* record_out = nullptr);

// Throws relabel::Error when `dir` holds neither sweep.json nor runs/, or when sweep.json is
// not valid (the message names it).
SweepStatus read_sweep_status(const std::string& dir);
std::string format_sweep_status(const SweepStatus& status, bool list_runs);

// Seconds since the epoch of an ISO 8601 UTC time ("2026-11-21T08:30:00Z"); -1 if unparsable.
double parse_utc(const std::string& iso);

}  // namespace relabel::report
