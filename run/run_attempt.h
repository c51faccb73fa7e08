#pragma once
// The start and the end of one attempt of a run, the same for offline and online runs.
#include <mpi.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "run/run_pipeline.h"
#include "run/run_record.h"

namespace relabel::engine {

// True on every rank of `comm` when rank 0 finds the run recorded "done" under this config hash
// (a rerun of a finished sweep skips it); rank 0 then also fills outcome's scores from the record.
bool finished_before(RunOutcome& outcome, const std::string& dir, const std::string& config_hash,
                     MPI_Comm comm, int rank);

// Rank 0 creates the run directory, writes the resolved config.toml atomically and appends to
// log.txt; every rank returns once it has.
void open_run_directory(const std::string& dir, const std::string& config_toml, MPI_Comm comm,
                        int rank);

// Rank 0: record["attempts"] becomes the attempts of the previous record (if any) plus this one,
// started now at `resume_step` (a fresh run: -1, recorded as 0) on `ranks` ranks. Every start is
// logged so restarts can be audited: after preemptions the attempts tile [0, steps) exactly.
void begin_attempt(nlohmann::json& record, const std::string& dir, int64_t resume_step, int ranks);

// A preempted attempt keeps (or writes) a checkpoint at `step` and is recorded "preempted"; a
// finished one writes its final checkpoint (what resume tests compare) and is recorded "done".
// Sets outcome.status and, from the curve, the final and best scores. `step_name` names the
// step in the log line ("step", "environment step").
void finish_attempt(RunOutcome& outcome, bool preempted, int64_t step,
                    std::optional<int64_t> latest_checkpoint, const std::vector<CurvePoint>& curve,
                    const char* step_name, const std::function<void(int64_t)>& save_checkpoint,
                    const std::function<void(const std::string&)>& write_record);

}  // namespace relabel::engine
