// Signals to `mpirun -np 2 relabel sweep` itself, as users and SLURM send them: every rank
// checkpoints its run (records `preempted` at a checkpointed step, none left `running`), the
// ranks say "stopped by signal N", and a rerun finishes with nothing redone. SIGUSR2 ends with
// exit 0; on SIGTERM Open MPI's mpirun exits 1 by its own rule whatever the ranks do
// (docs/sweeps.md, "Preemption signals"), which this test pins so a change is noticed.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "tests/run/run_helpers.h"

using namespace relabel::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const int kSteps = 900;

std::string base_config() { return sweep_base_config(kSteps, 150); }

// Starts the sweep under mpirun in the background, waits until a run has a checkpoint, sends
// `signal` to mpirun's own pid and returns mpirun's exit status and output.
CommandResult signal_mpirun(const TempDir& dir, const std::string& name, const char* signal) {
  const std::string log = dir / (name + ".log"), rc = dir / (name + ".rc"),
                    pid = dir / (name + ".pid");
  const std::string cmd = std::string(RELABEL_MPIRUN) +
                          " --allow-run-as-root --oversubscribe -np 2 " + RELABEL_BINARY +
                          " sweep " + (dir / "spec.toml") + " --out " + (dir / "out");
  // $! inside the subshell is mpirun's pid; the subshell must not hold popen's pipe.
  run_command("(" + cmd + " > '" + log + "' 2>&1 & echo $! > '" + pid + "'; wait $!; echo $? > '" +
              rc + "') > /dev/null 2>&1 &");
  bool training = false;
  for (int i = 0; i < 1200 && !training; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (!fs::exists(dir / "out/runs") || !fs::exists(pid)) continue;
    for (const auto& e : fs::directory_iterator(dir / "out/runs"))
      if (fs::exists(e.path() / "ckpt")) {
        auto r = json::parse(read_file((e.path() / "result.json").string()), nullptr, false);
        training = training || (r.is_object() && r.value("status", "") == "running");
      }
  }
  EXPECT_TRUE(training) << read_file(log);
  run_command(std::string("kill -") + signal + " $(cat '" + pid + "')");
  // The status file exists a moment before the shell writes into it: wait for its line.
  auto written = [&] { return fs::exists(rc) && read_file(rc).find('\n') != std::string::npos; };
  for (int i = 0; i < 600 && !written(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CommandResult out;
  out.output = read_file(log);
  if (written()) out.exit_code = std::stoi(read_file(rc));
  return out;
}

// Every run that started is preempted at a checkpointed step or done: none left running.
void expect_checkpointed(const std::string& sweep_dir, const std::string& log) {
  int preempted = 0;
  for (const auto& r : sweep_results(sweep_dir)) {
    EXPECT_NE(r["status"], "running") << r.dump(1) << "\n" << log;
    if (r["status"] != "preempted") continue;
    ++preempted;
    const int64_t step = r["attempts"].back()["end_step"].get<int64_t>();
    EXPECT_TRUE(fs::exists(sweep_dir + "/runs/" + r["id"].get<std::string>() + "/ckpt/step_" +
                           std::to_string(step) + ".pt"))
        << r.dump(1);
  }
  EXPECT_GE(preempted, 1) << log;
}

}  // namespace

TEST(SweepSignal, MpirunSigtermAndSigusr2CheckpointEveryRankThenResume) {
  TempDir dir;
  write_file(dir / "base.toml", base_config());
  write_file(dir / "spec.toml", "name = \"sig\"\nbase = \"base.toml\"\nseeds = [0, 1]\n");

  auto term = signal_mpirun(dir, "term", "TERM");
  EXPECT_EQ(term.exit_code, 1) << "mpirun's own status on SIGTERM\n" << term.output;
  EXPECT_NE(term.output.find("stopped by signal 15: rerun the same command to resume"),
            std::string::npos)
      << term.output;
  expect_checkpointed(dir / "out", term.output);

  auto usr2 = signal_mpirun(dir, "usr2", "USR2");
  EXPECT_EQ(usr2.exit_code, 0) << usr2.output;
  EXPECT_NE(usr2.output.find("stopped by signal 12: rerun the same command to resume"),
            std::string::npos)
      << usr2.output;
  expect_checkpointed(dir / "out", usr2.output);

  auto r = run_relabel_mpi(2, "sweep " + (dir / "spec.toml") + " --out " + (dir / "out"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto rs = sweep_results(dir / "out");
  ASSERT_EQ(rs.size(), 2u);
  for (const auto& x : rs) {
    EXPECT_EQ(x["status"], "done");
    int64_t next = 0;
    for (const auto& a : x["attempts"]) {
      EXPECT_EQ(a["start_step"].get<int64_t>(), next) << x.dump(1);
      next = a["end_step"].get<int64_t>();
    }
    EXPECT_EQ(next, kSteps) << x.dump(1);
  }
}
