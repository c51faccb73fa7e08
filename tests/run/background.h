#pragma once
// A relabel process started in the background by a test (two writers on one directory, kill -9
// mid-write, a disk that fills up while it runs): its pid, exit code and output.
#include <functional>
#include <string>

namespace relabel::test {

class Background {
 public:
  // Starts `env_and_args` (e.g. "VAR=x run cfg.toml", or "mpirun-free" relabel arguments) as
  // `env VAR=x relabel ...`; files <dir>/<name>.{pid,log,rc} hold its pid, output and exit code.
  Background(const std::string& dir, const std::string& name, const std::string& args,
             const std::string& env = "");
  ~Background();  // SIGKILLs it if still running

  int pid() const;
  bool finished() const;
  // Waits up to `seconds` for it to exit; returns its exit code (-1: still running).
  int wait(double seconds) const;
  void signal(int sig) const;
  std::string log() const;

 private:
  std::string base_;
};

// Polls `ready` every 50 ms for up to `seconds`; returns whether it became true.
bool wait_until(const std::function<bool()>& ready, double seconds);

}  // namespace relabel::test
