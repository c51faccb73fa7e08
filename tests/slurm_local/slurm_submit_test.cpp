// `relabel slurm submit` against a real slurmctld/slurmd (slurm/local/start.sh) on the shared
// pendulum suite: an MPI-mode sweep runs every run exactly once; the warning signal
// (scancel --signal=USR2 --batch) makes the ranks checkpoint, the job requeue itself and the
// next start resume with nothing lost or redone (the timeline is printed and written to
// <build>/slurm-preemption-timeline.txt); an array job runs one run per task.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <iostream>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "tests/slurm_local/local_slurm.h"
#include "tests/support/test_support.h"

using namespace relabel::test;
using nlohmann::json;
namespace fs = std::filesystem;
using std::chrono::seconds;

namespace {

// Small networks and batches keep a step cheap; how many steps each test needs is set there.
std::string base_config(int steps, int checkpoint_every) {
  return "seed = 0\n[task]\nname = \"pendulum\"\n[dataset]\nname = \"pendulum-medium-expert\"\n"
         "[reward]\nmethod = \"ground_truth\"\n[policy]\nalgo = \"td3bc\"\nhidden = 64\n"
         "[train]\nsteps = " +
         std::to_string(steps) + "\neval_every = " + std::to_string(steps) +
         "\neval_episodes = 2\nbatch_size = 64\nlog_every = 100\ncheckpoint_every = " +
         std::to_string(checkpoint_every) + "\n";
}

std::string two_seed_spec(const std::string& name) {
  return "name = \"" + name + "\"\nbase = \"base.toml\"\nseeds = [0, 1]\n";
}

std::string read_or_empty(const std::string& path) {
  return fs::exists(path) ? read_file(path) : std::string();
}

std::vector<json> results(const std::string& sweep_dir) {
  std::vector<json> out;
  if (!fs::exists(sweep_dir + "/runs")) return out;
  for (const auto& e : fs::directory_iterator(sweep_dir + "/runs"))
    if (fs::exists(e.path() / "result.json"))
      out.push_back(json::parse(read_file((e.path() / "result.json").string())));
  return out;
}

// The job id `relabel slurm submit` recorded in <dir>/slurm.json (and printed).
std::string submitted_job(const std::string& sweep_dir, const std::string& output) {
  std::smatch m;
  if (!std::regex_search(output, m, std::regex("submitted job ([0-9]+)"))) return "";
  json jobs = json::parse(read_file(sweep_dir + "/slurm.json"));
  EXPECT_EQ(jobs["jobs"].back()["job_id"], m[1].str()) << jobs.dump(1);
  return m[1].str();
}

std::string describe(const std::vector<JobRecord>& records) {
  std::string s;
  for (const auto& r : records) s += r.line + "\n";
  return s.empty() ? "(SLURM does not know the job)\n" : s;
}

// Each wait inside a test (at most two per test) stays well below the ctest TIMEOUT of 600 s
// (tests/CMakeLists.txt), so a stuck job is reported and cancelled by JobGuard rather than
// killed with the test. Under a heavy load these tests take well under a minute each.
constexpr seconds kJobLimit{240};

class SlurmLocal : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string why = start_local_slurm();
    if (why.rfind("skip:", 0) == 0) GTEST_SKIP() << why;
    ASSERT_EQ(why, "");
    const char* data = std::getenv("RELABEL_DATA");
    ASSERT_TRUE(data && fs::exists(std::string(data) + "/pendulum/medium-expert.hdf5"))
        << "RELABEL_DATA must hold the pendulum suite (ctest's fixture.pendulum_suite builds it)";
  }
};

}  // namespace

