// `relabel status` on damaged sweep directories: a malformed sweep.json or result.json is named
// in one line and the exit code is 2 (not a raw JSON exception, not a run shown as running).
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "io/dir_lock.h"
#include "tests/report/synthetic_runs.h"
#include "tests/support/test_support.h"

using relabel::test::run_relabel;
using relabel::test::TempDir;
using relabel::test::write_file;

namespace {

std::string last_line(const std::string& text) {
  std::string t = text;
  if (!t.empty() && t.back() == '\n') t.pop_back();
  return t.substr(t.rfind('\n') + 1);
}

}  // namespace

TEST(StatusCli, MalformedSweepJsonIsNamed) {
  TempDir dir;
  write_file(dir / "sweep.json", R"({"name": "s", "runs": 3})");
  auto r = run_relabel("status " + dir.path());
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_EQ(r.output.rfind("relabel: error: " + (dir / "sweep.json") + ": ", 0), 0u) << r.output;
  EXPECT_EQ(r.output.find('\n'), r.output.size() - 1) << r.output;  // one line

  write_file(dir / "sweep.json", R"({"name": "s", "runs": [)");
  r = run_relabel("status " + dir.path());
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_EQ(r.output, "relabel: error: " + (dir / "sweep.json") + ": not valid JSON\n");

  write_file(dir / "sweep.json", R"([1, 2])");
  r = run_relabel("status " + dir.path());
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_EQ(r.output, "relabel: error: " + (dir / "sweep.json") + ": must be a JSON object\n");
}

TEST(StatusCli, MalformedResultJsonIsListedAndNamed) {
  TempDir dir;
  write_file(dir / "sweep.json",
             R"({"name": "s", "runs": [{"id": "a", "params": {}}, {"id": "b", "params": {}}]})");
  std::filesystem::create_directories(dir / "runs/a");
  write_file(dir / "runs/a/result.json", "{\"status\": \"do");
  auto r = run_relabel("status " + dir.path());
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("running 0, failed 0, preempted 0, interrupted 0, pending 1"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("  malformed a: " + (dir / "runs/a/result.json") + ": invalid JSON"),
            std::string::npos)
      << r.output;
  EXPECT_EQ(last_line(r.output).rfind(
                "relabel: error: " + (dir / "runs/a/result.json") + ": invalid JSON", 0),
            0u)
      << r.output;
}

// A result.json that is no readable file (a symbolic link loop, a directory) is a malformed
// record like one that does not parse: listed, named in the last line, exit 2 (it was an
// uncaught filesystem error, exit 1). A sweep.json that is a loop is a one-line error.
TEST(StatusCli, ResultJsonThatIsNotAReadableFileIsMalformed) {
  TempDir dir;
  write_file(dir / "sweep.json",
             R"({"name": "s", "runs": [{"id": "a", "params": {}}, {"id": "b", "params": {}}]})");
  std::filesystem::create_directories(dir / "runs/a");
  std::filesystem::create_symlink("result.json", dir / "runs/a/result.json");
  std::filesystem::create_directories(dir / "runs/b/result.json");
  auto r = run_relabel("status " + dir.path());
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("  malformed 2\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("  malformed a: " + (dir / "runs/a/result.json") +
                          ": cannot read: Too many levels of symbolic links\n"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("  malformed b: " + (dir / "runs/b/result.json") + ": is a directory\n"),
            std::string::npos)
      << r.output;
  EXPECT_EQ(last_line(r.output),
            "relabel: error: " + (dir / "runs/a/result.json") +
                ": cannot read: Too many levels of symbolic links (and 1 more malformed records)");

  std::filesystem::remove(dir / "sweep.json");
  std::filesystem::create_symlink("sweep.json", dir / "sweep.json");
  r = run_relabel("status " + dir.path());
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_EQ(r.output, "relabel: error: " + (dir / "sweep.json") +
                          ": cannot read: Too many levels of symbolic links\n");
}

