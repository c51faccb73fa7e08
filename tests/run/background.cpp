#include "tests/run/background.h"

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "tests/support/test_support.h"

namespace relabel::test {

bool wait_until(const std::function<bool()>& ready, double seconds) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (!ready()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

Background::Background(const std::string& dir, const std::string& name, const std::string& args,
                       const std::string& env)
    : base_(dir + "/" + name) {
  // `exec` makes the pid written the relabel process itself (kill -9 must hit the writer); the
  // outer subshell records the exit code and must not hold popen's pipe.
  run_command("(sh -c 'echo $$ > " + base_ + ".pid; exec env " + env + " " + RELABEL_BINARY + " " +
              args + "' > " + base_ + ".log 2>&1; echo $? > " + base_ + ".rc) > /dev/null 2>&1 &");
  wait_until([&] { return std::filesystem::exists(base_ + ".pid"); }, 10);
}

Background::~Background() {
  if (!finished()) {
    signal(SIGKILL);
    wait(10);
  }
}

int Background::pid() const {
  try {
    return std::stoi(read_file(base_ + ".pid"));
  } catch (...) {
    return -1;
  }
}

bool Background::finished() const { return std::filesystem::exists(base_ + ".rc"); }

int Background::wait(double seconds) const {
  if (!wait_until([&] { return finished() && !read_file(base_ + ".rc").empty(); }, seconds))
    return -1;
  return std::stoi(read_file(base_ + ".rc"));
}

void Background::signal(int sig) const {
  if (pid() > 0) ::kill(pid(), sig);
}

std::string Background::log() const {
  return std::filesystem::exists(base_ + ".log") ? read_file(base_ + ".log") : "";
}

}  // namespace relabel::test