TEST_F(SlurmLocal, MpiSweepRunsEveryRunExactlyOnce) {
  TempDir dir("slurm-mpi");
  write_file(dir / "base.toml", base_config(200, 0));
  write_file(dir / "spec.toml", two_seed_spec("mpi-two"));
  const std::string out = dir / "out";
  // A job name with a space, quotes and $(...) reaches SLURM literally.
  const std::string name = "relabel test \"mpi\" $(touch PWNED)";
  auto sub = run_relabel("slurm submit " + (dir / "spec.toml") + " --out " + out +
                         " --ntasks-per-node 2 --time 00:15:00 --job-name '" + name + "'");
  ASSERT_EQ(sub.exit_code, 0) << sub.output;
  const std::string id = submitted_job(out, sub.output);
  ASSERT_FALSE(id.empty()) << sub.output;
  JobGuard guard(id);
  EXPECT_EQ(run_command("squeue -h -t all -j " + id + " -o %j").output, name + "\n");

  auto records = wait_for_job(id, kJobLimit);
  const std::string log = read_or_empty(out + "/slurm-" + id + ".out");
  ASSERT_TRUE(all_terminal(records)) << "job did not finish in time\n" << describe(records) << log;
  ASSERT_EQ(records.size(), 1u) << describe(records);
  EXPECT_EQ(records[0].state(), "COMPLETED") << describe(records) << log;
  EXPECT_EQ(records[0].field("ExitCode"), "0:0") << log;
  EXPECT_EQ(records[0].restarts(), 0);
  // srun --mpi=pmix wired the two tasks into one MPI world that farmed the sweep.
  EXPECT_NE(log.find("2 runs on 2 ranks in groups of 1"), std::string::npos) << log;
  EXPECT_FALSE(fs::exists(dir / "PWNED"));
  EXPECT_FALSE(fs::exists(fs::current_path() / "PWNED"));

  auto rs = results(out);
  ASSERT_EQ(rs.size(), 2u) << log;
  for (const auto& r : rs) {
    EXPECT_EQ(r["status"], "done") << r.dump(1);
    ASSERT_EQ(r["attempts"].size(), 1u) << r.dump(1);
    EXPECT_EQ(r["attempts"][0]["start_step"], 0);
    EXPECT_EQ(r["attempts"][0]["end_step"], 200);
  }

  // The sweep's own status, and SLURM's joined with it, agree.
  auto status = run_relabel("status " + out);
  ASSERT_EQ(status.exit_code, 0) << status.output;
  EXPECT_NE(status.output.find("done 2"), std::string::npos) << status.output;
  auto slurm_status = run_relabel("slurm status " + out);
  ASSERT_EQ(slurm_status.exit_code, 0) << slurm_status.output;
  EXPECT_NE(slurm_status.output.find("SLURM jobs of this sweep: " + id), std::string::npos)
      << slurm_status.output;
  EXPECT_TRUE(std::regex_search(slurm_status.output, std::regex(" " + id + " +COMPLETED ")))
      << slurm_status.output;
  EXPECT_NE(slurm_status.output.find(status.output), std::string::npos)
      << "relabel status:\n"
      << status.output << "relabel slurm status:\n"
      << slurm_status.output;
}

