#pragma once
// One writer per directory (docs/formats.md, "Directory lock"): <dir>/.relabel.lock, held with
// a POSIX record lock (fcntl F_SETLK, whole file) for as long as the writer lives, and holding
// one line that names the writer (host, pid, start time) for the error a second writer gets, and
// what it writes (a run, a sweep, a dataset suite), for readers that cannot tell from the files.
// The kernel (or the NFS / Lustre lock manager) drops the lock when the holder dies, so a lock
// file nobody holds is stale and is simply taken over: no pid guessing across hosts.
//
// POSIX record locks belong to the process, and closing any descriptor of the file releases
// them; this module is therefore the only code that opens lock files, and it remembers which
// directories this process holds so it never opens their lock file again.
#include <optional>
#include <string>

namespace relabel::io {

inline constexpr const char* kLockFileName = ".relabel.lock";

// What a directory's writer writes, the last word of its lock file's line: a sweep locks its
// directory before it writes sweep.json, so until then only this tells it from a run's.
enum class LockWriter { Run, Sweep, Datagen };
const char* to_string(LockWriter writer);  // "run", "sweep", "datagen"

class DirLock {
 public:
  // Takes the lock of `dir` (which must exist) for a `writer`. Throws relabel::Error, one line
  // naming `dir` and the holder ("DIR is being written by host:pid (since T); ..."), when
  // another process (or another DirLock of this process) holds it. On a filesystem without
  // POSIX locks the lock is not enforced: acquire succeeds and not_enforced() says why, for the
  // caller to warn.
  static DirLock acquire(const std::string& dir, LockWriter writer);

  DirLock(DirLock&& other) noexcept;
  DirLock& operator=(DirLock&&) = delete;
  DirLock(const DirLock&) = delete;
  ~DirLock();  // clears the holder line and releases the lock

  const std::string& dir() const { return dir_; }
  // Empty when the lock is enforced, else the reason (the fcntl error).
  const std::string& not_enforced() const { return not_enforced_; }

 private:
  DirLock(std::string dir, std::string key, int fd, std::string not_enforced);
  std::string dir_, key_;
  int fd_ = -1;
  std::string not_enforced_;
};

enum class LockState {
  Held,     // a live process holds the directory's lock (this one included)
  Free,     // the lock file exists and nobody holds it: whoever wrote there is gone
  Unknown,  // no lock file (written before relabel locked directories, or never written), or
            // the filesystem does not answer lock queries
};

// Whether some process is writing `dir` now (F_GETLK; never takes the lock).
LockState probe_dir_lock(const std::string& dir);

// The line of `dir`'s lock file: who holds it, or held it last and died (a writer that ends
// clears it). `writer` is empty in lines written before relabel named it.
struct LockLine {
  std::string host, pid, started_at, writer;
};

// Reads the line without taking the lock; nullopt when there is no lock file or its line is
// cleared or unreadable.
std::optional<LockLine> read_dir_lock(const std::string& dir);

}  // namespace relabel::io
