// relabel sweep end to end under mpirun -np 2 on the shared pendulum suite: every run exactly
// once, data-parallel groups, a failing run, SIGTERM and restart with nothing redone.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "tests/run/run_helpers.h"

using namespace relabel::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::string base(int steps, int ckpt) { return sweep_base_config(steps, ckpt); }

std::vector<json> results(const std::string& sweep_dir) { return sweep_results(sweep_dir); }

// The attempts of a run tile [0, steps) exactly: nothing redone, nothing lost.
void expect_tiled(const json& r, int steps) {
  int64_t next = 0;
  for (const auto& a : r["attempts"]) {
    EXPECT_EQ(a["start_step"].get<int64_t>(), next) << r.dump(1);
    next = a["end_step"].get<int64_t>();
  }
  EXPECT_EQ(next, steps) << r.dump(1);
}

}  // namespace

TEST(Sweep, TwoRanksRunEachOfSixRunsExactlyOnce) {
  TempDir dir;
  write_file(dir / "base.toml", base(60, 0));
  write_file(dir / "spec.toml",
             "name = \"six\"\nbase = \"base.toml\"\nseeds = [0, 1, 2]\n"
             "[grid]\n\"policy.alpha\" = [2.5, 5.0]\n");
  auto r = run_relabel_mpi(2, "sweep " + (dir / "spec.toml") + " --out " + (dir / "out"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto rs = results(dir / "out");
  ASSERT_EQ(rs.size(), 6u);
  for (const auto& x : rs) {
    EXPECT_EQ(x["status"], "done");
    EXPECT_EQ(x["attempts"].size(), 1u) << x.dump(1);
    EXPECT_EQ(x["ranks"], 1);
    EXPECT_TRUE(x["final_score"].is_number());
    // Each run's log.txt holds its own log, whichever rank group ran it (the second group's
    // leader is world rank 1, whose console shows errors only).
    const std::string log =
        read_file(dir / "out/runs" + "/" + x["id"].get<std::string>() + "/log.txt");
    EXPECT_NE(log.find("run " + x["id"].get<std::string>()), std::string::npos)
        << x["id"] << ": " << log;
    EXPECT_NE(log.find("normalised score"), std::string::npos) << x["id"] << ": " << log;
  }
  json sweep = json::parse(read_file(dir / "out/sweep.json"));
  for (const auto& run : sweep["runs"]) EXPECT_EQ(run["status"], "done");
  // A restart skips every done run.
  r = run_relabel_mpi(2, "sweep " + (dir / "spec.toml") + " --out " + (dir / "out"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const auto& x : results(dir / "out")) EXPECT_EQ(x["attempts"].size(), 1u);
  auto status = run_relabel("status " + (dir / "out"));
  EXPECT_NE(status.output.find("done 6"), std::string::npos) << status.output;
}

TEST(Sweep, GroupsOfTwoRanksRunDataParallel) {
  TempDir dir;
  write_file(dir / "base.toml", base(40, 0));
  write_file(dir / "spec.toml",
             "name = \"pairs\"\nbase = \"base.toml\"\nseeds = [0, 1]\n"
             "[parallel]\nranks_per_run = 2\n");
  // --threads-per-rank (what the sbatch script passes for --cpus-per-task) sets each rank's
  // torch threads without changing the run ids.
  auto r = run_relabel_mpi(
      2, "sweep " + (dir / "spec.toml") + " --out " + (dir / "out") + " --threads-per-rank 2");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto rs = results(dir / "out");
  ASSERT_EQ(rs.size(), 2u);
  for (const auto& x : rs) {
    EXPECT_EQ(x["status"], "done");
    EXPECT_EQ(x["ranks"], 2);
    const std::string log =
        read_file(dir / "out/runs" + "/" + x["id"].get<std::string>() + "/log.txt");
    EXPECT_NE(log.find("2 ranks x 2 threads"), std::string::npos) << log;
  }
  auto dry = run_relabel("sweep " + (dir / "spec.toml") + " --dry-run");
  for (const auto& x : rs)
    EXPECT_NE(dry.output.find(x["id"].get<std::string>()), std::string::npos) << dry.output;
}

TEST(Sweep, BreadthFirstClaimsEveryCellsFirstSeedBeforeAnySecondSeed) {
  TempDir dir;
  write_file(dir / "base.toml", base(20, 0));
  // One group of two ranks claims every run in turn, so the order of its lines is the claim order.
  write_file(dir / "spec.toml",
             "name = \"wide\"\nbase = \"base.toml\"\nseeds = [0, 1]\n"
             "[grid]\n\"policy.alpha\" = [2.5, 5.0]\n[parallel]\nranks_per_run = 2\n");
  const std::string sweep = "sweep " + (dir / "spec.toml") + " --out " + (dir / "out");
  auto dry = run_relabel(sweep + " --dry-run --breadth-first");
  ASSERT_EQ(dry.exit_code, 0) << dry.output;
  std::vector<std::string> ids;  // claim order, from the dry run's listing
  for (const auto& line : split_lines(dry.output))
    if (line.rfind("  ", 0) == 0) ids.push_back(line.substr(2, 12));
  ASSERT_EQ(ids.size(), 4u) << dry.output;
  auto plain = run_relabel(sweep + " --dry-run");
  // Expansion order is alpha-major with seeds inside; breadth first swaps the middle two.
  std::vector<std::string> expansion;
  for (const auto& line : split_lines(plain.output))
    if (line.rfind("  ", 0) == 0) expansion.push_back(line.substr(2, 12));
  ASSERT_EQ(expansion.size(), 4u);
  EXPECT_EQ(ids,
            (std::vector<std::string>{expansion[0], expansion[2], expansion[1], expansion[3]}));

  auto r = run_relabel_mpi(2, sweep + " --breadth-first");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::vector<size_t> at;
  for (size_t i = 0; i < ids.size(); ++i) {
    at.push_back(r.output.find("run " + ids[i] + " (" + std::to_string(i + 1) + "/4) done"));
    ASSERT_NE(at.back(), std::string::npos) << ids[i] << "\n" << r.output;
    if (i > 0) {
      EXPECT_LT(at[i - 1], at[i]) << r.output;
    }
  }
  for (const auto& x : results(dir / "out")) EXPECT_EQ(x["status"], "done");

  // An array task's --index counts in the same order: index 1 is the second cell's first seed.
  const std::string task = "sweep " + (dir / "spec.toml") + " --out " + (dir / "task");
  r = run_relabel_mpi(2, task + " --breadth-first --index 1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("run " + ids[1] + " (1/1) done"), std::string::npos) << r.output;
  auto ran = results(dir / "task");
  ASSERT_EQ(ran.size(), 1u);
  EXPECT_EQ(ran[0]["id"], ids[1]);
  // slurm submit --breadth-first gives array task i the i-th run of that order.
  auto sub = run_relabel("slurm submit " + (dir / "spec.toml") + " --out " + (dir / "array") +
                         " --mode array --breadth-first --dry-run");
  ASSERT_EQ(sub.exit_code, 0) << sub.output;
  EXPECT_NE(sub.output.find(" --breadth-first --index \"$SLURM_ARRAY_TASK_ID\""), std::string::npos)
      << sub.output;
  for (size_t i = 0; i < ids.size(); ++i)
    EXPECT_NE(sub.output.find("[" + std::to_string(i) + "] " + ids[i]), std::string::npos)
        << sub.output;
}

// A run done under another spec with the same config (here the sweep's spec, edited: it gains a
// one-value axis holding the base's value) is skipped, and its result.json takes this sweep's
// swept values, so that the report puts it in this sweep's cell; its scores and attempts stay as
// they were.
TEST(Sweep, ADoneRunTakesTheSweptValuesOfTheSweepThatSkipsIt) {
  TempDir dir;
  write_file(dir / "base.toml", base(20, 0));
  write_file(dir / "a.toml",
             "name = \"a\"\nbase = \"base.toml\"\nseeds = [0]\n[grid]\n\"policy.alpha\" = [5.0]\n");
  write_file(dir / "b.toml",
             "name = \"a\"\nbase = \"base.toml\"\nseeds = [0]\n[grid]\n\"policy.alpha\" = [5.0]\n"
             "\"train.log_every\" = [100]\n");
  const std::string out = dir / "out";
  auto r = run_relabel("sweep " + (dir / "a.toml") + " --out " + out);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto before = results(out);
  ASSERT_EQ(before.size(), 1u);
  EXPECT_EQ(before[0]["params"].size(), 2u) << before[0].dump(1);  // policy.alpha, seed
  r = run_relabel("sweep " + (dir / "b.toml") + " --out " + out);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("skipped"), std::string::npos) << r.output;
  auto after = results(out);
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0]["id"], before[0]["id"]);
  EXPECT_EQ(after[0]["params"]["train.log_every"], 100) << after[0].dump(1);
  EXPECT_EQ(after[0]["params"]["policy.alpha"], 5.0);
  for (const char* kept : {"attempts", "curve", "final_score", "status", "config_hash"})
    EXPECT_EQ(after[0][kept], before[0][kept]) << kept;
  auto report = run_relabel("report " + out + " --out " + (dir / "rep") + " --no-plots");
  ASSERT_EQ(report.exit_code, 0) << report.output;
  const std::string md = read_file(dir / "rep/report.md");
  EXPECT_NE(md.find("log_every"), std::string::npos) << md;
}

// A zip row's placeholder for a key its learner does not read (policy.expectile for TD3+BC) is
// not that run's setting: its result.json leaves the key out and the report shows "–" there,
// while the IQL run records and shows its value.
TEST(Sweep, AZipPlaceholderIsNotRecordedOrReportedAsTheRunsSetting) {
  TempDir dir;
  write_file(dir / "base.toml", base(20, 0));
  write_file(dir / "s.toml",
             "name = \"s\"\nbase = \"base.toml\"\nseeds = [0]\n[zip]\n"
             "\"policy.algo\" = [\"td3bc\", \"iql\"]\n\"policy.expectile\" = [0.7, 0.8]\n");
  const std::string out = dir / "out";
  auto r = run_relabel("sweep " + (dir / "s.toml") + " --out " + out);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto runs = results(out);
  ASSERT_EQ(runs.size(), 2u);
  for (const auto& run : runs) {
    const bool iql = run["params"]["policy.algo"] == "iql";
    EXPECT_EQ(run["params"].contains("policy.expectile"), iql) << run.dump(1);
    if (iql) {
      EXPECT_EQ(run["params"]["policy.expectile"], 0.8) << run.dump(1);
    }
  }
  auto report = run_relabel("report " + out + " --out " + (dir / "rep") + " --no-plots");
  ASSERT_EQ(report.exit_code, 0) << report.output;
  const std::string md = read_file(dir / "rep/report.md");
  EXPECT_NE(md.find("| ground_truth+td3bc | – |"), std::string::npos) << md;
  EXPECT_NE(md.find("| ground_truth+iql | 0.8 |"), std::string::npos) << md;
  EXPECT_EQ(md.find("0.7"), std::string::npos) << md;
}

TEST(Sweep, FailingRunIsRecordedAndOthersFinish) {
  TempDir dir;
  // An expert file whose observation dims differ from pendulum's: ReLOAD runs using it fail.
  auto py = run_command(
      "/usr/bin/python3 -c \"import h5py,numpy as np\n"
      "f=h5py.File('" +
      (dir / "bad_expert.hdf5") +
      "','w')\n"
      "n=100\n"
      "f['observations']=np.random.randn(n,11).astype('f4')\n"
      "f['next_observations']=np.random.randn(n,11).astype('f4')\n"
      "f['actions']=np.random.randn(n,1).astype('f4')\n"
      "f['rewards']=np.random.randn(n).astype('f4')\n"
      "f['terminals']=np.zeros(n,bool)\n"
      "f['timeouts']=(np.arange(n)%50==49)\n\"");
  ASSERT_EQ(py.exit_code, 0) << py.output;
  write_file(dir / "base.toml", base(40, 0));
  write_file(dir / "spec.toml",
             "name = \"fail\"\nbase = \"base.toml\"\nseeds = [0]\n[zip]\n"
             "\"reward.method\" = [\"ground_truth\", \"reload\", \"ground_truth\"]\n"
             "\"policy.algo\" = [\"td3bc\", \"iql\", \"iql\"]\n"
             "\"dataset.expert_path\" = [\"\", \"" +
                 (dir / "bad_expert.hdf5") + "\", \"\"]\n");
  auto r = run_relabel_mpi(2, "sweep " + (dir / "spec.toml") + " --out " + (dir / "out"));
  EXPECT_EQ(r.exit_code, 1) << r.output;  // a run failed
  int done = 0, failed = 0;
  for (const auto& x : results(dir / "out")) {
    if (x["status"] == "done") ++done;
    if (x["status"] == "failed") {
      ++failed;
      EXPECT_NE(x.value("error", "").find("bad_expert.hdf5"), std::string::npos) << x.dump(1);
      // The failed attempt says so, and where it stopped (while loading: step 0).
      ASSERT_EQ(x["attempts"].size(), 1u) << x.dump(1);
      EXPECT_EQ(x["attempts"][0]["status"], "failed") << x.dump(1);
      EXPECT_EQ(x["attempts"][0]["end_step"], 0) << x.dump(1);
    }
  }
  EXPECT_EQ(done, 2);
  EXPECT_EQ(failed, 1);
  auto status = run_relabel("status " + (dir / "out"));
  EXPECT_NE(status.output.find("failed 1"), std::string::npos) << status.output;
  EXPECT_NE(status.output.find("bad_expert.hdf5"), std::string::npos) << status.output;
}

// A run that fails before its attempt begins (its config.toml cannot be written) is recorded
// failed too: the sweep exits 1 and counts it failed, not pending.
TEST(Sweep, AFailureBeforeTheFirstRecordIsAFailedRun) {
  TempDir dir;
  write_file(dir / "base.toml", base(20, 0));
  write_file(dir / "spec.toml", "name = \"early\"\nbase = \"base.toml\"\nseeds = [0, 1]\n");
  const std::string sweep = "sweep " + (dir / "spec.toml") + " --out " + (dir / "out");
  auto first = run_relabel(sweep + " --index 0");
  ASSERT_EQ(first.exit_code, 0) << first.output;
  std::string other;
  const json listed = json::parse(read_file(dir / "out/sweep.json"));
  for (const auto& run : listed["runs"])
    if (run["status"] != "done") other = run["id"];
  ASSERT_FALSE(other.empty());
  fs::create_directories(dir / ("out/runs/" + other + "/config.toml"));
  auto r = run_relabel(sweep);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("sweep early: 1 done, 1 failed, 0 preempted, 0 pending (of 2)"),
            std::string::npos)
      << r.output;
  const json record = parse_result(dir / ("out/runs/" + other + "/result.json"));
  EXPECT_EQ(record["status"], "failed");
  EXPECT_NE(record.value("error", "").find("config.toml"), std::string::npos) << record.dump(1);
  auto status = run_relabel("status " + (dir / "out"));
  EXPECT_NE(status.output.find("done 1, running 0, failed 1"), std::string::npos) << status.output;
}