TEST_F(SlurmLocal, WarningSignalCheckpointsRequeuesAndResumes) {
  TempDir dir("slurm-preempt");
  // Long enough that the signal, sent at the first checkpoint, lands mid-run even on a fast
  // idle machine; steps are cheap (base_config), so a loaded one still finishes in time.
  const int steps = 12000;
  write_file(dir / "base.toml", base_config(steps, 200));
  write_file(dir / "spec.toml", two_seed_spec("preempt-two"));
  const std::string out = dir / "out";
  Timeline timeline;
  const std::string submitted_at = utc_now_ms();
  auto sub = run_relabel("slurm submit " + (dir / "spec.toml") + " --out " + out +
                         " --ntasks-per-node 2 --time 00:20:00 --max-requeues 2");
  ASSERT_EQ(sub.exit_code, 0) << sub.output;
  const std::string id = submitted_job(out, sub.output);
  ASSERT_FALSE(id.empty()) << sub.output;
  JobGuard guard(id);
  timeline.at(submitted_at, "submitted",
              "relabel slurm submit -> job " + id + " (2 runs x " + std::to_string(steps) +
                  " steps on 2 ranks, --signal=B:USR2)");
  const std::string log_path = out + "/slurm-" + id + ".out";

  // Wait until a run has written a checkpoint: the ranks are training.
  std::string checkpoint;
  const auto deadline = std::chrono::steady_clock::now() + kJobLimit;
  while (checkpoint.empty() && std::chrono::steady_clock::now() < deadline &&
         !all_terminal(show_job(id))) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (!fs::exists(out + "/runs")) continue;
    for (const auto& run : fs::directory_iterator(out + "/runs")) {
      if (!fs::exists(run.path() / "ckpt")) continue;
      for (const auto& f : fs::directory_iterator(run.path() / "ckpt"))
        if (f.path().extension() == ".pt")
          checkpoint = run.path().filename().string() + "/ckpt/" + f.path().filename().string();
    }
  }
  ASSERT_FALSE(checkpoint.empty()) << "no checkpoint appeared\n" << read_or_empty(log_path);
  timeline.now("checkpoint", "first checkpoint seen: runs/" + checkpoint);

  auto sig = run_command("scancel --signal=USR2 --batch " + id);
  ASSERT_EQ(sig.exit_code, 0) << sig.output;
  timeline.now("signalled", "scancel --signal=USR2 --batch " + id);

  bool requeued = false, pending = false, running_again = false;
  auto records = wait_for_job(id, kJobLimit, [&](const std::vector<JobRecord>& rs) {
    if (rs.empty()) return;
    const JobRecord& j = rs.front();
    if (!requeued && j.restarts() >= 1) {
      requeued = true;
      timeline.now("requeued",
                   "scontrol: Restarts=" + std::to_string(j.restarts()) + " JobState=" + j.state());
    }
    if (requeued && !pending && j.state() == "PENDING") {
      pending = true;
      timeline.now("pending", "scontrol: JobState=PENDING Reason=" + j.field("Reason") +
                                  " EligibleTime=" + j.field("EligibleTime"));
    }
    if (requeued && !running_again && j.state() == "RUNNING") {
      running_again = true;
      timeline.now("running again", "scontrol: JobState=RUNNING StartTime=" + j.field("StartTime"));
    }
  });
  const std::string log = read_or_empty(log_path);
  ASSERT_TRUE(all_terminal(records)) << "job did not finish in time\n" << describe(records) << log;
  const JobRecord& job = records.front();
  timeline.now("finished", "scontrol: JobState=" + job.state() +
                               " ExitCode=" + job.field("ExitCode") + " Restarts=" +
                               std::to_string(job.restarts()) + " EndTime=" + job.field("EndTime"));

  // The batch script's own lines (UTC, milliseconds).
  std::istringstream lines(log);
  const std::regex start("relabel: job [0-9]+ \\(restart ([0-9]+)\\) starting at (\\S+)");
  const std::regex exited("relabel: launcher exited with ([0-9]+) at (\\S+)");
  const std::regex requeue("relabel: requeueing \\S+ at (\\S+)");
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (std::regex_search(line, m, start))
      timeline.at(m[2], "batch start", "job output: restart " + m[1].str() + ", srun launches");
    else if (std::regex_search(line, m, exited))
      timeline.at(m[2], "ranks exited", "job output: srun exited with " + m[1].str());
    else if (std::regex_search(line, m, requeue))
      timeline.at(m[1], "scontrol requeue", "job output: the batch script requeues the job");
  }

  EXPECT_EQ(job.state(), "COMPLETED") << describe(records) << log;
  EXPECT_EQ(job.field("ExitCode"), "0:0") << log;
  EXPECT_EQ(job.restarts(), 1) << describe(records);
  EXPECT_TRUE(requeued);
  EXPECT_NE(log.find("(restart 1) starting"), std::string::npos) << log;

  // Every run is done; each run's attempts tile [0, steps): nothing lost, nothing redone. The
  // signal landed mid-run, so at least one run was preempted and resumed from its checkpoint.
  auto rs = results(out);
  ASSERT_EQ(rs.size(), 2u) << log;
  int resumed = 0;
  std::string attempts_text;
  for (const auto& r : rs) {
    EXPECT_EQ(r["status"], "done") << r.dump(1);
    int64_t next = 0;
    std::string text;
    for (const auto& a : r["attempts"]) {
      EXPECT_EQ(a["start_step"].get<int64_t>(), next) << r.dump(1);
      next = a["end_step"].get<int64_t>();
      text += " [" + std::to_string(a["start_step"].get<int64_t>()) + ", " + std::to_string(next) +
              ") " + a.value("status", "?");
    }
    EXPECT_EQ(next, steps) << r.dump(1);
    if (r["attempts"].size() >= 2 && r["attempts"][0]["status"] == "preempted") ++resumed;
    attempts_text += "  run " + r["id"].get<std::string>() + ": attempts" + text + "\n";
  }
  EXPECT_GE(resumed, 1) << attempts_text << log;

  const std::string report =
      timeline.str("SLURM preemption timeline, job " + id + " (local slurmctld/slurmd, " +
                   utc_now_ms().substr(0, 10) + "):") +
      "runs (attempts as [start step, end step) status):\n" + attempts_text;
  std::cout << report << std::flush;
  write_file(std::string(RELABEL_BUILD_DIR) + "/slurm-preemption-timeline.txt", report);
}

