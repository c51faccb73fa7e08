#pragma once
// Shared test helpers: temporary directories, running the relabel binary, capturing output.
#include <string>
#include <vector>

namespace relabel::test {

// A fresh directory under $TMPDIR, removed (recursively) when the object dies unless
// RELABEL_KEEP_TEST_DIRS is set.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "relabel-test");
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

// Runs a shell command line, capturing stdout+stderr.
CommandResult run_command(const std::string& command_line);

// Runs the built relabel binary with the given (already shell-quoted) arguments.
CommandResult run_relabel(const std::string& args);

// Runs relabel under `mpirun -np <ranks>` (root-safe flags included).
CommandResult run_relabel_mpi(int ranks, const std::string& args);

void write_file(const std::string& path, const std::string& content);
std::string read_file(const std::string& path);
// The lines of `text`, without their newlines.
std::vector<std::string> split_lines(const std::string& text);
// How often `what` occurs in `text` (overlapping occurrences count).
size_t count(const std::string& text, const std::string& what);

}  // namespace relabel::test
