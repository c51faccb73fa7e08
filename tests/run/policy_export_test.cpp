// relabel export / eval: a run's policy as a TorchScript module that plain LibTorch and PyTorch
// load, acting exactly as the run's learner, and an evaluation that repeats the run's own.
#include <gtest/gtest.h>
#include <torch/script.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <sstream>

#include "algos/offline/learner.h"
#include "algos/online/world_model.h"
#include "algos/sync.h"
#include "config/config_load.h"
#include "envs/registry.h"
#include "run/checkpoint.h"
#include "run/offline_run.h"
#include "run/online_run.h"
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

// The module's actions on `obs` are `expected` (the same operations on the same values; BLAS
// may sum in another order for another memory layout, hence float rounding), within pendulum's
// torque range and not all zero; one observation without a batch dimension gives its row.
void expect_pendulum_actions(torch::jit::Module& m, const torch::Tensor& obs,
                             const torch::Tensor& actions, const torch::Tensor& expected) {
  ASSERT_EQ(actions.sizes(), expected.sizes());
  EXPECT_TRUE(torch::allclose(actions, expected, 1e-5, 1e-6)) << (actions - expected).abs().max();
  EXPECT_GT(actions.abs().max().item<float>(), 0.0f);
  EXPECT_LE(actions.abs().max().item<float>(), 2.0f);
  EXPECT_TRUE(torch::allclose(m.forward({obs[5]}).toTensor(), actions[5], 1e-5, 1e-6));
}

// Loads the module in PyTorch (Debian's python3-torch) and expects its actions on the first
// `rows` observations (one action dimension) to be the C++ module's; returns the line PyTorch
// printed from the module's attributes, "task obs_dim act_dim".
std::string pytorch_matches(torch::jit::Module& m, const std::string& module_path,
                            const torch::Tensor& obs, int64_t rows, const std::string& csv) {
  std::ostringstream text;
  for (int64_t i = 0; i < rows; ++i) {
    for (int64_t j = 0; j < obs.size(1); ++j) text << (j ? "," : "") << obs[i][j].item<float>();
    text << "\n";
  }
  write_file(csv, text.str());
  auto py = run_command(
      "/usr/bin/python3 -c \"import sys, torch, numpy as np\n"
      "m = torch.jit.load(sys.argv[1])\n"
      "obs = torch.tensor(np.loadtxt(sys.argv[2], delimiter=',', dtype=np.float32))\n"
      "print(m.task, m.obs_dim, m.act_dim)\n"
      "for row in m(obs).tolist(): print(repr(row[0]))\" " +
      module_path + " " + csv);
  EXPECT_EQ(py.exit_code, 0) << py.output;
  std::istringstream lines(py.output);
  std::string header;
  std::getline(lines, header);
  const auto expected = m.forward({obs.narrow(0, 0, rows).contiguous()}).toTensor();
  for (int64_t i = 0; i < rows; ++i) {
    double a = NAN;
    lines >> a;
    EXPECT_NEAR(a, expected[i][0].item<float>(), 1e-5) << "row " << i;
  }
  return header;
}

// The world-model agent of a run's newest checkpoint, rebuilt as the run built it, acting as
// the run evaluates (act with eval = true: the policy prior's mean, or a plan with MPPI).
torch::Tensor world_model_actions(const std::string& dir, const torch::Tensor& obs) {
  auto config = relabel::config::load_run_config(dir + "/config.toml");
  relabel::run::CheckpointStore store(dir + "/ckpt");
  torch::serialize::InputArchive trainer;
  store.load(*store.latest_step(),
             [&](torch::serialize::InputArchive& ar) { ar.read("trainer", trainer); });
  std::unique_ptr<relabel::algos::LatentReward> reward;
  auto agent = relabel::run::load_checkpoint_agent(
      relabel::run::online_trainer_options(config, 0, 1), trainer, reward);
  return agent->act(obs, true);
}

// A small world-model run on the cached pendulum suite's expert file.
std::string world_model_config(const std::string& dir, const std::string& reward,
                               const std::string& extra = "") {
  return "seed = 0\n[task]\nname = \"pendulum\"\n[dataset]\nexpert_path = \"" +
         pendulum_file("expert") +
         "\"\nexpert_trajectories = 2\n"
         "[reward]\nmethod = \"" +
         reward +
         "\"\n"
         "[policy]\nalgo = \"world_model\"\nseed_steps = 200\n" +
         extra +
         "\n[train]\nenv_steps = 400\nbatch_size = 32\neval_every = 200\neval_episodes = 3\n"
         "checkpoint_every = 0\nlog_every = 100\n[output]\ndir = \"" +
         dir + "\"\n";
}

