#pragma once
// Runs a sweep over MPI (docs/sweeps.md): the world splits into groups of ranks_per_run;
// group leaders claim run indices from a shared counter (MPI_Fetch_and_op on a window at world
// rank 0: one-sided, no rank does nothing but coordinate), each group runs its claimed run
// data-parallel on its own communicator. Done runs are skipped, checkpointed runs resume, a run
// that throws is recorded failed and the group goes on, a stop signal checkpoints every group's
// run at its next step boundary and ends the sweep cleanly.
#include <atomic>
#include <string>
#include <vector>

#include "sweeps/spec.h"

namespace relabel::comm {
class Context;
}

namespace relabel::sweeps {

struct SweepCounts {
  int done = 0, failed = 0, preempted = 0, skipped = 0, pending = 0;
  // Runs refused because their directory holds another config's or dataset's run
  // (run/run_pin.h): nothing was run or written; on rank 0, the whole sweep's count.
  int refused = 0;
  // This rank's time (s): inside run_experiment, in the scheduler's own work (setup, claims,
  // sweep.json writes: the overhead of dynamic scheduling), and waiting at the final barrier
  // for the other groups (load imbalance at the end of the sweep). `runs` = runs it executed
  // (a run skipped as done is not one).
  double run_seconds = 0.0, scheduler_seconds = 0.0, final_wait_seconds = 0.0;
  int runs = 0;
};

// Collective over the world. Returns the counts for the runs this call handled (on rank 0: the
// whole sweep, read back from the run directories at the end).
// `subset`: run only these positions of the expansion (SLURM array tasks); empty = all. A whole
// sweep holds the sweep directory's lock (io/dir_lock.h) and a second one on it is a
// relabel::Error on every rank; array tasks share the directory and lock only their runs.
// `breadth_first`: a whole sweep's groups claim its runs seed by seed (claim_order)
// instead of the expansion order.
SweepCounts run_sweep(const SweepSpec& spec, relabel::comm::Context& context,
                      const std::atomic<bool>* stop_flag, const std::vector<int64_t>& subset = {},
                      bool breadth_first = false);

// <sweep dir>/sweep.json: the spec, the expansion, and each run's status (from its result.json).
void write_sweep_json(const SweepSpec& spec);
// Throws relabel::Error (one line, the directory and both names) when spec.dir's sweep.json is
// another sweep's (its "name" differs): writing ours would drop its list, and its runs would
// share the directory's report with ours. A sweep.json without a name, or none, passes.
void check_sweep_directory(const SweepSpec& spec);

}  // namespace relabel::sweeps
