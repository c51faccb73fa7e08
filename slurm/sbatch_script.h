#pragma once
// The sbatch script of a sweep (issue: SLURM). Two modes:
//  - mpi:   one MPI job; the sweep's rank groups farm the runs (relabel sweep under srun/mpirun).
//  - array: a job array with one run per task (relabel sweep --index $SLURM_ARRAY_TASK_ID),
//           throttled with %N.
// Both ask for a warning signal before the time limit (--signal=B:USR2@<s>); the batch shell
// traps it, forwards it to the launcher (every rank checkpoints at its next step boundary and
// exits 0), then requeues the job (scontrol requeue) up to max_requeues times
// (SLURM_RESTART_COUNT counts them).
#include <cstdint>
#include <string>
#include <vector>

namespace relabel::slurm {

struct SubmitOptions {
  std::string mode = "mpi";  // mpi | array
  int nodes = 1;
  int ntasks_per_node = 1;  // mpi mode; array mode uses the spec's ranks_per_run per task
  int cpus_per_task = 1;
  int gpus_per_node = 0;
  std::string time;  // SLURM time format, e.g. 04:00:00; empty = partition default
  std::string partition, account, qos, mem, job_name;
  std::vector<std::string> extra;  // extra directives, e.g. "--constraint=a100"
  std::vector<std::string> setup;  // shell lines run before the launch, e.g. "module load cuda"
  std::string launcher = "srun";   // srun | mpirun
  std::string srun_mpi = "pmix";   // srun --mpi=<this>
  std::string signal = "USR2";     // warning signal (NCCL may use USR1)
  int signal_seconds = 300;        // sent this long before the time limit
  int max_requeues = 3;
  int array_throttle = 0;  // array mode: at most this many tasks at once (0 = no limit)
  // relabel sweep --breadth-first: seed by seed (mpi mode: the claim order; array mode: which
  // run each task index gets, so that throttled tasks fill every cell's first seed first).
  bool breadth_first = false;
};

struct ScriptInputs {
  std::string relabel_binary;  // absolute
  std::string spec_path;       // absolute
  std::string sweep_dir;       // absolute
  std::string sweep_name;
  int64_t runs = 0;
  int64_t ranks_per_run = 1;
  std::vector<std::string> overrides;  // --set key=value given to submit, passed on
  std::string device = "cpu";          // the runs' parallel.device: cuda needs --gpus-per-node
  std::string generated_at;            // for the header comment (empty: omitted)
};

// Validates the options (relabel::Error naming the option) and renders the script. Each rank
// runs --cpus-per-task torch threads (relabel sweep --threads-per-rank); with --gpus-per-node
// each rank uses GPU <local rank> mod <GPUs visible> (comm::Context).
std::string sbatch_script(const SubmitOptions& options, const ScriptInputs& inputs);

}  // namespace relabel::slurm
