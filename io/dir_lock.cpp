#include "io/dir_lock.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <sstream>

#include "core/error.h"
#include "io/run_record.h"

namespace fs = std::filesystem;

namespace relabel::io {
namespace {

// Directories whose lock this process holds, with the line it wrote: opening their lock file
// again and closing it would silently drop the lock (POSIX record locks are per process).
std::mutex held_mutex;
std::map<std::string, std::string> held_dirs;

std::string key_of(const std::string& dir) {
  std::error_code ec;
  auto canonical = fs::weakly_canonical(dir, ec);
  return ec ? fs::absolute(dir).lexically_normal().string() : canonical.string();
}

bool held_here(const std::string& key) {
  std::lock_guard<std::mutex> guard(held_mutex);
  return held_dirs.count(key) > 0;
}

std::string lock_path(const std::string& dir) { return dir + "/" + kLockFileName; }

struct flock whole_file(short type) {
  struct flock fl {};
  fl.l_type = type;
  fl.l_whence = SEEK_SET;
  fl.l_start = 0;
  fl.l_len = 0;  // to the end of the file, however long it grows
  return fl;
}

// The lock file's line "host pid T [writer]" (the writer since relabel names it).
std::optional<LockLine> parse_line(const std::string& text) {
  std::istringstream line(text);
  LockLine l;
  if (!(line >> l.host >> l.pid >> l.started_at)) return std::nullopt;
  line >> l.writer;
  return l;
}

std::optional<LockLine> line_of(int fd) {
  char buf[512];
  const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  if (n <= 0) return std::nullopt;
  return parse_line(std::string(buf, static_cast<size_t>(n)));
}

// "host:pid (since T)".
std::optional<std::string> holder_of(int fd) {
  const auto l = line_of(fd);
  if (!l) return std::nullopt;
  return l->host + ":" + l->pid + " (since " + l->started_at + ")";
}

std::string this_host() {
  char name[256] = "";
  if (::gethostname(name, sizeof name - 1) != 0) return "unknown-host";
  return name;
}

}  // namespace

const char* to_string(LockWriter writer) {
  switch (writer) {
    case LockWriter::Run:
      return "run";
    case LockWriter::Sweep:
      return "sweep";
    case LockWriter::Datagen:
      return "datagen";
  }
  return "run";
}

DirLock::DirLock(std::string dir, std::string key, int fd, std::string not_enforced)
    : dir_(std::move(dir)), key_(std::move(key)), fd_(fd), not_enforced_(std::move(not_enforced)) {}

DirLock::DirLock(DirLock&& other) noexcept
    : dir_(std::move(other.dir_)),
      key_(std::move(other.key_)),
      fd_(other.fd_),
      not_enforced_(std::move(other.not_enforced_)) {
  other.fd_ = -1;
}

DirLock::~DirLock() {
  if (fd_ < 0) return;
  // The file stays (unlinking it would let a waiter lock a file nobody else sees); an empty
  // holder line reads as "nobody".
  if (::ftruncate(fd_, 0) != 0) {
  }
  ::close(fd_);
  std::lock_guard<std::mutex> guard(held_mutex);
  held_dirs.erase(key_);
}

DirLock DirLock::acquire(const std::string& dir, LockWriter writer) {
  const std::string key = key_of(dir);
  if (held_here(key)) throw Error(dir + " is already being written by this process");
  const std::string path = lock_path(dir);
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) throw Error(path + ": cannot create the lock file: " + std::strerror(errno));
  struct flock fl = whole_file(F_WRLCK);
  std::string not_enforced;
  if (::fcntl(fd, F_SETLK, &fl) != 0) {
    const int err = errno;
    if (err == EACCES || err == EAGAIN) {
      const auto holder = holder_of(fd);
      ::close(fd);
      throw Error(dir + " is being written by " + holder.value_or("another process") +
                  "; wait for it to end or stop it (lock file " + path + ")");
    }
    // ENOLCK, ENOSYS, EOPNOTSUPP: a filesystem mounted without lock support (Lustre noflock,
    // NFS nolock). Refusing would block all work there; the caller warns instead.
    not_enforced = std::strerror(err);
  }
  // Ours now: whatever the file said was left by a writer that is gone.
  const std::string line = this_host() + " " + std::to_string(::getpid()) + " " + utc_now() + " " +
                           to_string(writer) + "\n";
  if (::ftruncate(fd, 0) != 0 ||
      ::pwrite(fd, line.data(), line.size(), 0) != static_cast<ssize_t>(line.size())) {
    const std::string why = std::strerror(errno);
    ::close(fd);
    throw RunError(path + ": cannot write the lock file: " + why);
  }
  std::lock_guard<std::mutex> guard(held_mutex);
  held_dirs.emplace(key, line);
  return DirLock(dir, key, fd, not_enforced);
}

LockState probe_dir_lock(const std::string& dir) {
  if (held_here(key_of(dir))) return LockState::Held;
  const std::string path = lock_path(dir);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return LockState::Unknown;
  struct flock fl = whole_file(F_WRLCK);
  const int rc = ::fcntl(fd, F_GETLK, &fl);
  ::close(fd);
  if (rc != 0) return LockState::Unknown;
  return fl.l_type == F_UNLCK ? LockState::Free : LockState::Held;
}

std::optional<LockLine> read_dir_lock(const std::string& dir) {
  const std::string key = key_of(dir);
  {
    std::lock_guard<std::mutex> guard(held_mutex);
    if (auto it = held_dirs.find(key); it != held_dirs.end()) return parse_line(it->second);
  }
  const int fd = ::open(lock_path(dir).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  auto line = line_of(fd);
  ::close(fd);  // no lock of this process is on it (not held here): closing drops nothing
  return line;
}

}  // namespace relabel::io