TEST_F(SlurmLocal, ArrayModeRunsEachIndexInItsOwnTask) {
  TempDir dir("slurm-array");
  write_file(dir / "base.toml", base_config(200, 0));
  write_file(dir / "spec.toml", two_seed_spec("array-two"));
  const std::string out = dir / "out";
  auto sub = run_relabel("slurm submit " + (dir / "spec.toml") + " --out " + out +
                         " --mode array --array-throttle 2 --time 00:15:00");
  ASSERT_EQ(sub.exit_code, 0) << sub.output;
  const std::string id = submitted_job(out, sub.output);
  ASSERT_FALSE(id.empty()) << sub.output;
  JobGuard guard(id);

  auto records = wait_for_job(id, kJobLimit);
  ASSERT_TRUE(all_terminal(records)) << "array did not finish in time\n" << describe(records);
  ASSERT_EQ(records.size(), 2u) << describe(records);
  json sweep = json::parse(read_file(out + "/sweep.json"));
  ASSERT_EQ(sweep["runs"].size(), 2u);
  std::set<std::string> tasks;
  for (const auto& r : records) {
    const std::string task = r.field("ArrayTaskId");
    tasks.insert(task);
    const std::string log = read_or_empty(out + "/slurm-" + id + "_" + task + ".out");
    EXPECT_EQ(r.state(), "COMPLETED") << r.line << "\n" << log;
    EXPECT_EQ(r.field("ExitCode"), "0:0") << log;
    // Task i ran run i of the expansion, and only it.
    const std::string run_id = sweep["runs"][std::stoi(task)]["id"];
    EXPECT_NE(log.find("run " + run_id + " (1/1) done"), std::string::npos) << log;
    const std::string other = sweep["runs"][1 - std::stoi(task)]["id"];
    EXPECT_EQ(log.find("run " + other), std::string::npos) << log;
  }
  EXPECT_EQ(tasks, (std::set<std::string>{"0", "1"}));

  auto rs = results(out);
  ASSERT_EQ(rs.size(), 2u);
  for (const auto& r : rs) {
    EXPECT_EQ(r["status"], "done") << r.dump(1);
    EXPECT_EQ(r["attempts"].size(), 1u) << r.dump(1);
  }
  auto status = run_relabel("status " + out);
  EXPECT_NE(status.output.find("done 2"), std::string::npos) << status.output;
}
