#pragma once
// Room for the last record (docs/formats.md, "Run directory"): a run keeps a small file of
// allocated blocks in its directory and deletes it right before it writes its failure record,
// so a disk that filled up mid-run still takes the result.json that says why the run failed.
#include <cstdint>
#include <string>

namespace relabel::io {

class SpaceReserve {
 public:
  static constexpr int64_t kDefaultBytes = 1 << 20;  // result.json and curve.csv need a few KiB

  // Allocates `bytes` at `path` (posix_fallocate: real blocks, not a sparse file). When the
  // disk is already too full, holds nothing and error() says why.
  SpaceReserve(std::string path, int64_t bytes = kDefaultBytes);
  ~SpaceReserve();  // releases
  SpaceReserve(const SpaceReserve&) = delete;
  SpaceReserve& operator=(const SpaceReserve&) = delete;

  void release();  // deletes the file; idempotent
  const std::string& error() const { return error_; }

 private:
  std::string path_, error_;
  bool held_ = false;
};

}  // namespace relabel::io