// `relabel status RUN_DIR` on one run's directory (it refused any directory without sweep.json
// or runs/): the run's state as status classifies a sweep's runs, its step out of its total (the
// newest progress record of metrics.jsonl), its last evaluation and, when done, its final score.
TEST(StatusCli, OneRunDirectoryShowsItsStateStepAndScores) {
  TempDir dir("status-run");
  relabel::test::write_run(dir.path(), relabel::test::pendulum_run("d", 0, 42.0));
  const std::string done = dir / "runs/d";
  write_file(done + "/metrics.jsonl",
             "{\"type\":\"train\",\"step\":4000,\"q_loss\":1.0}\n"
             "{\"type\":\"progress\",\"step\":5000,\"total\":5000,\"score\":42.0}\n"
             "{\"type\":\"train\",\"step\":5000,\"q_loss\":0.5}\n{\"type\":\"pro");
  auto r = run_relabel("status " + done);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, "run d (" + done +
                          "): done\n  step 5000 / 5000 (100%)\n  last evaluation: score 42.0 "
                          "at step 5000\n  final score 42.0\n  params: seed=0\n");

  // A running record: running while a process holds the directory's lock, interrupted once
  // nobody does; the step is the newest progress record's, the score the curve's last.
  const std::string live = dir / "runs/live";
  std::filesystem::create_directories(live);
  write_file(live + "/result.json",
             R"({"status": "running", "task": "pendulum", "method": "m", "attempts": [
                   {"started_at": "2026-01-01T00:00:00Z", "start_step": 0, "ranks": 1}],
                 "curve": [{"step": 1000, "return": -900.0, "score": 30.5},
                           {"step": 2000, "return": -800.0, "score": 37.25}]})");
  write_file(live + "/metrics.jsonl",
             "{\"type\":\"progress\",\"step\":2400,\"total\":8000}\n"
             "{\"type\":\"progress\",\"step\":2600,\"total\":8000}\n");
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const pid_t child = ::fork();
  if (child == 0) {
    auto lock = relabel::io::DirLock::acquire(live, relabel::io::LockWriter::Run);
    char ok = 1;
    if (::write(ready[1], &ok, 1) != 1) ::_exit(3);
    for (;;) ::pause();
  }
  char ok = 0;
  ASSERT_EQ(::read(ready[0], &ok, 1), 1);
  r = run_relabel("status " + live);
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  ::close(ready[0]);
  ::close(ready[1]);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  const std::string progress =
      "\n  step 2600 / 8000 (32%)\n  last evaluation: score 37.2 at step 2000\n";
  EXPECT_EQ(r.output, "run live (" + live + "): running" + progress);
  r = run_relabel("status " + live);
  EXPECT_EQ(r.output, "run live (" + live + "): interrupted" + progress);

  // A run that failed before its first attempt: its error, no step, no evaluation.
  const std::string failed = dir / "runs/f";
  std::filesystem::create_directories(failed);
  write_file(failed + "/result.json",
             R"({"status": "failed", "error": "boom", "finished_at": "2026-12-07T00:00:00Z"})");
  r = run_relabel("status " + failed);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, "run f (" + failed + "): failed\n  no evaluation yet\n  failed: boom\n");

  // Only its config.toml: pending.
  const std::string pending = dir / "runs/p";
  std::filesystem::create_directories(pending);
  write_file(pending + "/config.toml", "seed = 0\n");
  r = run_relabel("status " + pending);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, "run p (" + pending + "): pending\n  no evaluation yet\n");

  // A malformed record: shown, then named in the last line, exit 2 (as for a sweep's runs).
  write_file(failed + "/result.json", "{\"status\": ");
  r = run_relabel("status " + failed);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_EQ(last_line(r.output).rfind("relabel: error: " + failed + "/result.json: ", 0), 0u)
      << r.output;

  // The sweep around them is still a sweep.
  r = run_relabel("status " + dir.path());
  EXPECT_NE(r.output.find("sweep " + dir.path() + " (" + dir.path() + "): 4 runs"),
            std::string::npos)
      << r.output;
}

