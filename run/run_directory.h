#pragma once
// What a run holds on its directory while it writes there (docs/formats.md, "Run directory"):
// the directory lock (one writer, io/dir_lock.h) and the space reserve for the failure record
// (io/space_reserve.h). Taking it also removes the temporaries that a writer killed mid-write
// left behind, which is safe only because the lock says no other writer is live.
#include <memory>
#include <string>

namespace relabel::comm {
class Collective;
}  // namespace relabel::comm

namespace relabel::io {
class DirLock;
class SpaceReserve;
}  // namespace relabel::io

namespace relabel::run {

class RunDirectoryClaim {
 public:
  // Collective over `comm`: rank 0 creates `dir`, locks it, cleans it and reserves space; a
  // directory another process writes is a relabel::Error thrown on every rank, before anything
  // in it changed.
  RunDirectoryClaim(const std::string& dir, comm::Collective& comm);
  ~RunDirectoryClaim();

  // Frees the reserve (rank 0), right before the failure record is written.
  void release_reserve();

 private:
  std::unique_ptr<io::DirLock> lock_;
  std::unique_ptr<io::SpaceReserve> reserve_;
};

}  // namespace relabel::run
