// `relabel run` with policy.algo = "world_model" (online runs, issue 7): CDRED and ground-truth
// runs end to end on the shared pendulum suite's expert file, resume after preemption with the
// same final parameters, two data-parallel ranks, and bad input.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>

#include "config/config_load.h"
#include "core/error.h"
#include "run/online_run.h"
#include "tests/run/run_helpers.h"

using namespace relabel::test;
using nlohmann::json;

namespace {

// A small online run: cpu-small agent, CPU-sized CDRED networks, 200 seed steps.
std::string online_config(const std::string& dir, const std::string& reward, int env_steps,
                          const std::string& extra = "") {
  return "seed = 0\n"
         "[task]\nname = \"pendulum\"\n"
         "[dataset]\nexpert_path = \"" +
         pendulum_file("expert") +
         "\"\nexpert_trajectories = 2\n"
         "[reward]\nmethod = \"" +
         reward +
         "\"\nnum_targets = 3\ntarget_hidden = 32\npredictor_hidden = 32\npredictor_layers = 1\n"
         "[policy]\nalgo = \"world_model\"\nseed_steps = 200\n"
         "[train]\nenv_steps = " +
         std::to_string(env_steps) +
         "\nbatch_size = 32\neval_every = 200\neval_episodes = 2\ncheckpoint_every = 0\n"
         "log_every = 100\n"
         "[output]\ndir = \"" +
         dir + "\"\n" + extra;
}

// The world-model parameters in a checkpoint (rank 0's trainer state).
torch::Tensor checkpoint_params(const std::string& path) {
  torch::serialize::InputArchive archive, trainer, agent;
  archive.load_from(path);
  archive.read("trainer", trainer);
  trainer.read("agent", agent);
  torch::Tensor params;
  agent.read("wm_params", params, /*is_buffer=*/true);
  return params;
}

}  // namespace

TEST(OnlineRun, CdredRunWritesTheRunRecord) {
  TempDir dir;
  json r = run_config(dir, "cdred", online_config(dir / "cdred", "cdred", 600));
  EXPECT_EQ(r.value("status", ""), "done");
  EXPECT_EQ(r.value("method", ""), "cdred+world_model");
  ASSERT_EQ(r["curve"].size(), 3u) << r.dump();  // evaluations at 200, 400, 600
  EXPECT_EQ(r["curve"][2]["step"], 600);
  EXPECT_TRUE(std::isfinite(r.value("final_score", NAN)));
  const auto& d = r["reward_diagnostics"];
  EXPECT_EQ(d.value("expert_trajectories", 0), 2);
  EXPECT_EQ(d.value("expert_transitions", 0), 400);  // 2 pendulum episodes of 200 steps
  EXPECT_TRUE(d.contains("cdred_b_phi_expert")) << d.dump();
  EXPECT_EQ(r["timing"].value("updates", 0), 600);  // 200 pre-training + 1 per step after
  EXPECT_TRUE(std::filesystem::exists((dir / "cdred") + "/ckpt/step_600.pt"));
  EXPECT_TRUE(std::filesystem::exists((dir / "cdred") + "/curve.csv"));
  std::ifstream metrics((dir / "cdred") + "/metrics.jsonl");
  int lines_with_losses = 0;
  for (std::string line; std::getline(metrics, line);)
    if (json::parse(line).contains("cdred_expert_loss")) ++lines_with_losses;
  EXPECT_GE(lines_with_losses, 4);
}

TEST(OnlineRun, ResumedRunEndsWithTheSameParameters) {
  TempDir dir;
  const int steps = 500;
  const std::string extra = " --set train.checkpoint_every=200";
  run_config(dir, "whole", online_config(dir / "whole", "cdred", steps), 1, extra);
  // Preempted mid-episode after the seed phase (step 300), then restarted.
  const std::string cfg = online_config(dir / "split", "cdred", steps);
  json first = run_config(dir, "split", cfg, 1, extra + " --stop-at 300");
  EXPECT_EQ(first.value("status", ""), "preempted");
  json second = run_config(dir, "split", cfg, 1, extra);
  EXPECT_EQ(second.value("status", ""), "done");
  ASSERT_EQ(second["attempts"].size(), 2u) << second.dump();
  EXPECT_EQ(second["attempts"][0]["end_step"], 300);
  EXPECT_EQ(second["attempts"][1]["start_step"], 300);
  auto a = checkpoint_params((dir / "whole") + "/ckpt/step_500.pt");
  auto b = checkpoint_params((dir / "split") + "/ckpt/step_500.pt");
  ASSERT_GT(a.numel(), 0);
  EXPECT_TRUE(torch::equal(a, b));
  EXPECT_EQ(json(second["curve"]),
            json(json::parse(read_file((dir / "whole") + "/result.json"))["curve"]));
}

