// One writer per directory, with real processes on the shared pendulum suite: a second
// `relabel run` on a run directory and a second `relabel sweep` (under mpirun -np 2) on a sweep
// directory are refused with one line naming the holder, exit 2, and change nothing; SLURM
// array tasks (`--index`) share the sweep directory and run in parallel, but never two on the
// same run.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>

#include "tests/run/background.h"
#include "tests/run/run_helpers.h"

using namespace relabel::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// Runs long enough to still hold their lock while the second writer tries.
const std::string kBase = sweep_base_config(200000, 0, 1);

// The holder's lock file names it once it holds the lock.
bool locked(const std::string& dir) {
  const std::string path = dir + "/.relabel.lock";
  return fs::exists(path) && !read_file(path).empty();
}

// The one line of a refusal: "relabel: error: DIR is being written by host:pid (since T); ...".
void expect_refused(const CommandResult& r, const std::string& dir, int holder_pid) {
  EXPECT_EQ(r.exit_code, 2) << r.output;
  const std::string head = "relabel: error: " + dir + " is being written by ";
  const auto at = r.output.find(head);
  ASSERT_NE(at, std::string::npos) << r.output;
  const std::string line = r.output.substr(at, r.output.find('\n', at) - at);
  EXPECT_NE(line.find(":" + std::to_string(holder_pid) + " (since "), std::string::npos) << line;
}

std::vector<std::string> run_dirs(const std::string& sweep_dir) {
  std::vector<std::string> dirs;
  if (fs::is_directory(sweep_dir + "/runs"))
    for (const auto& e : fs::directory_iterator(sweep_dir + "/runs"))
      dirs.push_back(e.path().string());
  return dirs;
}

}  // namespace

TEST(WriterLock, SecondRunOnTheSameDirectoryIsRefused) {
  TempDir dir;
  const std::string run_dir = dir / "run";
  write_file(dir / "cfg.toml", pendulum_config(run_dir, "ground_truth", "td3bc", 200000));
  Background first(dir.path(), "first",
                   "run " + (dir / "cfg.toml") + " --set train.eval_episodes=1");
  ASSERT_TRUE(wait_until([&] { return locked(run_dir); }, 120)) << first.log();
  auto second = run_relabel("run " + (dir / "cfg.toml") + " --set train.eval_episodes=1");
  expect_refused(second, run_dir, first.pid());
  // Under mpirun rank 0 finds the lock taken and every rank stops with the same error.
  auto second_mpi =
      run_relabel_mpi(2, "run " + (dir / "cfg.toml") + " --set train.eval_episodes=1");
  expect_refused(second_mpi, run_dir, first.pid());
  // The holder goes on undisturbed and ends its one attempt (preempted by SIGTERM).
  first.signal(SIGTERM);
  ASSERT_EQ(first.wait(120), 0) << first.log();
  json record = parse_result(run_dir + "/result.json");
  EXPECT_EQ(record["status"], "preempted") << record.dump(1);
  EXPECT_EQ(record["attempts"].size(), 1u) << record.dump(1);
  // Released: the next start takes the lock and resumes.
  EXPECT_EQ(read_file(run_dir + "/.relabel.lock"), "");
}

TEST(WriterLock, SecondSweepUnderMpiIsRefusedOnEveryRank) {
  TempDir dir;
  write_file(dir / "base.toml", kBase);
  write_file(dir / "spec.toml", "name = \"one\"\nbase = \"base.toml\"\nseeds = [0, 1]\n");
  const std::string out = dir / "out";
  Background first(dir.path(), "first", "sweep " + (dir / "spec.toml") + " --out " + out);
  ASSERT_TRUE(wait_until(
      [&] {
        auto runs = run_dirs(out);
        return locked(out) && !runs.empty() && locked(runs.front());
      },
      120))
      << first.log();
  auto second = run_relabel_mpi(2, "sweep " + (dir / "spec.toml") + " --out " + out);
  expect_refused(second, out, first.pid());
  first.signal(SIGTERM);
  ASSERT_EQ(first.wait(120), 0) << first.log();
  // Only the first sweep ran: one run started, once.
  auto runs = run_dirs(out);
  ASSERT_EQ(runs.size(), 1u);
  json record = parse_result(runs.front() + "/result.json");
  EXPECT_EQ(record["status"], "preempted") << record.dump(1);
  EXPECT_EQ(record["attempts"].size(), 1u) << record.dump(1);
}

TEST(WriterLock, ArrayTasksRunInParallelButNeverTwiceOnOneRun) {
  TempDir dir;
  write_file(dir / "base.toml", kBase);
  // Run 0 trains long, run 1 briefly.
  write_file(dir / "spec.toml",
             "name = \"arr\"\nbase = \"base.toml\"\nseeds = [0]\n"
             "[zip]\n\"train.steps\" = [200000, 60]\n\"train.eval_every\" = [200000, 60]\n");
  const std::string out = dir / "out";
  const std::string spec = "sweep " + (dir / "spec.toml") + " --out " + out;
  Background task0(dir.path(), "task0", spec + " --index 0");
  ASSERT_TRUE(wait_until(
      [&] {
        auto runs = run_dirs(out);
        return runs.size() == 1 && locked(runs.front());
      },
      120))
      << task0.log();
  const std::string run0 = run_dirs(out).front();
  EXPECT_FALSE(locked(out));  // array tasks leave the sweep directory unlocked
  // The same task again (a requeued duplicate): its run is refused and the holder's record
  // kept; the task's counts, read from the run directories, show that run still running.
  auto again = run_relabel(spec + " --index 0");
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find(run0 + " is being written by "), std::string::npos) << again.output;
  // Another task runs its own run meanwhile.
  auto task1 = run_relabel(spec + " --index 1");
  ASSERT_EQ(task1.exit_code, 0) << task1.output;
  task0.signal(SIGTERM);
  ASSERT_EQ(task0.wait(120), 0) << task0.log();
  ASSERT_EQ(run_dirs(out).size(), 2u);
  for (const auto& run : run_dirs(out)) {
    json record = parse_result(run + "/result.json");
    EXPECT_EQ(record["status"], run == run0 ? "preempted" : "done") << record.dump(1);
    EXPECT_EQ(record["attempts"].size(), 1u) << record.dump(1);
  }
}
