#pragma once
// Checkpoints of one run (docs/formats.md): <run>/ckpt/step_<N>.pt, written atomically by rank 0
// (replicas are identical), the newest `keep` retained. A checkpoint is a torch archive; callers
// fill named sub-archives (learner, reward model, ...) and a JSON string of run metadata.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace torch::serialize {
class OutputArchive;
class InputArchive;
}  // namespace torch::serialize

namespace relabel::run {

class CheckpointStore {
 public:
  explicit CheckpointStore(std::string dir, int keep = 2);

  using Writer = std::function<void(torch::serialize::OutputArchive&)>;
  using Reader = std::function<void(torch::serialize::InputArchive&)>;

  // Writes step_<step>.pt atomically (temp file + fsync + rename), then prunes older ones.
  void save(int64_t step, const std::string& meta_json, const Writer& write) const;

  // Highest step with a checkpoint file, if any.
  std::optional<int64_t> latest_step() const;

  // A checkpoint that does not open or holds no metadata (a truncated copy, a disk error).
  struct Unreadable {
    int64_t step;
    std::string why;
  };
  // The newest checkpoint that opens and holds its metadata (none: no such step), and the newer
  // ones that do not, newest first. Only reads.
  struct Choice {
    std::optional<int64_t> step;
    std::vector<Unreadable> unreadable;
  };
  Choice newest_readable() const;

  // One line per unreadable checkpoint of `choice`, naming it and the checkpoint used instead
  // ("checkpoint P is unreadable (why); using Q instead"): what a resuming run, relabel eval
  // and relabel export say when they fall back.
  std::vector<std::string> fallback_warnings(const Choice& choice) const;

  // A resuming run's newest_readable(): the unreadable ones are renamed to step_<N>.pt.corrupt
  // (kept for inspection, never read again) and their warnings, which say so, are appended to
  // `warnings` for the caller to log (a rank other than 0 does not print).
  std::optional<int64_t> set_aside_unreadable(std::vector<std::string>& warnings) const;

  // Reads step_<step>.pt; returns its metadata JSON. Throws relabel::RunError naming the file
  // when it cannot be read.
  std::string load(int64_t step, const Reader& read) const;

  std::string path_for(int64_t step) const;
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  int keep_;
};

}  // namespace relabel::run
