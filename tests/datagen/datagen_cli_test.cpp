#include <gtest/gtest.h>
#include <signal.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "datagen/datagen.h"
#include "io/d4rl_file.h"
#include "io/dir_lock.h"
#include "io/episodes.h"
#include "tests/support/test_support.h"

namespace fs = std::filesystem;
using relabel::test::read_file;
using relabel::test::run_relabel;
using relabel::test::run_relabel_mpi;
using relabel::test::TempDir;

namespace {

// Mean return of the complete episodes in a file (an episode cut by the end of the data, i.e.
// shorter than the 200-step limit without a terminal, is left out).
double file_mean_return(const relabel::io::Dataset& ds) {
  auto eps = relabel::io::split_episodes(ds);
  auto ret = relabel::io::episode_returns(ds.rewards, eps);
  double sum = 0;
  int n = 0;
  for (size_t i = 0; i < eps.size(); ++i)
    if (eps[i].length() == 200 || ds.terminals[eps[i].end - 1].item<bool>()) {
      sum += ret[int64_t(i)].item<double>();
      ++n;
    }
  return sum / n;
}

std::map<std::string, fs::file_time_type> mtimes(const std::string& dir) {
  std::map<std::string, fs::file_time_type> m;
  for (const auto& e : fs::directory_iterator(dir)) m[e.path().filename()] = e.last_write_time();
  return m;
}

// Starts `relabel <args>` in the background, its output in `log`; returns its pid.
pid_t start_in_background(const std::string& args, const std::string& log) {
  auto started = relabel::test::run_command("(" + std::string(RELABEL_BINARY) + " " + args + " > " +
                                            log + " 2>&1 & echo $!)");
  return std::stoi(started.output);
}

// Waits (up to 10 minutes) until `ready` holds; false if it never did.
template <class Ready>
bool wait_until(Ready ready) {
  for (int i = 0; i < 6000; ++i) {
    if (ready()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

void kill_and_wait(pid_t pid) {
  kill(pid, SIGKILL);
  relabel::test::run_command("while kill -0 " + std::to_string(pid) +
                             " 2>/dev/null; do sleep 0.1; done");
}

}  // namespace

// The whole suite on pendulum at a small scale: SAC 6000 steps, 2000 rows per file.
TEST(DatagenCli, PendulumSuiteIsCompleteOrderedAndReused) {
  TempDir tmp("relabel-datagen");
  const std::string out = tmp / "pendulum";
  const std::string args = "datagen --task pendulum --out " + out +
                           " --steps 6000 --size 2000 --start-steps 1000 --eval-every 250 --seed 3";
  auto r = run_relabel(args);
  ASSERT_EQ(r.exit_code, 0) << r.output;

  for (const char* f :
       {"random.hdf5", "medium.hdf5", "medium-replay.hdf5", "expert.hdf5", "medium-expert.hdf5",
        "datagen.json", "policy_medium.pt", "policy_expert.pt", "sac_final.pt"})
    EXPECT_TRUE(fs::exists(out + "/" + f)) << f;
  auto s = nlohmann::json::parse(read_file(out + "/datagen.json"));
  EXPECT_EQ(s["status"], "done");
  EXPECT_EQ(s["arguments"]["steps"], 6000);
  const double r_random = s["ref_min_score"], r_expert = s["ref_max_score"];
  const double medium = s["returns"]["medium"];
  EXPECT_GT(r_expert, medium) << s.dump(2);
  EXPECT_GT(medium, r_random) << s.dump(2);
  EXPECT_LT(r_random, -900.0);  // pendulum: random ≈ −1200
  const int64_t medium_step = s["training"]["medium_step"];
  EXPECT_GT(medium_step, 1000);
  EXPECT_LT(medium_step, 6000);

  // Every file validates on read and carries the suite's attributes.
  std::map<std::string, relabel::io::Dataset> ds;
  for (const auto& kind : relabel::datagen::suite_kinds()) {
    ds[kind] = relabel::io::read_d4rl(relabel::datagen::suite_file(out, kind));
    const auto& d = ds[kind];
    EXPECT_EQ(d.info.env, "pendulum") << kind;
    EXPECT_DOUBLE_EQ(d.info.ref_min_score, r_random) << kind;
    EXPECT_DOUBLE_EQ(d.info.ref_max_score, r_expert) << kind;
    EXPECT_EQ(d.obs_dim(), 3);
    EXPECT_EQ(d.act_dim(), 1);
    EXPECT_EQ(d.size(), s["files"][kind]["rows"].get<int64_t>()) << kind;
  }
  EXPECT_EQ(ds["random"].size(), 2000);
  EXPECT_EQ(ds["medium"].size(), 2000);
  EXPECT_EQ(ds["expert"].size(), 2000);
  EXPECT_EQ(ds["medium-expert"].size(), 4000);
  EXPECT_EQ(ds["medium-replay"].size(), medium_step);
  EXPECT_TRUE(
      torch::equal(ds["medium-expert"].observations.narrow(0, 0, 2000), ds["medium"].observations));
  EXPECT_TRUE(torch::equal(ds["medium-expert"].observations.narrow(0, 2000, 2000),
                           ds["expert"].observations));
  // medium-replay starts with the uniform-random steps of training.
  EXPECT_LT(file_mean_return(ds["medium-replay"].slice(0, 1000)), -900.0);

  // The ordering recomputed from the files' own episodes.
  const double f_random = file_mean_return(ds["random"]);
  const double f_medium = file_mean_return(ds["medium"]);
  const double f_expert = file_mean_return(ds["expert"]);
  EXPECT_GT(f_expert, f_medium);
  EXPECT_GT(f_medium, f_random);
  EXPECT_NEAR(f_expert, r_expert, 1e-3 * std::abs(r_expert));  // R_expert = expert data's mean
  EXPECT_NEAR(f_medium, medium, 1e-3 * std::abs(medium));

  // Re-running with the same arguments keeps everything and does not train again.
  const auto before = mtimes(out);
  r = run_relabel(args);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("reusing the trained SAC agent"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("training SAC"), std::string::npos) << r.output;
  auto after = mtimes(out);
  // The directory lock's holder line is rewritten by every writer; the suite's files are not.
  const std::string lock = relabel::io::kLockFileName;
  for (const auto& [name, t] : before) {
    if (name != "datagen.json" && name != lock) {
      EXPECT_EQ(after[name], t) << name << " was rewritten";
    }
  }

  // A missing file is regenerated alone, identically (seeded collection).
  fs::remove(out + "/medium.hdf5");
  r = run_relabel(args);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto regenerated = relabel::io::read_d4rl(out + "/medium.hdf5");
  EXPECT_TRUE(torch::equal(regenerated.observations, ds["medium"].observations));
  EXPECT_TRUE(torch::equal(regenerated.actions, ds["medium"].actions));
  EXPECT_TRUE(torch::equal(regenerated.rewards, ds["medium"].rewards));
  after = mtimes(out);
  for (const auto& [name, t] : before) {
    if (name != "datagen.json" && name != "medium.hdf5" && name != lock) {
      EXPECT_EQ(after[name], t) << name << " was rewritten";
    }
  }

  // A file that is not this suite's (here: the random data as expert.hdf5) is regenerated, and
  // said once (the expert file is checked for R_expert and again as a suite file: it was twice).
  fs::copy_file(out + "/random.hdf5", out + "/expert.hdf5", fs::copy_options::overwrite_existing);
  r = run_relabel(args);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(relabel::test::count(r.output, out + "/expert.hdf5 does not match this suite; "
                                                 "regenerating it"),
            1u)
      << r.output;
  regenerated = relabel::io::read_d4rl(out + "/expert.hdf5");
  EXPECT_TRUE(torch::equal(regenerated.observations, ds["expert"].observations));

  // Other arguments into the same directory are refused, naming the differing key.
  r = run_relabel("datagen --task pendulum --out " + out +
                  " --steps 7000 --size 2000 --start-steps 1000 --eval-every 250 --seed 3");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("steps"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("datagen.json"), std::string::npos) << r.output;
}

// A run killed during training resumes from its last checkpoint (taken at every episode boundary
// with --checkpoint-minutes 0) instead of starting again.
TEST(DatagenCli, KilledTrainingResumesFromItsCheckpoint) {
  TempDir tmp("relabel-datagen-resume");
  const std::string out = tmp / "p";
  const std::string args = "datagen --task pendulum --out " + out +
                           " --steps 1500 --size 400 --start-steps 300 --eval-every 300"
                           " --checkpoint-minutes 0";
  const pid_t pid = start_in_background(args, tmp.path() + "/first.log");
  // Wait for a checkpoint past the first evaluation, then kill the run mid-training.
  const bool checkpointed = wait_until([&] {
    return fs::exists(out + "/sac_train.pt") &&
           read_file(tmp.path() + "/first.log").find("step 600 eval") != std::string::npos;
  });
  ASSERT_TRUE(checkpointed) << read_file(tmp.path() + "/first.log");
  kill_and_wait(pid);
  ASSERT_FALSE(fs::exists(out + "/sac_final.pt")) << "training finished before the kill";

  auto r = run_relabel(args);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto pos = r.output.find("resuming SAC training at step ");
  ASSERT_NE(pos, std::string::npos) << r.output;
  // The step-600 evaluation is logged just before that boundary's checkpoint is written, so a
  // kill right after it can leave the step-400 checkpoint: either is a resume, step 0 is not.
  EXPECT_GE(std::stoi(r.output.substr(pos + 30)), 400) << r.output;
  EXPECT_FALSE(fs::exists(out + "/sac_train.pt"));
  auto s = nlohmann::json::parse(read_file(out + "/datagen.json"));
  EXPECT_EQ(s["status"], "done");
  EXPECT_EQ(s["training"]["evaluations"].size(), 5u);  // 300, 600, ..., 1500: none lost or doubled
  for (const auto& kind : relabel::datagen::suite_kinds())
    EXPECT_TRUE(fs::exists(relabel::datagen::suite_file(out, kind))) << kind;
}

// SIGTERM (scancel, a user's kill) during SAC training: the state is saved at the next episode
// boundary, the command exits 0 saying how to resume, and the rerun continues from that step.
TEST(DatagenCli, SigtermSavesTrainingAndExitsZeroThenResumes) {
  TempDir tmp("relabel-datagen-sigterm");
  const std::string out = tmp / "p";
  const std::string args = "datagen --task pendulum --out " + out +
                           " --steps 1500 --size 400 --start-steps 300 --eval-every 300";
  const std::string log = tmp / "first.log", pid_file = tmp / "pid", rc_file = tmp / "rc";
  relabel::test::run_command("(sh -c '" + std::string(RELABEL_BINARY) + " " + args + " > " + log +
                             " 2>&1 & echo $! > " + pid_file + "; wait $!; echo $? > " + rc_file +
                             "' > /dev/null 2>&1 &)");
  bool evaluated = false;
  for (int i = 0; i < 6000 && !evaluated; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    evaluated = fs::exists(log) && read_file(log).find("step 300 eval") != std::string::npos;
  }
  ASSERT_TRUE(evaluated) << read_file(log);
  kill(std::stoi(read_file(pid_file)), SIGTERM);
  for (int i = 0; i < 600 && !fs::exists(rc_file); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ASSERT_TRUE(fs::exists(rc_file)) << "datagen did not stop within 60 s of SIGTERM";
  const std::string first = read_file(log);
  EXPECT_EQ(std::stoi(read_file(rc_file)), 0) << first;
  EXPECT_NE(first.find("stopped by signal 15: rerun the same command to resume"), std::string::npos)
      << first;
  // The progress line says where training stopped; it said "SAC 600/1500 done in ...".
  EXPECT_NE(first.find("/1500 stopped after "), std::string::npos) << first;
  EXPECT_EQ(first.find("/1500 done in "), std::string::npos) << first;
  ASSERT_FALSE(fs::exists(out + "/sac_final.pt")) << "training finished before the signal";
  ASSERT_TRUE(fs::exists(out + "/sac_train.pt")) << first;
  EXPECT_EQ(nlohmann::json::parse(read_file(out + "/datagen.json"))["status"], "stopped");

  auto r = run_relabel(args);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto pos = r.output.find("resuming SAC training at step ");
  ASSERT_NE(pos, std::string::npos) << r.output;
  EXPECT_GE(std::stoi(r.output.substr(pos + 30)), 300) << r.output;
  auto s = nlohmann::json::parse(read_file(out + "/datagen.json"));
  EXPECT_EQ(s["status"], "done");
  EXPECT_EQ(s["training"]["evaluations"].size(), 5u);  // 300, 600, ..., 1500: none lost or doubled
}

TEST(DatagenCli, RunsOnRankZeroUnderMpirun) {
  TempDir tmp("relabel-datagen-mpi");
  const std::string out = tmp / "p";
  auto r = run_relabel_mpi(2, "datagen --task pendulum --out " + out +
                                  " --steps 300 --size 250 --start-steps 100 --eval-every 150");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const auto& kind : relabel::datagen::suite_kinds())
    EXPECT_TRUE(fs::exists(relabel::datagen::suite_file(out, kind))) << kind;
  // 300 SAC steps: whether the agent beat the random policy or not, the output says which way
  // the suite can be used (runs refuse R_expert <= R_random).
  const auto s = nlohmann::json::parse(read_file(out + "/datagen.json"));
  const bool unusable = s["ref_max_score"].get<double>() <= s["ref_min_score"].get<double>();
  EXPECT_EQ(r.output.find("relabel run refuses this suite; generate it again with more --steps") !=
                std::string::npos,
            unusable)
      << r.output;
}

TEST(DatagenCli, ASecondDatagenOnASuiteBeingWrittenIsRefused) {
  TempDir tmp("relabel-datagen-lock");
  const std::string out = tmp / "p";
  const std::string args = "datagen --task pendulum --out " + out +
                           " --steps 1500 --size 400 --start-steps 300 --eval-every 300";
  const pid_t pid = start_in_background(args, tmp.path() + "/first.log");
  const bool training = wait_until([&] {
    return read_file(tmp.path() + "/first.log").find("training SAC") != std::string::npos;
  });
  ASSERT_TRUE(training) << read_file(tmp.path() + "/first.log");
  auto second = run_relabel(args);
  EXPECT_EQ(second.exit_code, 2) << second.output;
  EXPECT_NE(second.output.find(out + " is being written by "), std::string::npos) << second.output;
  const std::string summary = read_file(out + "/datagen.json");
  kill_and_wait(pid);
  // The refused run wrote nothing; once the writer is gone the suite continues.
  EXPECT_EQ(read_file(out + "/datagen.json"), summary);
  auto resumed = run_relabel(args);
  EXPECT_EQ(resumed.exit_code, 0) << resumed.output;
}

TEST(DatagenCli, BadInputIsAOneLineUsageError) {
  TempDir tmp("relabel-datagen-bad");
  auto r = run_relabel("datagen --task nosuchtask --out " + tmp.path());
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("pendulum"), std::string::npos) << r.output;  // names known tasks
  r = run_relabel("datagen --task pendulum --out " + tmp.path() + " --steps 100 --start-steps 200");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--start-steps"), std::string::npos) << r.output;
  r = run_relabel("datagen --task pendulum --steps 5000 --size 100 --out " + tmp.path() +
                  " --dry-run");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("steps 5000"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(tmp / "datagen.json"));
  // A datagen.json that is not one (another JSON value, a directory) is named, exit 2.
  for (const bool as_directory : {false, true}) {
    TempDir d("relabel-datagen-summary");
    if (as_directory)
      fs::create_directories(d / "datagen.json");
    else
      relabel::test::write_file(d / "datagen.json", "[]");
    r = run_relabel("datagen --task pendulum --out " + d.path() + " --steps 300 --size 100");
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_NE(
        r.output.find("relabel: error: " + (d / "datagen.json") + ": not a datagen summary ("),
        std::string::npos)
        << r.output;
  }
}
