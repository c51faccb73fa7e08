#pragma once
// Checkpoints of one run (docs/formats.md): <run>/ckpt/step_<N>.pt, written atomically by rank 0
// (replicas are identical), the newest `keep` retained. A checkpoint is a torch archive; callers
// fill named sub-archives (learner, reward model, ...) and a JSON string of run metadata.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

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

  // Highest step whose checkpoint opens and holds its metadata. Newer ones that do not (a
  // truncated copy, a disk error) are renamed to step_<N>.pt.corrupt with a warning, so the
  // run resumes from the one kept before them.
  std::optional<int64_t> latest_readable_step() const;

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