TEST(OnlineRun, TwoRanksTrainOneAgent) {
  TempDir dir;
  json r = run_config(
      dir, "two",
      online_config(dir / "two", "ground_truth", 400, "[parallel]\nranks_per_run = 2\n"), 2);
  EXPECT_EQ(r.value("status", ""), "done");
  EXPECT_EQ(r.value("ranks", 0), 2);
  EXPECT_EQ(r.value("method", ""), "ground_truth+world_model");
  // Rank 1 keeps its own shard (replay buffer, environment) next to rank 0's checkpoint.
  EXPECT_TRUE(std::filesystem::exists((dir / "two") + "/ckpt/step_400.pt"));
  EXPECT_TRUE(std::filesystem::exists((dir / "two") + "/ckpt/rank1/step_400.pt"));
  // 200 pre-training updates at step 200, then 2 per iteration of the two ranks.
  EXPECT_EQ(r["timing"].value("updates", 0), 400);
  // Rerun on one rank: not skipped as done, the experiment had two agents' worth of steps.
  const std::string before = read_file((dir / "two") + "/result.json");
  auto one = run_relabel("run " + (dir / "two.toml"));
  EXPECT_EQ(one.exit_code, 2) << one.output;
  EXPECT_NE(
      one.output.find("relabel: error: " + (dir / "two") + ": done with 2 ranks, this run has 1"),
      std::string::npos)
      << one.output;
  EXPECT_EQ(read_file((dir / "two") + "/result.json"), before);
}

// A preempted 2-rank run resumed on one rank is refused (exit 2) before it trains; its record
// says why and keeps the curve and attempts the run had; on two ranks it then finishes.
TEST(OnlineRun, ResumeOnAnotherRankCountKeepsTheRecord) {
  TempDir dir;
  const std::string extra = " --set train.checkpoint_every=200";
  json first =
      run_config(dir, "two",
                 online_config(dir / "two", "ground_truth", 600, "[parallel]\nranks_per_run = 2\n"),
                 2, extra + " --stop-at 400");
  ASSERT_EQ(first.value("status", ""), "preempted") << first.dump();
  ASSERT_EQ(first["curve"].size(), 2u) << first.dump();
  auto one = run_relabel("run " + (dir / "two.toml") + extra);
  EXPECT_EQ(one.exit_code, 2) << one.output;
  EXPECT_NE(one.output.find("relabel: error: " + (dir / "two") +
                            ": checkpointed by 2 ranks, this run has 1"),
            std::string::npos)
      << one.output;
  const json refused = json::parse(read_file((dir / "two") + "/result.json"));
  EXPECT_EQ(refused.value("status", ""), "failed");
  EXPECT_EQ(refused["curve"], first["curve"]);
  EXPECT_EQ(refused["final_score"], first["final_score"]);
  ASSERT_EQ(refused["attempts"].size(), 2u) << refused.dump();
  EXPECT_EQ(refused["attempts"][0]["end_step"], 400);
  json resumed = run_config(dir, "two", read_file(dir / "two.toml"), 2, extra);
  EXPECT_EQ(resumed.value("status", ""), "done");
  EXPECT_EQ(resumed["attempts"].back()["start_step"], 400);
}