// Runs `config` as dir/name, exports it and expects the module (plain LibTorch, then PyTorch)
// to act as `agent_actions` rebuilds the run's agent from its checkpoint, and relabel eval of the
// run directory and of the module file to repeat the run's final evaluation (`episodes`
// episodes; mean return within `return_rtol`). Returns the module.
using ActionsOf = torch::Tensor (*)(const std::string& run_dir, const torch::Tensor& obs);
torch::jit::Module expect_export_acts_and_eval_repeats(const TempDir& dir, const std::string& name,
                                                       const std::string& config,
                                                       const std::string& run_args, int episodes,
                                                       ActionsOf agent_actions,
                                                       double return_rtol) {
  const std::string run = dir / name;
  json result = run_config(dir, name, config, 1, run_args);
  EXPECT_EQ(result["status"], "done");
  const std::string module_path = dir / (name + ".pt");
  auto r = run_relabel("export " + run + " --out " + module_path);
  EXPECT_EQ(r.exit_code, 0) << r.output;

  // Plain LibTorch: torch::jit::load and forward, nothing of relabel.
  torch::jit::Module m = torch::jit::load(module_path);
  torch::manual_seed(3);
  const auto obs = torch::randn({64, 3}) * 2.0;
  const auto actions = m.forward({obs}).toTensor();
  expect_pendulum_actions(m, obs, actions, agent_actions(run, obs));
  // PyTorch (Debian's python3-torch) loads it too and computes the same actions.
  EXPECT_EQ(pytorch_matches(m, module_path, obs, 8, dir / (name + "-obs.csv")), "pendulum 3 1");

  // relabel eval RUN_DIR repeats the run's final evaluation episodes: the same mean return,
  // normalised with the run's reference returns.
  r = run_relabel("eval " + run);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  const json e = json::parse(read_file(run + "/eval.json"));
  EXPECT_EQ(e["episodes"], episodes);
  const double ret = result["final_return"].get<double>();
  EXPECT_NEAR(e["mean_return"].get<double>(), ret, return_rtol * (1 + std::fabs(ret))) << r.output;
  EXPECT_NEAR(e["normalised_score"].get<double>(), result["final_score"].get<double>(),
              1e-6 + 100 * return_rtol);
  EXPECT_LE(e["return_ci95"][0].get<double>(), e["mean_return"].get<double>());
  EXPECT_GE(e["return_ci95"][1].get<double>(), e["mean_return"].get<double>());
  EXPECT_NE(r.output.find("the run's own evaluation of these episodes"), std::string::npos)
      << r.output;
  // The exported file evaluates the same, and other seeds give other episodes.
  const std::string m_json = dir / (name + "-m.json"), s_json = dir / (name + "-s.json");
  r = run_relabel("eval " + module_path + " --json " + m_json);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  const json from_file = json::parse(read_file(m_json));
  EXPECT_EQ(from_file["returns"].size(), e["returns"].size());
  for (size_t i = 0; i < e["returns"].size() && i < from_file["returns"].size(); ++i) {
    const double a = from_file["returns"][i].get<double>(), b = e["returns"][i].get<double>();
    EXPECT_NEAR(a, b, 1e-5 * std::fabs(b)) << "episode " << i;
  }
  r = run_relabel("eval " + module_path + " --seed 7 --episodes 3 --json " + s_json);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(json::parse(read_file(s_json))["returns"].size(), 3u);
  return m;
}

}  // namespace

// The world-model agent acting with its policy prior (policy.mppi = false): the export is its
// encoder and prior, acts as the agent does, and repeats the run's evaluation; with CDRED the
// reward's tensors share the agent's parameter buffer, so the agent is rebuilt with them. Mish
// in TorchScript rounds unlike the agent's fused kernel, hence the looser return tolerance.
TEST(PolicyExport, WorldModelPriorActsAsTheAgentAndEvalRepeatsItsEvaluation) {
  TempDir dir;
  for (const std::string reward : {"cdred", "ground_truth"}) {
    SCOPED_TRACE(reward);
    auto m = expect_export_acts_and_eval_repeats(
        dir, reward, world_model_config(dir / reward, reward), "", 3, world_model_actions, 1e-6);
    EXPECT_EQ(m.attr("algo").toStringRef(), "world_model");
    EXPECT_EQ(m.attr("step").toInt(), 400);
  }
}

