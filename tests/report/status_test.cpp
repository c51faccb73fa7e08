// `relabel status` on synthetic sweep directories: counts, failures, params, scores, throughput,
// and records it cannot read.
#include "report/status.h"

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "core/error.h"
#include "io/dir_lock.h"
#include "tests/report/synthetic_runs.h"
#include "tests/support/test_support.h"

using namespace relabel::report;
using relabel::test::TempDir;
using relabel::test::write_file;

namespace {

const RunState* find(const SweepStatus& st, const std::string& id) {
  for (const auto& r : st.runs)
    if (r.id == id) return &r;
  return nullptr;
}

}  // namespace

TEST(Status, CountsTheStandardSweep) {
  TempDir dir("status-standard");
  relabel::test::write_standard_sweep(dir.path());
  SweepStatus st = read_sweep_status(dir.path());
  EXPECT_EQ(st.runs.size(), 32u);
  EXPECT_EQ(st.done, 30);
  EXPECT_EQ(st.failed, 1);
  // A directory with only its config.toml and no lock file: nothing relabel started runs there.
  EXPECT_EQ(st.running, 0);
  EXPECT_EQ(st.pending, 1);
  const RunState* failed = find(st, "m1t0s5");
  ASSERT_NE(failed, nullptr);
  EXPECT_EQ(failed->status, "failed");
  EXPECT_EQ(failed->error, "diverged: NaN in critic loss at step 1200");
  EXPECT_FALSE(failed->has_score);
  const RunState* done = find(st, "m0t0s0");
  ASSERT_NE(done, nullptr);
  EXPECT_TRUE(done->has_score);
  EXPECT_EQ(done->final_score, 66.0);
  EXPECT_EQ(done->params, "seed=0");  // from result.json when there is no sweep.json
  EXPECT_EQ(done->started_at, "2024-01-01T00:00:00Z");
  // Every done run finished an hour after the first start: 30 runs per hour.
  EXPECT_DOUBLE_EQ(st.runs_per_hour, 30.0);
  EXPECT_DOUBLE_EQ(st.eta_seconds, 3600.0 / 30.0);  // the one unfinished run
  const std::string text = format_sweep_status(st, true);
  EXPECT_NE(text.find("done 30, running 0, failed 1, preempted 0, interrupted 0, pending 1"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("failed m1t0s5: diverged"), std::string::npos) << text;
  EXPECT_NE(text.find("m0t0s0  done  score 66.0  seed=0"), std::string::npos) << text;
}

TEST(Status, SweepJsonListsPendingRunsAndTheirParams) {
  TempDir dir("status-sweepjson");
  relabel::test::write_standard_sweep(dir.path());
  write_file(dir / "sweep.json", R"({"name": "demo", "runs": [
      {"id": "m0t0s0", "params": {"reward.zeta": "0.8", "seed": 0}},
      {"id": "m1t0s5", "params": {"seed": "5"}},
      {"id": "later", "params": {"seed": "9"}}]})");
  SweepStatus st = read_sweep_status(dir.path());
  EXPECT_EQ(st.name, "demo");
  ASSERT_EQ(st.runs.size(), 3u);
  EXPECT_EQ(st.done, 1);
  EXPECT_EQ(st.failed, 1);
  EXPECT_EQ(st.pending, 1);
  EXPECT_EQ(find(st, "m0t0s0")->params, "reward.zeta=0.8 seed=0");
  EXPECT_EQ(find(st, "later")->status, "pending");
}

TEST(Status, BareFailureRecordIsFailedAndDamagedRecordsAreMalformed) {
  TempDir dir("status-damaged");
  std::filesystem::create_directories(dir / "runs/early");
  write_file(dir / "runs/early/result.json",
             R"({"error": "boom", "finished_at": "2026-01-01T00:00:00Z", "status": "failed"})");
  std::filesystem::create_directories(dir / "runs/torn");
  write_file(dir / "runs/torn/result.json", R"({"status": "do)");
  std::filesystem::create_directories(dir / "runs/nokey");
  write_file(dir / "runs/nokey/result.json", R"({"status": "done", "task": "t"})");
  std::filesystem::create_directories(dir / "runs/preempted");
  write_file(dir / "runs/preempted/result.json",
             R"({"status": "preempted", "task": "t", "method": "m", "params": {"seed": "1"}})");
  SweepStatus st = read_sweep_status(dir.path());
  EXPECT_EQ(find(st, "early")->status, "failed");
  EXPECT_EQ(find(st, "early")->error, "boom");
  // A damaged record is not a running run: it is listed with the reader's message.
  EXPECT_EQ(find(st, "torn")->status, "malformed");
  EXPECT_EQ(find(st, "torn")->error.rfind(dir / "runs/torn/result.json: invalid JSON", 0), 0u)
      << find(st, "torn")->error;
  EXPECT_EQ(find(st, "nokey")->status, "malformed");
  EXPECT_EQ(find(st, "nokey")->error, dir / "runs/nokey/result.json" + ": key 'method' is missing");
  EXPECT_EQ(find(st, "preempted")->status, "preempted");
  EXPECT_EQ(find(st, "preempted")->params, "seed=1");
  EXPECT_EQ(st.failed, 1);
  EXPECT_EQ(st.running, 0);
  EXPECT_EQ(st.malformed, 2);
  EXPECT_EQ(st.preempted, 1);
  EXPECT_LT(st.eta_seconds, 0);  // nothing done: no rate
}

