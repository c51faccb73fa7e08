#include "io/space_reserve.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstring>

namespace relabel::io {

SpaceReserve::SpaceReserve(std::string path, int64_t bytes) : path_(std::move(path)) {
  const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    error_ = path_ + ": " + std::strerror(errno);
    return;
  }
  held_ = true;
  const int rc = ::posix_fallocate(fd, 0, static_cast<off_t>(bytes));  // returns the error
  ::close(fd);
  if (rc != 0) {
    error_ = path_ + ": cannot reserve " + std::to_string(bytes) + " bytes: " + std::strerror(rc);
    release();
  }
}

SpaceReserve::~SpaceReserve() { release(); }

void SpaceReserve::release() {
  if (!held_) return;
  ::unlink(path_.c_str());
  held_ = false;
}

}  // namespace relabel::io
