#include "io/observed_status.h"

#include <filesystem>

#include "core/text_file.h"
#include "io/atomic_file.h"
#include "io/dir_lock.h"

namespace relabel::io {

std::string refusal_marker(const std::string& run_dir) {
  std::string dir = run_dir;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir + ".refused";
}

std::optional<std::string> refusal_reason(const std::string& run_dir) {
  auto text = read_text_file_if_present(refusal_marker(run_dir));
  if (!text) return std::nullopt;
  std::string reason = *std::move(text);
  while (!reason.empty() && reason.back() == '\n') reason.pop_back();
  return reason;
}

void mark_refused(const std::string& run_dir, const std::string& reason) {
  write_file_atomic(refusal_marker(run_dir), reason + "\n");
}

void clear_refused(const std::string& run_dir) {
  std::error_code ec;
  std::filesystem::remove(refusal_marker(run_dir), ec);
}

std::string observed_status(const std::string& run_dir, const std::optional<RunRecord>& record) {
  namespace fs = std::filesystem;
  if (refusal_reason(run_dir)) return "refused";
  std::error_code ec;
  if (!record && !fs::exists(run_dir, ec)) return "pending";
  // A run locks its directory before it writes anything there: a directory without a record
  // and without a lock file was never started by relabel (an empty folder, or one left by a
  // version from before the lock).
  if (!record && !fs::exists(fs::path(run_dir) / "result.json", ec) &&
      !fs::exists(fs::path(run_dir) / kLockFileName, ec))
    return "pending";
  // A damaged or missing result.json in an existing directory reads like a run in progress.
  const std::string status = record ? record->status : "running";
  if (status != "running") return status;
  return probe_dir_lock(run_dir) == LockState::Free ? "interrupted" : "running";
}

}  // namespace relabel::io
