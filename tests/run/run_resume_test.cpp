// Resume, data-parallel equivalence and bad input for `relabel run`.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>

#include "tests/run/run_helpers.h"

using namespace relabel::test;
using nlohmann::json;

namespace {
// The learner's tensors in a checkpoint, by name.
std::map<std::string, torch::Tensor> learner_tensors(const std::string& path) {
  torch::serialize::InputArchive archive, learner;
  archive.load_from(path);
  archive.read("learner", learner);
  std::map<std::string, torch::Tensor> out;
  for (const auto& key : learner.keys()) {
    torch::Tensor t;
    if (learner.try_read(key, t)) out[key] = t;
  }
  return out;
}

std::vector<json> metric_lines(const std::string& dir) {
  std::vector<json> lines;
  std::ifstream in(dir + "/metrics.jsonl");
  for (std::string line; std::getline(in, line);) {
    json j = json::parse(line);
    if (j.contains("q_loss")) lines.push_back(j);
  }
  return lines;
}
}  // namespace

TEST(RunResume, StoppedAfterFirstCheckpointEndsLikeUninterrupted) {
  TempDir dir;
  const int steps = 600;
  const std::string extra = " --set train.checkpoint_every=200 --set train.eval_every=300";
  run_config(dir, "whole", pendulum_config(dir / "whole", "ground_truth", "td3bc", steps), 1,
             extra);
  // Same run, stopped (as if preempted) after its first checkpoint, then restarted.
  const std::string cfg = pendulum_config(dir / "split", "ground_truth", "td3bc", steps);
  json first = run_config(dir, "split", cfg, 1, extra + " --stop-at 200");
  EXPECT_EQ(first.value("status", ""), "preempted");
  json second = run_config(dir, "split", cfg, 1, extra);
  EXPECT_EQ(second.value("status", ""), "done");
  // The attempts tile the steps: nothing redone.
  ASSERT_EQ(second["attempts"].size(), 2u) << second.dump();
  EXPECT_EQ(second["attempts"][0]["end_step"], 200);
  EXPECT_EQ(second["attempts"][1]["start_step"], 200);
  EXPECT_EQ(second["attempts"][1]["end_step"], steps);
  // Wall time: total_s is this attempt's, wall_s every attempt's.
  const double first_total = first["timing"]["total_s"].get<double>();
  EXPECT_DOUBLE_EQ(first["timing"]["wall_s"].get<double>(), first_total);
  EXPECT_NEAR(second["timing"]["wall_s"].get<double>(),
              first_total + second["timing"]["total_s"].get<double>(), 1e-9);
  auto a = learner_tensors((dir / "whole") + "/ckpt/step_600.pt");
  auto b = learner_tensors((dir / "split") + "/ckpt/step_600.pt");
  ASSERT_FALSE(a.empty());
  ASSERT_EQ(a.size(), b.size());
  for (const auto& [name, t] : a) EXPECT_TRUE(torch::equal(t, b.at(name))) << name;
  EXPECT_EQ(json(second["curve"]),
            json(json::parse(read_file((dir / "whole") + "/result.json"))["curve"]));
}

// A preempted attempt's last progress line says it stopped ("train 600/600 done in" read as a
// finished run when it had stopped at 200).
TEST(RunResume, APreemptedAttemptsProgressSaysStopped) {
  TempDir dir;
  write_file(dir / "p.toml", pendulum_config(dir / "p", "ground_truth", "td3bc", 600));
  auto r =
      run_relabel("run " + (dir / "p.toml") +
                  " --set train.checkpoint_every=200 --set train.eval_every=300 --stop-at 200");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(std::regex_search(r.output, std::regex(" 200/600 stopped after \\S+ \\(")))
      << r.output;
  EXPECT_EQ(r.output.find(" done in "), std::string::npos) << r.output;
}

TEST(RunParallel, TwoRanksMatchOneRankOnFirstLosses) {
  TempDir dir;
  const std::string extra = " --set train.log_every=1 --set train.eval_episodes=2";
  run_config(dir, "one", pendulum_config(dir / "one", "ground_truth", "iql", 30), 1, extra);
  json two =
      run_config(dir, "two", pendulum_config(dir / "two", "ground_truth", "iql", 30), 2, extra);
  EXPECT_EQ(two.value("ranks", 0), 2);
  auto a = metric_lines(dir / "one"), b = metric_lines(dir / "two");
  ASSERT_GE(a.size(), 30u);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i)
    for (const char* k : {"q_loss", "v_loss", "actor_loss"}) {
      ASSERT_TRUE(a[i].contains(k)) << a[i].dump();
      EXPECT_NEAR(a[i][k].get<double>(), b[i][k].get<double>(),
                  1e-4 * std::max(1.0, std::abs(a[i][k].get<double>())))
          << k << " at step " << a[i]["step"];
    }
}

