// Failure paths leave true records, with real processes on the shared pendulum suite: a disk
// that fills up mid-run (a small tmpfs), kill -9 in the middle of a checkpoint write, and a
// corrupt newest checkpoint. Each test asserts what is on disk afterwards.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mount.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "report/traces.h"
#include "tests/run/background.h"
#include "tests/run/run_helpers.h"

using namespace relabel::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// A tmpfs of `megabytes` mounted on `dir` for the test's lifetime (needs CAP_SYS_ADMIN).
class SmallDisk {
 public:
  SmallDisk(const std::string& dir, int megabytes) : dir_(dir) {
    fs::create_directories(dir);
    const std::string size = "size=" + std::to_string(megabytes) + "m";
    mounted_ = ::mount("tmpfs", dir.c_str(), "tmpfs", 0, size.c_str()) == 0;
  }
  ~SmallDisk() {
    if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }

 private:
  std::string dir_;
  bool mounted_ = false;
};

std::vector<std::string> temporaries(const std::string& dir) {
  std::vector<std::string> found;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.path().filename().string().find(".tmp-") != std::string::npos)
      found.push_back(e.path().string());
  return found;
}

}  // namespace

// (a) The disk fills up while the run trains: the next write fails with ENOSPC, and the run
// still records "failed" with the reason, because it frees its space reserve first. (e) The
// failed attempt records its status and end step.
TEST(FailureRecords, DiskFullMidRunIsRecordedAsFailed) {
  TempDir dir;
  SmallDisk disk(dir / "disk", 16);
  if (!disk.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here (needs root): " << dir.path();
  const std::string run_dir = dir / "disk/run";
  write_file(dir / "cfg.toml", pendulum_config(run_dir, "ground_truth", "td3bc", 200000));
  // result.json is rewritten after every evaluation (every 20 steps here).
  Background run(
      dir.path(), "run",
      "run " + (dir / "cfg.toml") + " --set train.eval_every=20 --set train.eval_episodes=1");
  ASSERT_TRUE(wait_until(
      [&] {
        return fs::exists(run_dir + "/result.json") &&
               !parse_result(run_dir + "/result.json")["curve"].empty();
      },
      120))
      << run.log();
  // Fill the disk (dd stops at ENOSPC).
  run_command("dd if=/dev/zero of=" + (dir / "disk/filler") + " bs=64k");
  ASSERT_EQ(run.wait(120), 1) << run.log();
  json record = parse_result(run_dir + "/result.json");
  EXPECT_EQ(record["status"], "failed") << record.dump(1);
  EXPECT_NE(record.value("error", "").find("No space left on device"), std::string::npos)
      << record.dump(1);
  ASSERT_EQ(record["attempts"].size(), 1u) << record.dump(1);
  const json& attempt = record["attempts"][0];
  EXPECT_EQ(attempt["status"], "failed");
  ASSERT_TRUE(attempt.contains("end_step")) << record.dump(1);
  EXPECT_GE(attempt["end_step"].get<int64_t>(), 20);
  EXPECT_NE(run.log().find("No space left on device"), std::string::npos) << run.log();
}

// (c) kill -9 while a checkpoint is being written leaves a temporary behind; (b) `relabel
// status` shows the dead run as interrupted, not running; the next start removes the
// temporary, marks the killed attempt interrupted and finishes the run.
TEST(FailureRecords, KillDuringCheckpointWriteIsCleanedUpOnRestart) {
  TempDir dir;
  const std::string sweep_dir = dir / "out";
  const std::string run_dir = sweep_dir + "/runs/r1";
  const std::string cfg = pendulum_config(run_dir, "ground_truth", "td3bc", 300);
  write_file(dir / "cfg.toml", cfg);
  const std::string args =
      "run " + (dir / "cfg.toml") + " --set train.checkpoint_every=100 --set train.eval_every=100";
  {
    // The test hook holds the checkpoint write between its complete temporary and the rename.
    Background run(dir.path(), "killed", args, "RELABEL_TEST_STALL_BEFORE_RENAME=ckpt/step_");
    ASSERT_TRUE(wait_until(
        [&] { return fs::exists(run_dir + "/ckpt") && !temporaries(run_dir + "/ckpt").empty(); },
        120))
        << run.log();
    run.signal(SIGKILL);
    EXPECT_EQ(run.wait(30), 128 + SIGKILL) << run.log();
  }
  ASSERT_EQ(temporaries(run_dir).size(), 1u);
  EXPECT_EQ(parse_result(run_dir + "/result.json")["status"], "running");
  auto status = run_relabel("status " + sweep_dir + " --runs");
  EXPECT_EQ(status.exit_code, 0) << status.output;
  EXPECT_NE(status.output.find("running 0, failed 0, preempted 0, interrupted 1"),
            std::string::npos)
      << status.output;
  EXPECT_NE(status.output.find("r1  interrupted"), std::string::npos) << status.output;

  auto rerun = run_relabel(args);
  ASSERT_EQ(rerun.exit_code, 0) << rerun.output;
  EXPECT_TRUE(temporaries(run_dir).empty());
  json record = parse_result(run_dir + "/result.json");
  EXPECT_EQ(record["status"], "done");
  ASSERT_EQ(record["attempts"].size(), 2u) << record.dump(1);
  // The killed attempt got to step 100 (its last record), but no checkpoint was complete: the
  // next attempt started again from 0.
  EXPECT_EQ(record["attempts"][0]["status"], "interrupted");
  EXPECT_EQ(record["attempts"][0]["end_step"], 100);
  EXPECT_EQ(record["attempts"][1]["start_step"], 0);
  EXPECT_EQ(record["attempts"][1]["status"], "done");
  EXPECT_EQ(record["attempts"][1]["end_step"], 300);
  status = run_relabel("status " + sweep_dir);
  EXPECT_NE(status.output.find("done 1, running 0"), std::string::npos) << status.output;
}

// kill -9 once a checkpoint is written: the training records up to it are on disk (they are
// flushed before it), so the resumed run's records have no hole; the steps the killed attempt
// logged after it are logged again, and the trace the report draws keeps the later ones.
TEST(FailureRecords, KillAfterACheckpointLeavesNoHoleInTheTraces) {
  TempDir dir;
  const std::string run_dir = dir / "run";
  write_file(dir / "cfg.toml", pendulum_config(run_dir, "ground_truth", "td3bc", 400));
  const std::string args = "run " + (dir / "cfg.toml") +
                           " --set train.checkpoint_every=100 --set train.eval_every=100"
                           " --set train.log_every=50";
  {
    // Held before step 300's checkpoint lands: 100 and 200 are complete.
    Background run(dir.path(), "killed", args, "RELABEL_TEST_STALL_BEFORE_RENAME=ckpt/step_300");
    // (Step 100's and 200's temporaries pass by too: wait for 300's.)
    ASSERT_TRUE(wait_until(
        [&] {
          if (!fs::exists(run_dir + "/ckpt")) return false;
          for (const std::string& t : temporaries(run_dir + "/ckpt"))
            if (t.find("step_300") != std::string::npos) return true;
          return false;
        },
        120))
        << run.log();
    run.signal(SIGKILL);
    EXPECT_EQ(run.wait(30), 128 + SIGKILL) << run.log();
  }
  ASSERT_TRUE(fs::exists(run_dir + "/ckpt/step_200.pt"));
  std::set<int64_t> logged;
  for (const std::string& line : split_lines(read_file(run_dir + "/metrics.jsonl"))) {
    if (line.empty()) continue;
    const json j = json::parse(line);
    if (j.value("type", "") == "train") logged.insert(j["step"].get<int64_t>());
  }
  for (int64_t step = 50; step <= 300; step += 50) EXPECT_EQ(logged.count(step), 1u) << step;
  // As if the kill had torn a record: the next attempt cuts the fragment off rather than
  // appending its first record to it.
  {
    std::ofstream torn(run_dir + "/metrics.jsonl", std::ios::app);
    torn << "{\"critic_loss\":1.5,\"st";
  }
  auto rerun = run_relabel(args);
  ASSERT_EQ(rerun.exit_code, 0) << rerun.output;
  EXPECT_NE(rerun.output.find("metrics.jsonl: dropped a partial last record (22 bytes)"),
            std::string::npos)
      << rerun.output;
  for (const std::string& line : split_lines(read_file(run_dir + "/metrics.jsonl")))
    if (!line.empty()) {
      EXPECT_NO_THROW(json::parse(line)) << line;
    }
  ASSERT_EQ(parse_result(run_dir + "/result.json")["attempts"][1]["start_step"], 200);
  const auto trace = relabel::report::read_trace(run_dir, {"critic_loss"}).at("critic_loss");
  std::vector<double> steps;
  for (const auto& [step, value] : trace) steps.push_back(step);
  EXPECT_EQ(steps, (std::vector<double>{1, 50, 100, 150, 200, 250, 300, 350, 400}));
}

// (d) The newest of the two kept checkpoints is corrupt: the run warns, sets it aside and
// resumes from the one before.
TEST(FailureRecords, CorruptNewestCheckpointFallsBackToThePreviousOne) {
  TempDir dir;
  const std::string run_dir = dir / "run";
  write_file(dir / "cfg.toml", pendulum_config(run_dir, "ground_truth", "td3bc", 300));
  const std::string args =
      "run " + (dir / "cfg.toml") + " --set train.checkpoint_every=100 --set train.eval_every=100";
  auto first = run_relabel(args + " --stop-at 250");
  ASSERT_EQ(first.exit_code, 0) << first.output;
  ASSERT_TRUE(fs::exists(run_dir + "/ckpt/step_200.pt"));
  ASSERT_TRUE(fs::exists(run_dir + "/ckpt/step_250.pt"));
  fs::resize_file(run_dir + "/ckpt/step_250.pt", 100);  // a torn copy

  auto second = run_relabel(args);
  ASSERT_EQ(second.exit_code, 0) << second.output;
  EXPECT_NE(second.output.find("checkpoint " + run_dir + "/ckpt/step_250.pt is unreadable"),
            std::string::npos)
      << second.output;
  EXPECT_TRUE(fs::exists(run_dir + "/ckpt/step_250.pt.corrupt"));
  json record = parse_result(run_dir + "/result.json");
  EXPECT_EQ(record["status"], "done");
  ASSERT_EQ(record["attempts"].size(), 2u) << record.dump(1);
  EXPECT_EQ(record["attempts"][0]["end_step"], 250);
  EXPECT_EQ(record["attempts"][1]["start_step"], 200);  // steps 200..250 redone, truthfully
  EXPECT_EQ(record["attempts"][1]["end_step"], 300);
}
