// relabel export / eval: a run's policy as a TorchScript module that plain LibTorch and PyTorch
// load, acting exactly as the run's learner, and an evaluation that repeats the run's own.
#include <gtest/gtest.h>
#include <torch/script.h>
#include <torch/torch.h>

#include <filesystem>
#include <sstream>

#include "algos/offline/learner.h"
#include "algos/sync.h"
#include "config/config_load.h"
#include "envs/registry.h"
#include "run/checkpoint.h"
#include "run/offline_run.h"
#include "tests/run/run_helpers.h"

using namespace relabel::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// The run's own policy, rebuilt from its newest checkpoint the way the run acts: the learner's
// act() on observations normalised with the checkpoint's statistics.
torch::Tensor run_actions(const std::string& dir, const torch::Tensor& obs) {
  auto config = relabel::config::load_run_config(dir + "/config.toml");
  relabel::run::CheckpointStore store(dir + "/ckpt");
  torch::serialize::InputArchive learner_archive;
  torch::Tensor mean, std;
  store.load(*store.latest_step(), [&](torch::serialize::InputArchive& a) {
    a.read("learner", learner_archive);
    a.read("obs_mean", mean);
    a.read("obs_std", std);
  });
  const auto& task = relabel::envs::find_task(config.task.name);
  relabel::algos::NoSync sync;
  auto learner = relabel::algos::make_offline_learner(
      relabel::run::offline_learner_options(config, task.obs_dim, task.act_dim, 0), sync);
  learner->load(learner_archive);
  return learner->act((obs - mean) / std);
}

}  // namespace

TEST(PolicyExport, ModuleActsAsTheRunAndEvalRepeatsItsEvaluation) {
  TempDir dir;
  for (const std::string algo : {"iql", "td3bc"}) {
    SCOPED_TRACE(algo);
    const std::string run = dir / algo;
    json result = run_config(dir, algo, pendulum_config(run, "ground_truth", algo, 200), 1,
                             " --set train.eval_episodes=6");
    ASSERT_EQ(result["status"], "done");
    const std::string module_path = dir / (algo + ".pt");
    auto r = run_relabel("export " + run + " --out " + module_path);
    ASSERT_EQ(r.exit_code, 0) << r.output;

    // Plain LibTorch: torch::jit::load and forward, nothing of relabel.
    torch::jit::Module m = torch::jit::load(module_path);
    torch::manual_seed(3);
    const auto obs = torch::randn({64, 3}) * 2.0;
    const auto actions = m.forward({obs}).toTensor();
    // The same operations on the same values; BLAS may sum in another order for another memory
    // layout of the weights (the run's live in one flat buffer), hence float rounding.
    const auto expected = run_actions(run, obs);
    EXPECT_TRUE(torch::allclose(actions, expected, 1e-5, 1e-6)) << (actions - expected).abs().max();
    EXPECT_LE(actions.abs().max().item<float>(), 2.0f);  // pendulum's max torque
    // One observation (no batch dimension) gives that row's action.
    EXPECT_TRUE(torch::allclose(m.forward({obs[5]}).toTensor(), actions[5], 1e-5, 1e-6));

    // PyTorch (Debian's python3-torch) loads it too and computes the same actions.
    const std::string obs_csv = dir / (algo + "-obs.csv");
    std::ostringstream rows;
    for (int64_t i = 0; i < 8; ++i) {
      for (int64_t j = 0; j < 3; ++j) rows << (j ? "," : "") << obs[i][j].item<float>();
      rows << "\n";
    }
    write_file(obs_csv, rows.str());
    auto py = run_command(
        "/usr/bin/python3 -c \"import sys, torch, numpy as np\n"
        "m = torch.jit.load(sys.argv[1])\n"
        "obs = torch.tensor(np.loadtxt(sys.argv[2], delimiter=',', dtype=np.float32))\n"
        "print(m.task, m.obs_dim, m.act_dim)\n"
        "for row in m(obs).tolist(): print(repr(row[0]))\" " +
        module_path + " " + obs_csv);
    ASSERT_EQ(py.exit_code, 0) << py.output;
    std::istringstream lines(py.output);
    std::string header;
    std::getline(lines, header);
    EXPECT_EQ(header, "pendulum 3 1");
    const auto cpp8 = m.forward({obs.narrow(0, 0, 8).contiguous()}).toTensor();
    for (int64_t i = 0; i < 8; ++i) {
      double a = 0;
      lines >> a;
      EXPECT_NEAR(a, cpp8[i][0].item<float>(), 1e-5) << "row " << i;
    }

    // relabel eval RUN_DIR repeats the run's final evaluation episodes: the same mean return.
    r = run_relabel("eval " + run);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const json e = json::parse(read_file(run + "/eval.json"));
    EXPECT_EQ(e["episodes"], 6);
    EXPECT_NEAR(e["mean_return"].get<double>(), result["final_return"].get<double>(),
                1e-9 * (1 + std::fabs(result["final_return"].get<double>())))
        << r.output;
    EXPECT_NEAR(e["normalised_score"].get<double>(), result["final_score"].get<double>(), 1e-6);
    EXPECT_LE(e["return_ci95"][0].get<double>(), e["mean_return"].get<double>());
    EXPECT_GE(e["return_ci95"][1].get<double>(), e["mean_return"].get<double>());
    EXPECT_NE(r.output.find("the run's own evaluation of these episodes"), std::string::npos)
        << r.output;
    // The exported file evaluates the same, and other seeds give other episodes.
    r = run_relabel("eval " + module_path + " --json " + (dir / "m.json"));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const json from_file = json::parse(read_file(dir / "m.json"));
    ASSERT_EQ(from_file["returns"].size(), e["returns"].size());
    for (size_t i = 0; i < e["returns"].size(); ++i) {
      const double a = from_file["returns"][i].get<double>(), b = e["returns"][i].get<double>();
      EXPECT_NEAR(a, b, 1e-5 * std::fabs(b)) << "episode " << i;
    }
    r = run_relabel("eval " + module_path + " --seed 7 --episodes 3 --json " + (dir / "s.json"));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(json::parse(read_file(dir / "s.json"))["returns"].size(), 3u);
  }
}

TEST(PolicyExport, UnusableInputsAreOneLineErrors) {
  TempDir dir;
  auto r = run_relabel("export " + (dir / "missing"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find(dir / "missing"), std::string::npos) << r.output;
  // A run directory without a checkpoint.
  fs::create_directories(dir / "empty");
  write_file(dir / "empty/config.toml", pendulum_config(dir / "empty", "ground_truth", "iql", 10));
  r = run_relabel("export " + (dir / "empty"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("no checkpoint to export"), std::string::npos) << r.output;
  // An online agent's run.
  fs::create_directories(dir / "online");
  fs::copy_file(std::string(RELABEL_SOURCE_DIR) + "/configs/pendulum-cdred.toml",
                dir / "online/config.toml");
  r = run_relabel("export " + (dir / "online"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("acts by planning"), std::string::npos) << r.output;
  // A file that is not a module.
  write_file(dir / "not.pt", "hello");
  r = run_relabel("eval " + (dir / "not.pt"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("not a TorchScript module"), std::string::npos) << r.output;
}