TEST(RunBadInput, ClearErrorsExitTwo) {
  TempDir dir;
  // A dataset without rewards under ground_truth.
  const std::string no_rewards = dir / "no_rewards.hdf5";
  auto py = run_command(
      "/usr/bin/python3 -c \"import h5py,numpy as np\n"
      "f=h5py.File('" +
      no_rewards +
      "','w')\n"
      "n=400\n"
      "f['observations']=np.random.randn(n,3).astype('f4')\n"
      "f['next_observations']=np.random.randn(n,3).astype('f4')\n"
      "f['actions']=np.random.uniform(-2,2,(n,1)).astype('f4')\n"
      "f['terminals']=np.zeros(n,bool)\n"
      "f['timeouts']=(np.arange(n)%200==199)\n\"");
  ASSERT_EQ(py.exit_code, 0) << py.output;
  std::string cfg = pendulum_config(dir / "r", "ground_truth", "iql", 10);
  const std::string named = "name = \"pendulum-medium-expert\"";
  cfg.replace(cfg.find(named), named.size(), "path = \"" + no_rewards + "\"");
  write_file(dir / "a.toml", cfg);
  auto r = run_relabel("run " + (dir / "a.toml"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("rewards"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(no_rewards), std::string::npos) << r.output;

  // Label fractions outside (0, 1].
  write_file(dir / "b.toml", pendulum_config(dir / "b", "imputation", "td3bc", 10));
  for (const char* f : {"0", "1.5"}) {
    r = run_relabel("run " + (dir / "b.toml") + " --set dataset.label_fraction=" + f);
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_NE(r.output.find("dataset.label_fraction"), std::string::npos) << r.output;
  }

  // An expert file whose dims differ from the dataset's.
  const std::string hopperish = dir / "expert11.hdf5";
  py = run_command(
      "/usr/bin/python3 -c \"import h5py,numpy as np\n"
      "f=h5py.File('" +
      hopperish +
      "','w')\n"
      "n=100\n"
      "f['observations']=np.random.randn(n,11).astype('f4')\n"
      "f['next_observations']=np.random.randn(n,11).astype('f4')\n"
      "f['actions']=np.random.randn(n,3).astype('f4')\n"
      "f['rewards']=np.random.randn(n).astype('f4')\n"
      "f['terminals']=np.zeros(n,bool)\n"
      "f['timeouts']=(np.arange(n)%50==49)\n\"");
  ASSERT_EQ(py.exit_code, 0) << py.output;
  write_file(dir / "c.toml", pendulum_config(dir / "c", "reload", "iql", 10));
  r = run_relabel("run " + (dir / "c.toml") + " --set dataset.expert_path=" + hopperish);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find(hopperish), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("dims"), std::string::npos) << r.output;
  // One line, prefixed.
  EXPECT_NE(r.output.find("relabel: error: "), std::string::npos) << r.output;
}

// A named dataset missing from the cache is not generated behind the user's back: exit 2 with
// the datagen command that makes it, within seconds (not minutes of SAC training).
TEST(RunBadInput, MissingNamedDatasetNamesTheDatagenCommand) {
  TempDir dir;
  write_file(dir / "a.toml", pendulum_config(dir / "r", "ground_truth", "iql", 10));
  const auto t0 = std::chrono::steady_clock::now();
  auto r = run_command("RELABEL_DATA='" + (dir / "empty-cache") + "' " RELABEL_BINARY " run " +
                       (dir / "a.toml"));
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("relabel: error: dataset.name = \"pendulum-medium-expert\": " +
                          (dir / "empty-cache") + "/pendulum/medium-expert.hdf5 does not exist"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("`relabel datagen --task pendulum --out " + (dir / "empty-cache") +
                          "/pendulum`"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("dataset.generate = true"), std::string::npos) << r.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "empty-cache/pendulum/medium-expert.hdf5"));
  EXPECT_LT(seconds, 60.0);
}