// A run that planned (policy.mppi = true) scored with the planner, which no standalone module
// can be: export and eval refuse it with one line naming --prior; export --prior writes the
// prior, without a run evaluation to repeat.
TEST(PolicyExport, WorldModelThatPlannedNeedsPrior) {
  TempDir dir;
  const std::string run = dir / "mppi";
  json result = run_config(
      dir, "mppi",
      world_model_config(run, "ground_truth",
                         "mppi = true\nmppi_samples = 16\nmppi_elites = 4\nmppi_iterations = 1\n"
                         "mppi_policy_trajs = 4"));
  ASSERT_EQ(result["status"], "done");
  for (const std::string verb : {"export", "eval"}) {
    auto r = run_relabel(verb + " " + run);
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
    EXPECT_NE(r.output.find("policy.mppi = true"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("relabel export --prior"), std::string::npos) << r.output;
  }
  EXPECT_FALSE(fs::exists(run + "/policy.pt"));
  auto r = run_relabel("export " + run + " --prior");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  torch::jit::Module m = torch::jit::load(run + "/policy.pt");
  EXPECT_EQ(m.attr("eval_episodes").toInt(), 0);
  const auto obs = torch::randn({4, 3});
  EXPECT_EQ(m.forward({obs}).toTensor().sizes(), (std::vector<int64_t>{4, 1}));
  r = run_relabel("eval " + run + "/policy.pt --episodes 2");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output.find("the run's own evaluation"), std::string::npos) << r.output;
}

