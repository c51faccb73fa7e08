#include "io/observed_status.h"

#include <filesystem>

#include "io/dir_lock.h"

namespace relabel::io {

std::string observed_status(const std::string& run_dir, const std::optional<RunRecord>& record) {
  if (!record && !std::filesystem::exists(run_dir)) return "pending";
  // A damaged or missing result.json in an existing directory reads like a run in progress.
  const std::string status = record ? record->status : "running";
  if (status != "running") return status;
  return probe_dir_lock(run_dir) == LockState::Free ? "interrupted" : "running";
}

}  // namespace relabel::io
