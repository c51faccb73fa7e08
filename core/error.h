#pragma once
// relabel::Error and the CLI exit codes (docs/architecture.md, cli/).
#include <stdexcept>
#include <string>

namespace relabel {

// Process exit codes of the CLI: 0 success, 1 a run failed, 2 usage or input error.
enum ExitCode : int { kExitOk = 0, kExitRunFailure = 1, kExitUsage = 2 };

// Bad input: configuration, dataset, arguments, missing files. The message is one line that
// names the file, key or row. Exit code 2.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
  virtual int exit_code() const { return kExitUsage; }
};

// A run that failed while executing (divergence, simulator failure, I/O failure mid-run).
// Exit code 1.
class RunError : public Error {
 public:
  explicit RunError(const std::string& message) : Error(message) {}
  int exit_code() const override { return kExitRunFailure; }
};

// The message to show for `e`: relabel's own errors as they are (one line by construction);
// any other exception's first line only (LibTorch appends its C++ stack trace to the message).
std::string error_message(const std::exception& e);

}  // namespace relabel
