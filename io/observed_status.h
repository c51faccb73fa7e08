#pragma once
// The status a reader shows for a run directory (relabel status, sweep.json): what its
// result.json says, unless the writer died without saying so. A run that is still "running"
// by its record (or has no readable record yet) while no process holds its directory lock
// (io/dir_lock.h) was killed (kill -9, out of memory, a node failure): it is "interrupted", and
// rerunning the same command resumes it from its last checkpoint.
#include <optional>
#include <string>

#include "io/run_record.h"

namespace relabel::io {

// pending (no directory, or one with neither result.json nor lock file) | running |
// interrupted | done | failed | preempted | refused. Where nothing tells whether the lock is held
// (no lock file: a directory from before relabel locked them; a filesystem without lock
// queries), a running record stays "running".
std::string observed_status(const std::string& run_dir, const std::optional<RunRecord>& record);

// A sweep that refuses a run (its directory holds a run of another config or of other data:
// run/run_pin.h) leaves the reason in "<run_dir>.refused", beside the directory, which stays as
// it was. Readers then show the run as "refused" and the report leaves its old result out, so
// a score trained on other data is never aggregated with the new ones. The next attempt of the
// run removes the marker.
std::string refusal_marker(const std::string& run_dir);
std::optional<std::string> refusal_reason(const std::string& run_dir);
void mark_refused(const std::string& run_dir, const std::string& reason);
void clear_refused(const std::string& run_dir);

}  // namespace relabel::io