// A record that says running is only believed while a process holds the run's directory lock
// (io/dir_lock.h); the holder here is a child process, since a process's own record locks never
// conflict with it.
// An older sweep.json names its list "expansion": status reads it as the report does (it saw no
// runs, and then named every run folder as one sweep.json does not list).
TEST(Status, OlderExpansionListIsTheSweepsRuns) {
  TempDir dir("status-expansion");
  relabel::test::write_standard_sweep(dir.path());
  write_file(dir / "sweep.json", R"({"name": "old", "expansion": [
      {"id": "m0t0s0", "params": {"seed": 0}}, {"id": "m1t0s5", "params": {"seed": 5}}]})");
  SweepStatus st = read_sweep_status(dir.path());
  ASSERT_EQ(st.runs.size(), 2u);
  EXPECT_EQ(st.done, 1);
  EXPECT_EQ(st.failed, 1);
  EXPECT_EQ(find(st, "m0t0s0")->params, "seed=0");
  EXPECT_EQ(st.unlisted.size(), 29u);  // the standard sweep's other folders with a record
}

TEST(Status, RunningRecordWithoutLiveWriterIsInterrupted) {
  TempDir dir("status-dead");
  const std::string running = R"({"status": "running", "task": "t", "method": "m"})";
  for (const char* id : {"dead", "alive", "old"}) {
    std::filesystem::create_directories(dir / ("runs/" + std::string(id)));
    write_file(dir / ("runs/" + std::string(id) + "/result.json"), running);
  }
  // "dead": its writer was killed (its lock file names it, nobody holds the lock); "old": no
  // lock file at all (a directory from before locking), which proves nothing either way.
  write_file(dir / "runs/dead/.relabel.lock", "node7 4242 2026-01-01T00:00:00Z\n");
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const pid_t child = ::fork();
  if (child == 0) {
    auto lock = relabel::io::DirLock::acquire(dir / "runs/alive", relabel::io::LockWriter::Run);
    char ok = 1;
    if (::write(ready[1], &ok, 1) != 1) ::_exit(3);
    for (;;) ::pause();
  }
  char ok = 0;
  ASSERT_EQ(::read(ready[0], &ok, 1), 1);
  SweepStatus st = read_sweep_status(dir.path());
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  ::close(ready[0]);
  ::close(ready[1]);
  EXPECT_EQ(find(st, "dead")->status, "interrupted");
  EXPECT_EQ(find(st, "alive")->status, "running");
  EXPECT_EQ(find(st, "old")->status, "running");
  EXPECT_EQ(st.interrupted, 1);
  EXPECT_EQ(st.running, 2);
  const std::string text = format_sweep_status(st, false);
  EXPECT_NE(text.find("running 2, failed 0, preempted 0, interrupted 1"), std::string::npos)
      << text;
  // Once the writer of "alive" is gone too, it reads as interrupted.
  EXPECT_EQ(find(read_sweep_status(dir.path()), "alive")->status, "interrupted");
}

TEST(Status, NotASweepDirectoryIsAnInputError) {
  TempDir dir("status-empty");
  try {
    read_sweep_status(dir.path());
    FAIL() << "expected an error";
  } catch (const relabel::Error& e) {
    EXPECT_EQ(std::string(e.what()),
              dir.path() +
                  ": not a sweep directory (no sweep.json and no runs/) nor a run directory (no "
                  "result.json, config.toml or lock file)");
  }
}

TEST(Status, ParsesUtc) {
  EXPECT_EQ(parse_utc("1970-01-01T00:01:00Z"), 60.0);
  EXPECT_EQ(parse_utc("yesterday"), -1.0);
}
