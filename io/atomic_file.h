#pragma once
// Atomic file replacement (docs/formats.md: checkpoints, result.json written atomically): the
// content goes to a temporary file in the destination's directory, is fsynced, then renamed over
// the destination, and the directory is fsynced. Readers see the old file or the new one, never
// a partial one, also after a crash.
#include <nlohmann/json_fwd.hpp>

#include <string>

namespace relabel::io {

// A temporary file next to `path` that replaces `path` on commit(). If the object dies without
// commit() (an exception while writing), the temporary file is removed. Writers that produce
// the file themselves (HDF5) write to temp_path().
class AtomicFile {
 public:
  explicit AtomicFile(std::string path);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  const std::string& path() const { return path_; }
  const std::string& temp_path() const { return temp_path_; }

  // fsync(temp), rename(temp, path), fsync(directory). Throws relabel::RunError on failure.
  void commit();

 private:
  std::string path_;
  std::string temp_path_;
  bool committed_ = false;
};

// Writes `bytes` to `path` atomically. A missing directory or no permission is a relabel::Error
// naming the path; a failure while writing is a relabel::RunError.
void write_file_atomic(const std::string& path, const std::string& bytes);

// Writes `value` as JSON (indented by `indent`, newline-terminated) to `path` atomically.
void write_json_atomic(const std::string& path, const nlohmann::json& value, int indent = 2);

// Removes the temporaries (".<name>.tmp-<pid>-<n>") that writers killed mid-write (kill -9, a
// node failure) left in `dir` and its subdirectories; returns how many. Only safe while no
// writer is live there: call it holding the directory's lock (io/dir_lock.h).
int remove_stale_temporaries(const std::string& dir);

}  // namespace relabel::io
