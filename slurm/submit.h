#pragma once
// relabel slurm submit / status: writes the sbatch script into the sweep directory, submits it,
// records the job in <sweep dir>/slurm.json, and joins squeue/sacct with the sweep's own status.
#include <string>
#include <vector>

#include "slurm/sbatch_script.h"

namespace relabel::slurm {

struct SubmitResult {
  std::string script_path;
  std::string script;
  std::string job_id;  // empty for a dry run
  std::string runs;    // one line per run: id and swept values
};

// What the sbatch script needs to know of an expanded sweep. The caller expands the spec
// (sweeps::load_sweep validates it against the run schema and the registries, which need
// LibTorch); slurm itself stays on core, io and report.
struct SweepPlan {
  std::string spec_path;  // absolute
  std::string dir;        // the sweep directory, absolute
  std::string name;
  int64_t ranks_per_run = 1;
  std::vector<std::string> overrides;  // --set key=value, passed on to `relabel sweep`
  std::string device = "cpu";          // the runs' parallel.device
  std::vector<std::string> run_lines;  // one per run, array index order: "id  key=value ..."
};

// Renders the script and unless dry_run writes it to <sweep dir>/sbatch-<n>.sh, runs
// `sbatch --parsable` on it and appends the job to <sweep dir>/slurm.json. When sbatch fails or
// prints no job id, nothing is recorded, the script is renamed sbatch-<n>.failed.sh and the
// RunError names it.
SubmitResult submit_sweep(const SweepPlan& plan, const SubmitOptions& options, bool dry_run);

// The jobs recorded for a sweep directory, with SLURM's view of each (squeue, then sacct where
// accounting is available), followed by the sweep's per-run status.
std::string slurm_status(const std::string& sweep_dir);

// Absolute path of the running relabel executable (/proc/self/exe).
std::string self_executable();

}  // namespace relabel::slurm
