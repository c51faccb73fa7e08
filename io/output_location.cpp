#include "io/output_location.h"

#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "core/error.h"

namespace fs = std::filesystem;

namespace relabel::io {

namespace {

// The longest name the filesystem holding `existing` allows (255 on most).
long name_max(const fs::path& existing) {
  errno = 0;
  const long n = ::pathconf(existing.empty() ? "." : existing.c_str(), _PC_NAME_MAX);
  return n > 0 ? n : NAME_MAX;
}

}  // namespace

void check_output_location(const std::string& dir, const std::string& what) {
  const std::string at = what + " " + dir + ": ";
  if (dir.empty()) throw Error(what + ": is empty");
  if (dir.size() >= PATH_MAX)
    throw Error(at + "the path is " + std::to_string(dir.size()) + " characters, longer than " +
                "the system allows (" + std::to_string(PATH_MAX - 1) + ")");
  const fs::path path = fs::path(dir).lexically_normal();
  // The nearest existing ancestor decides: a regular file there means no directory can be made.
  fs::path existing = path;
  std::error_code ec;
  while (!existing.empty() && !fs::exists(existing, ec)) existing = existing.parent_path();
  if (!existing.empty() && !fs::is_directory(existing, ec))
    throw Error(at + (existing == path ? std::string("exists and is not a directory")
                                       : existing.string() + " is not a directory"));
  const long longest = name_max(existing);
  for (const auto& name : path) {
    const std::string n = name.string();
    if (static_cast<long>(n.size()) > longest)
      throw Error(at + "the name '" + n.substr(0, 32) + "...' is " + std::to_string(n.size()) +
                  " characters, longer than the filesystem allows (" + std::to_string(longest) +
                  ")");
  }
}

void prepare_output_location(const std::string& dir, const std::string& what) {
  check_output_location(dir, what);
  const std::string at = what + " " + dir + ": ";
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec && !fs::is_directory(dir)) throw Error(at + "cannot create it: " + ec.message());
  // Creating the directory is not enough (it may exist read-only): create and remove a file.
  std::string probe = (fs::path(dir) / ".relabel-write-test-XXXXXX").string();
  const int fd = ::mkstemp(probe.data());
  if (fd < 0) throw Error(at + "cannot write in it: " + std::strerror(errno));
  ::close(fd);
  ::unlink(probe.c_str());
}

}  // namespace relabel::io