TEST(Sweep, SigtermThenRestartFinishesEveryRunWithNothingRedone) {
  TempDir dir;
  const int steps = 1500;
  write_file(dir / "base.toml", base(steps, 300));
  write_file(dir / "spec.toml", "name = \"term\"\nbase = \"base.toml\"\nseeds = [0, 1, 2, 3]\n");
  const std::string cmd = std::string(RELABEL_MPIRUN) +
                          " --allow-run-as-root --oversubscribe -np 2 " + RELABEL_BINARY +
                          " sweep " + (dir / "spec.toml") + " --out " + (dir / "out");
  // The background subshell must not hold popen's pipe, or run_command waits for the sweep.
  run_command("(" + cmd + " > '" + (dir / "first.log") + "' 2>&1; echo $? > '" +
              (dir / "first.rc") + "') > /dev/null 2>&1 & echo $! > '" + (dir / "pid") + "'");
  // Wait until both groups are training (a checkpoint exists), then SIGTERM the launcher.
  bool training = false;
  for (int i = 0; i < 1200 && !training; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (!fs::exists(dir / "out/runs")) continue;
    for (const auto& e : fs::directory_iterator(dir / "out/runs"))
      if (fs::exists(e.path() / "ckpt")) training = true;
  }
  ASSERT_TRUE(training) << read_file(dir / "first.log");
  // SIGTERM to every rank, as SLURM's preemption does (the ranks' command lines start with the
  // binary; mpirun's does not).
  run_command("pkill -TERM -f '^" + std::string(RELABEL_BINARY) + " sweep " + (dir / "spec.toml") +
              "'");
  for (int i = 0; i < 600 && !fs::exists(dir / "first.rc"); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ASSERT_TRUE(fs::exists(dir / "first.rc"));
  EXPECT_EQ(read_file(dir / "first.rc"), "0\n") << read_file(dir / "first.log");
  int preempted = 0;
  for (const auto& x : results(dir / "out")) preempted += x["status"] == "preempted";
  EXPECT_GE(preempted, 1) << read_file(dir / "first.log");
  // They evaluate only at the end: preempted, they have no score to print (was "score 0.0").
  const std::string log = read_file(dir / "first.log");
  EXPECT_NE(log.find(") preempted, not evaluated yet\n"), std::string::npos) << log;
  EXPECT_EQ(log.find("preempted, score"), std::string::npos) << log;

  auto r = run_relabel_mpi(2, "sweep " + (dir / "spec.toml") + " --out " + (dir / "out"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto rs = results(dir / "out");
  ASSERT_EQ(rs.size(), 4u);
  for (const auto& x : rs) {
    EXPECT_EQ(x["status"], "done");
    expect_tiled(x, steps);
  }
}