// A 2-rank run whose rank-1 checkpoint is torn resumes from the step before it on both ranks,
// and says so: rank 0 prints the warning of rank 1 (whose own lines reach neither the console
// nor log.txt), naming the file, the one used instead and the step every rank resumes from.
TEST(OnlineRun, TornCheckpointOfRankOneIsWarnedAboutAndSetAside) {
  TempDir dir;
  const std::string extra = " --set train.checkpoint_every=200";
  const std::string run = dir / "two";
  json first = run_config(
      dir, "two", online_config(run, "ground_truth", 600, "[parallel]\nranks_per_run = 2\n"), 2,
      extra + " --stop-at 400");
  ASSERT_EQ(first.value("status", ""), "preempted") << first.dump();
  ASSERT_TRUE(std::filesystem::exists(run + "/ckpt/rank1/step_200.pt"));
  std::filesystem::resize_file(run + "/ckpt/rank1/step_400.pt", 100);

  auto r = run_relabel_mpi(2, "run " + (dir / "two.toml") + extra);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string torn = run + "/ckpt/rank1/step_400.pt";
  const std::string tail = "); using " + run + "/ckpt/rank1/step_200.pt instead (set aside as " +
                           torn + ".corrupt); every rank resumes from step 200\n";
  for (const std::string& text : {r.output, read_file(run + "/log.txt")}) {
    EXPECT_EQ(count(text, "checkpoint " + torn + " is unreadable ("), 1u) << text;
    const size_t at = text.find("checkpoint " + torn);
    ASSERT_NE(at, std::string::npos) << text;
    const std::string line = text.substr(at, text.find('\n', at) + 1 - at);
    EXPECT_EQ(line.substr(line.size() - std::min(line.size(), tail.size())), tail) << line;
  }
  EXPECT_TRUE(std::filesystem::exists(torn + ".corrupt"));
  const json record = parse_result(run + "/result.json");
  EXPECT_EQ(record.value("status", ""), "done");
  EXPECT_EQ(record["attempts"].back()["start_step"], 200) << record.dump(1);
}

namespace {

// The agent's options from a config file with `sets` applied.
relabel::run::WorldModelTrainerOptions trainer_options(const std::string& path,
                                                       const std::vector<std::string>& sets) {
  return relabel::run::online_trainer_options(relabel::config::load_run_config(path, sets), 0, 1);
}

// Each `sets` is refused when the config is loaded, with `names` in the message.
void expect_refused(const std::string& path,
                    const std::vector<std::pair<std::vector<std::string>, std::string>>& cases) {
  for (const auto& [sets, names] : cases) {
    try {
      relabel::config::load_run_config(path, sets);
      ADD_FAILURE() << sets.back() << " was accepted";
    } catch (const relabel::Error& e) {
      EXPECT_NE(std::string(e.what()).find(names), std::string::npos) << e.what();
    }
  }
}

}  // namespace

// The agent's own [policy] keys reach the agent's options: discount (0 = TD-MPC2's heuristic
// from the episode length) and the policy prior's entropy coefficient; out-of-range values are
// refused with the key named.
TEST(OnlineRun, DiscountAndEntropyKeysReachTheAgent) {
  TempDir dir;
  const std::string path = dir / "keys.toml";
  write_file(path, online_config(dir / "keys", "ground_truth", 300));
  auto defaults = trainer_options(path, {});
  EXPECT_EQ(defaults.agent.gamma, 0.0);
  EXPECT_EQ(defaults.agent.entropy_coef, 1e-4);
  auto set = trainer_options(path, {"policy.discount=0.99", "policy.entropy_coef=0.001"});
  EXPECT_EQ(set.agent.gamma, 0.99);
  EXPECT_EQ(set.agent.entropy_coef, 0.001);
  expect_refused(path, {{{"policy.discount=1.0"}, "policy.discount"},
                        {{"policy.entropy_coef=-1"}, "policy.entropy_coef"}});
}

