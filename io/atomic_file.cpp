#include "io/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/error.h"

namespace relabel::io {
namespace {

std::string errno_text() { return std::strerror(errno); }

std::string parent_dir(const std::string& path) {
  auto parent = std::filesystem::path(path).parent_path();
  return parent.empty() ? std::string(".") : parent.string();
}

// Unique within the process (counter) and across processes (pid); hidden so that directory
// scans (run discovery, globbing *.hdf5) never pick up a half-written file.
std::string make_temp_path(const std::string& path) {
  static std::atomic<unsigned long> counter{0};
  std::filesystem::path p(path);
  std::string name = "." + p.filename().string() + ".tmp-" + std::to_string(::getpid()) + "-" +
                     std::to_string(counter.fetch_add(1));
  return (p.parent_path() / name).string();
}

void fsync_path(const std::string& path, int flags) {
  int fd = ::open(path.c_str(), flags);
  if (fd < 0) throw RunError(path + ": cannot open for fsync: " + errno_text());
  int rc = ::fsync(fd);
  int saved = errno;
  ::close(fd);
  // Some filesystems refuse fsync on directories (EINVAL); the rename is still atomic there.
  if (rc != 0 && !(flags & O_DIRECTORY && (saved == EINVAL || saved == EBADF))) {
    errno = saved;
    throw RunError(path + ": fsync failed: " + errno_text());
  }
}

// Test hook (tests/run/failure_records_test.cpp): RELABEL_TEST_STALL_BEFORE_RENAME=<text> holds
// every write whose path contains <text> for a minute between its complete temporary and the
// rename, so a test can kill -9 the writer exactly there.
void stall_for_tests(const std::string& path) {
  const char* match = std::getenv("RELABEL_TEST_STALL_BEFORE_RENAME");
  if (match && *match && path.find(match) != std::string::npos)
    std::this_thread::sleep_for(std::chrono::seconds(60));
}

bool is_temporary_name(const std::string& name) {
  return name.size() > 1 && name[0] == '.' && name.find(".tmp-") != std::string::npos;
}

}  // namespace

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)) {
  if (path_.empty()) throw Error("atomic write: empty file name");
  std::string dir = parent_dir(path_);
  if (!std::filesystem::is_directory(dir))
    throw Error(path_ + ": cannot write: directory '" + dir + "' does not exist");
  temp_path_ = make_temp_path(path_);
}

AtomicFile::~AtomicFile() {
  if (!committed_) ::unlink(temp_path_.c_str());
}

void AtomicFile::commit() {
  if (committed_) return;
  fsync_path(temp_path_, O_RDONLY);
  stall_for_tests(path_);
  if (::rename(temp_path_.c_str(), path_.c_str()) != 0)
    throw RunError(path_ + ": cannot rename temporary file into place: " + errno_text());
  committed_ = true;
  fsync_path(parent_dir(path_), O_RDONLY | O_DIRECTORY);
}

void write_file_atomic(const std::string& path, const std::string& bytes) {
  AtomicFile file(path);
  int fd = ::open(file.temp_path().c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) throw Error(path + ": cannot create: " + errno_text());
  const char* data = bytes.data();
  size_t left = bytes.size();
  while (left > 0) {
    ssize_t n = ::write(fd, data, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      std::string why = errno_text();
      ::close(fd);
      throw RunError(path + ": write failed: " + why);
    }
    data += n;
    left -= static_cast<size_t>(n);
  }
  if (::close(fd) != 0) throw RunError(path + ": close failed: " + errno_text());
  file.commit();
}

void write_json_atomic(const std::string& path, const nlohmann::json& value, int indent) {
  write_file_atomic(path, value.dump(indent) + "\n");
}

int remove_stale_temporaries(const std::string& dir) {
  int removed = 0;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code entry_ec;  // one unreadable or vanished entry does not end the walk
    if (it->is_regular_file(entry_ec) && is_temporary_name(it->path().filename().string()) &&
        std::filesystem::remove(it->path(), entry_ec))
      ++removed;
  }
  return removed;
}

}  // namespace relabel::io