TEST(PolicyExport, ModuleActsAsTheRunAndEvalRepeatsItsEvaluation) {
  TempDir dir;
  for (const std::string algo : {"iql", "td3bc"}) {
    SCOPED_TRACE(algo);
    expect_export_acts_and_eval_repeats(dir, algo,
                                        pendulum_config(dir / algo, "ground_truth", algo, 200),
                                        " --set train.eval_episodes=6", 6, run_actions, 1e-9);
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
  // An online agent's run that plans (the pendulum example).
  fs::create_directories(dir / "online");
  fs::copy_file(std::string(RELABEL_SOURCE_DIR) + "/configs/pendulum-cdred.toml",
                dir / "online/config.toml");
  r = run_relabel("export " + (dir / "online"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("acts by planning"), std::string::npos) << r.output;
  // A world-model run without a checkpoint.
  r = run_relabel("export " + (dir / "online") + " --prior");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("no checkpoint to export"), std::string::npos) << r.output;
  // A file that is not a module.
  write_file(dir / "not.pt", "hello");
  r = run_relabel("eval " + (dir / "not.pt"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("not a TorchScript module"), std::string::npos) << r.output;
  // Seeds use 64 bits (a run's evaluation seeds do); a negative one is refused, not wrapped.
  ASSERT_EQ(run_config(dir, "ok", pendulum_config(dir / "ok", "ground_truth", "iql", 10))["status"],
            "done");
  r = run_relabel("eval " + (dir / "ok") + " --episodes 1 --seed 12440872182297958709");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("1 episodes (seed 12440872182297958709)"), std::string::npos) << r.output;
  for (const std::string& verb : {"eval " + (dir / "ok") + " --seed -1",
                                  "report " + (dir / "ok") + " --seed -1 --no-plots"}) {
    r = run_relabel(verb);
    EXPECT_EQ(r.exit_code, 2) << verb << "\n" << r.output;
  }
  // A module file that cannot be written: one line (LibTorch's message carries a stack trace).
  for (const std::string& out : {dir / "no/such/dir/p.pt", dir.path()}) {
    r = run_relabel("export " + (dir / "ok") + " --out " + out);
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
    EXPECT_NE(r.output.find("relabel: error: " + out + ": "), std::string::npos) << r.output;
  }
  // The run's own files are not output files: refused before anything is written.
  ASSERT_EQ(run_config(dir, "ck", pendulum_config(dir / "ck", "ground_truth", "iql", 10))["status"],
            "done");
  const std::string record = read_file(dir / "ck/result.json");
  for (const char* file : {"result.json", "config.toml", "metrics.jsonl", "ckpt/step_10.pt"})
    for (const std::string& verb :
         {"eval " + (dir / "ck") + " --episodes 1 --json " + (dir / "ck") + "/" + file,
          "export " + (dir / "ck") + " --out " + (dir / "ck") + "/" + file}) {
      r = run_relabel(verb);
      EXPECT_EQ(r.exit_code, 2) << verb << "\n" << r.output;
      EXPECT_NE(r.output.find("; write elsewhere\n"), std::string::npos) << r.output;
      EXPECT_NE(r.output.find(" of run " + (dir / "ck")), std::string::npos) << r.output;
    }
  EXPECT_EQ(read_file(dir / "ck/result.json"), record);
  r = run_relabel("eval " + (dir / "ck") + " --episodes 1 --json " + dir.path());
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("is a directory"), std::string::npos) << r.output;
  r = run_relabel("export " + (dir / "ck") + " --prior --out " + (dir / "p.pt"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find(": --prior exports a world-model run's policy prior; this run's "
                          "policy.algo is \"iql\""),
            std::string::npos)
      << r.output;
  // A config.toml edited since the run (other references here) would score the policy against
  // them: refused, naming the file and both hashes.
  std::string cfg = read_file(dir / "ck/config.toml");
  const size_t at = cfg.find("[task]\n");
  ASSERT_NE(at, std::string::npos) << cfg;
  cfg.insert(at + 7, "ref_max_score = 0.0\n");
  write_file(dir / "ck/config.toml", cfg);
  for (const std::string verb : {"eval", "export"}) {
    r = run_relabel(verb + " " + (dir / "ck"));
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_NE(
        r.output.find("relabel: error: " + (dir / "ck") + "/config.toml: not the configuration " +
                      (dir / "ck") + "/ckpt/step_10.pt was trained with (config hash "),
        std::string::npos)
        << r.output;
  }
  EXPECT_EQ(read_file(dir / "ck/result.json"), record);
}

// The newest checkpoint is unreadable (a torn copy): export and eval fall back to the one before
// it as a resuming run does, with one warning naming both, and leave the torn file where it is
// (they only read the run directory). With none readable: one line, exit 2.
TEST(PolicyExport, UnreadableNewestCheckpointFallsBackToThePreviousOne) {
  TempDir dir;
  const std::string run = dir / "torn";
  ASSERT_EQ(run_config(dir, "torn", pendulum_config(run, "ground_truth", "iql", 20), 1,
                       "--set train.checkpoint_every=10")["status"],
            "done");
  ASSERT_TRUE(fs::exists(run + "/ckpt/step_10.pt"));
  fs::resize_file(run + "/ckpt/step_20.pt", 100);
  const std::string warning = "warning: checkpoint " + run + "/ckpt/step_20.pt is unreadable (";
  const std::string instead = "); using " + run + "/ckpt/step_10.pt instead\n";
  for (const std::string verb : {"export", "eval"}) {
    auto r = run_relabel(verb + " " + run + (verb == "eval" ? " --episodes 1" : ""));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(count(r.output, "warning: "), 1u) << r.output;
    const size_t at = r.output.find(warning);
    ASSERT_NE(at, std::string::npos) << r.output;
    const std::string line = r.output.substr(at, r.output.find('\n', at) + 1 - at);
    EXPECT_EQ(line.substr(line.size() - std::min(line.size(), instead.size())), instead) << line;
  }
  EXPECT_EQ(torch::jit::load(run + "/policy.pt").attr("step").toInt(), 10);
  EXPECT_EQ(json::parse(read_file(run + "/eval.json"))["step"], 10);
  EXPECT_TRUE(fs::exists(run + "/ckpt/step_20.pt"));
  EXPECT_FALSE(fs::exists(run + "/ckpt/step_20.pt.corrupt"));

  fs::resize_file(run + "/ckpt/step_10.pt", 100);
  for (const std::string verb : {"export", "eval"}) {
    auto r = run_relabel(verb + " " + run);
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_EQ(count(r.output, "\n"), 1u) << r.output;
    EXPECT_EQ(r.output.rfind("relabel: error: " + run + ": no readable checkpoint to export (" +
                                 run + "/ckpt/step_20.pt: ",
                             0),
              0u)
        << r.output;
    EXPECT_NE(r.output.find("; " + run + "/ckpt/step_10.pt: "), std::string::npos) << r.output;
  }
}
