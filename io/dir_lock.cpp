#include "io/dir_lock.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <set>
#include <sstream>

#include "core/error.h"
#include "io/run_record.h"

namespace fs = std::filesystem;

namespace relabel::io {
namespace {

// Directories whose lock this process holds: opening their lock file again and closing it
// would silently drop the lock (POSIX record locks are per process).
std::mutex held_mutex;
std::set<std::string> held_dirs;

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

// "host:pid (since T)" from the lock file's line "host pid T".
std::optional<std::string> holder_of(int fd) {
  char buf[512];
  const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  if (n <= 0) return std::nullopt;
  std::istringstream line(std::string(buf, static_cast<size_t>(n)));
  std::string host, pid, since;
  if (!(line >> host >> pid >> since)) return std::nullopt;
  return host + ":" + pid + " (since " + since + ")";
}

std::string this_host() {
  char name[256] = "";
  if (::gethostname(name, sizeof name - 1) != 0) return "unknown-host";
  return name;
}

}  // namespace

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

DirLock DirLock::acquire(const std::string& dir) {
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
  const std::string line = this_host() + " " + std::to_string(::getpid()) + " " + utc_now() + "\n";
  if (::ftruncate(fd, 0) != 0 ||
      ::pwrite(fd, line.data(), line.size(), 0) != static_cast<ssize_t>(line.size())) {
    const std::string why = std::strerror(errno);
    ::close(fd);
    throw RunError(path + ": cannot write the lock file: " + why);
  }
  std::lock_guard<std::mutex> guard(held_mutex);
  held_dirs.insert(key);
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

}  // namespace relabel::io
