#pragma once
// SIGTERM, SIGINT, SIGUSR1 and SIGUSR2 (SLURM preemption and time-limit warnings) request a
// checkpoint-and-stop at the next step boundary instead of killing the process.
#include <atomic>

namespace relabel::run {

// Installs the handlers (idempotent) and returns the flag they set.
const std::atomic<bool>& install_stop_signal_handlers();
// The signal that set the flag, 0 if none.
int stop_signal();
// For tests: clears the flag.
void reset_stop_flag();

}  // namespace relabel::run