// A sweep locks its directory before it writes sweep.json, as a run does before it writes
// anything: a sweep directory with only its lock file was shown as one run ("run NAME:
// interrupted"). The lock file's line names its writer (docs/formats.md, "Directory lock"); a
// sweep's lock is a sweep that has not written its sweep.json, one line, exit 2.
TEST(StatusCli, ASweepsLockWithoutSweepJsonIsNotARun) {
  TempDir dir("status-sweep-lock");
  // Its sweep was killed before it wrote sweep.json: the line stays, nobody holds the lock.
  write_file(dir / ".relabel.lock", "node7 4242 2026-01-01T00:00:00Z sweep\n");
  auto r = run_relabel("status " + dir.path());
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_EQ(r.output,
            "relabel: error: " + dir.path() +
                ": no sweep.json: the sweep that started here (node7:4242, since "
                "2026-01-01T00:00:00Z) stopped before it wrote it; run the sweep again\n");
  r = run_relabel("status " + dir.path() + " --runs");
  EXPECT_EQ(r.exit_code, 2) << r.output;

  // Its sweep is starting: it holds the lock.
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const pid_t child = ::fork();
  if (child == 0) {
    auto lock = relabel::io::DirLock::acquire(dir.path(), relabel::io::LockWriter::Sweep);
    char ok = 1;
    if (::write(ready[1], &ok, 1) != 1) ::_exit(3);
    for (;;) ::pause();
  }
  char ok = 0;
  ASSERT_EQ(::read(ready[0], &ok, 1), 1);
  r = run_relabel("status " + dir.path());
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  ::close(ready[0]);
  ::close(ready[1]);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_EQ(
      r.output.rfind(
          "relabel: error: " + dir.path() + ": no sweep.json yet: the sweep starting here (", 0),
      0u)
      << r.output;
  EXPECT_NE(r.output.find(":" + std::to_string(child) + ", since "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(") has not written it; try again in a moment\n"), std::string::npos)
      << r.output;
  EXPECT_EQ(r.output.find('\n'), r.output.size() - 1) << r.output;

  // A dataset suite's lock is not a run's either.
  write_file(dir / ".relabel.lock", "node7 4242 2026-01-01T00:00:00Z datagen\n");
  r = run_relabel("status " + dir.path());
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_EQ(r.output, "relabel: error: " + dir.path() +
                          ": written by relabel datagen (its lock file says so), not a sweep "
                          "directory (no sweep.json and no runs/) nor a run directory\n");

  // A run's lock (its line says so, or is from before lines named their writer) is still a run
  // that was interrupted before it wrote anything.
  for (const char* line :
       {"node7 4242 2026-01-01T00:00:00Z run\n", "node7 4242 2026-01-01T00:00:00Z\n", ""}) {
    write_file(dir / ".relabel.lock", line);
    r = run_relabel("status " + dir.path());
    EXPECT_EQ(r.exit_code, 0) << line << r.output;
    EXPECT_EQ(r.output.rfind("run ", 0), 0u) << line << r.output;
    EXPECT_NE(r.output.find(" (" + dir.path() + "): interrupted\n  no evaluation yet\n"),
              std::string::npos)
        << line << r.output;
  }
}

// `--runs` lists a sweep's runs: given one run's directory it was silently ignored. It is an
// input error now, before anything is printed.
TEST(StatusCli, RunsOptionOnOneRunsDirectoryIsAnInputError) {
  TempDir dir("status-run-list");
  relabel::test::write_run(dir.path(), relabel::test::pendulum_run("d", 0, 42.0));
  const std::string run = dir / "runs/d";
  auto r = run_relabel("status " + run + " --runs");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_EQ(r.output, "relabel: error: " + run +
                          ": one run's directory, not a sweep's; --runs lists a sweep's runs\n");
  // Without it the run is shown; the sweep around it lists its runs.
  r = run_relabel("status " + run);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output.rfind("run d (" + run + "): done\n", 0), 0u) << r.output;
  r = run_relabel("status " + dir.path() + " --runs");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("\n  d  done  score 42.0  seed=0\n"), std::string::npos) << r.output;
}