// A budget that ends within the seed phase would record an untrained agent as the method's
// result: an input error at the start, one line, exit 2.
TEST(OnlineRun, ABudgetWithinTheSeedPhaseIsAnInputError) {
  TempDir dir;
  write_file(dir / "short.toml", online_config(dir / "short", "ground_truth", 150));
  auto r = run_relabel("run " + (dir / "short.toml"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("relabel: error: train.env_steps = 150 ends within the seed phase "
                          "(policy.seed_steps: 200 random steps before the first update)"),
            std::string::npos)
      << r.output;
}

// The MPPI planner's sizes reach the agent (defaults: TD-MPC2's 512 samples, 64 elites,
// 6 iterations, 24 from the prior); out of range, or inconsistent with each other, they are
// refused naming the key(s).
TEST(OnlineRun, PlannerKeysReachTheAgent) {
  TempDir dir;
  const std::string path = dir / "planner.toml";
  write_file(path, online_config(dir / "planner", "ground_truth", 300));
  auto defaults = trainer_options(path, {});
  EXPECT_FALSE(defaults.agent.mppi);
  EXPECT_EQ(defaults.agent.planner.num_samples, 512);
  EXPECT_EQ(defaults.agent.planner.num_elites, 64);
  EXPECT_EQ(defaults.agent.planner.iterations, 6);
  EXPECT_EQ(defaults.agent.planner.num_pi_trajs, 24);
  auto set =
      trainer_options(path, {"policy.mppi=true", "policy.mppi_samples=128", "policy.mppi_elites=16",
                             "policy.mppi_iterations=4", "policy.mppi_policy_trajs=12"});
  EXPECT_TRUE(set.agent.mppi);
  EXPECT_EQ(set.agent.planner.num_samples, 128);
  EXPECT_EQ(set.agent.planner.num_elites, 16);
  EXPECT_EQ(set.agent.planner.iterations, 4);
  EXPECT_EQ(set.agent.planner.num_pi_trajs, 12);
  expect_refused(
      path,
      {{{"policy.mppi_iterations=0"}, "policy.mppi_iterations"},
       {{"policy.mppi_samples=16", "policy.mppi_policy_trajs=16"}, "policy.mppi_policy_trajs = 16"},
       {{"policy.mppi_samples=32", "policy.mppi_elites=33"}, "policy.mppi_elites = 33"}});
}

TEST(OnlineRun, BadInputIsAOneLineError) {
  TempDir dir;
  auto run = [&](const std::string& name, const std::string& cfg, const std::string& args) {
    const std::string path = dir / (name + ".toml");
    write_file(path, cfg);
    return run_relabel("run " + path + args);
  };
  // More demonstrations asked for than the expert file holds.
  auto many = run("many", online_config(dir / "many", "cdred", 300),
                  " --set dataset.expert_trajectories=100000");
  EXPECT_EQ(many.exit_code, 2) << many.output;
  EXPECT_NE(many.output.find("expert_trajectories = 100000"), std::string::npos) << many.output;
  // A reward the online agent cannot use.
  auto zero = run("zero", online_config(dir / "zero", "zero", 300), "");
  EXPECT_EQ(zero.exit_code, 2) << zero.output;
  EXPECT_NE(zero.output.find("reward.method"), std::string::npos) << zero.output;
  // A missing expert file is caught when the configuration is loaded.
  auto missing = run("missing", online_config(dir / "missing", "cdred", 300),
                     " --set dataset.expert_path=" + (dir / "nope.hdf5"));
  EXPECT_EQ(missing.exit_code, 2) << missing.output;
  EXPECT_NE(missing.output.find("nope.hdf5"), std::string::npos) << missing.output;
}

TEST(OnlineRun, PinnedToItsExpertFile) {
  // A CDRED run learns from the demonstrations in its expert file: the record names that file's
  // identity, and once the file has other content a done run is refused (exit 2, the record
  // intact), not skipped as if its score belonged to the new demonstrations.
  TempDir dir;
  std::filesystem::copy_file(pendulum_file("expert"), dir / "expert.hdf5");
  std::string cfg = online_config(dir / "out", "cdred", 200);
  const std::string original = pendulum_file("expert");
  cfg.replace(cfg.find(original), original.size(), dir / "expert.hdf5");
  write_file(dir / "a.toml", cfg);
  auto first = run_relabel("run " + (dir / "a.toml"));
  ASSERT_EQ(first.exit_code, 0) << first.output;
  const json done = parse_result(dir / "out/result.json");
  ASSERT_TRUE(done.contains("dataset_identity")) << done.dump();
  EXPECT_EQ(done["dataset_identity"]["path"], dir / "expert.hdf5");
  EXPECT_GT(done["dataset_identity"]["rows"].get<int64_t>(), 0);
  auto skip = run_relabel("run " + (dir / "a.toml"));
  EXPECT_EQ(skip.exit_code, 0) << skip.output;
  EXPECT_NE(skip.output.find("already done"), std::string::npos) << skip.output;

  const std::string before = read_file(dir / "out/result.json");
  std::filesystem::copy_file(pendulum_file("medium"), dir / "expert.hdf5",
                             std::filesystem::copy_options::overwrite_existing);
  auto r = run_relabel("run " + (dir / "a.toml"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(
      r.output.find("relabel: error: " + (dir / "out") + ": done on " + (dir / "expert.hdf5")),
      std::string::npos)
      << r.output;
  EXPECT_EQ(read_file(dir / "out/result.json"), before);
}
