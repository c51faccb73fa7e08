// Learning test (docs/algorithms.md, latent world-model agent; docs/results.md, "The world-model
// agent on pendulum"): the example config (configs/pendulum-cdred.toml: 5000 environment steps,
// 1000 random seed steps, 64 replay sequences per update, acting by MPPI planning) ends with a
// *final* evaluation >= 80% of the expert's normalised score on each seed below, with the CDRED
// reward (zeta 0.8, 5 expert trajectories, no environment reward) and with the environment
// reward. The agent's options come from the example config itself, so the test follows it. Each
// (reward, seed) is its own ctest test, so they run side by side. docs/results.md has the same
// config over 10 seeds through `relabel sweep` (final >= 80 on 9/10 with CDRED, 10/10 with the
// true reward; acting with the policy prior instead, 8/10 each). Evaluated once, at the end: the
// score the sweep tables report as "final".
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <ostream>
#include <string>
#include <vector>

#include "config/config.h"
#include "envs/evaluate.h"
#include "envs/registry.h"
#include "run/offline_data.h"
#include "run/online_run.h"
#include "run/world_model_trainer.h"
#include "tests/run/world_model_test_util.h"

using relabel::run::WorldModelTrainer;
using relabel::run::WorldModelTrainerOptions;

namespace {

constexpr uint64_t kEvalSeed = 777;

// The engine's normalisation with pendulum's reference returns.
double normalised(double ret) {
  const auto& info = relabel::envs::find_task("pendulum");
  return relabel::run::normalised_score(ret, info.ref_random_return, info.ref_expert_return);
}

double mean_return(const std::vector<relabel::envs::EpisodeStats>& eps) {
  double s = 0.0;
  for (const auto& e : eps) s += e.ret;
  return s / static_cast<double>(eps.size());
}

struct Case {
  const char* reward;  // reward.method
  int seed;
};
void PrintTo(const Case& c, std::ostream* os) { *os << c.reward << " seed " << c.seed; }

class WorldModelPendulum : public ::testing::TestWithParam<Case> {};

TEST_P(WorldModelPendulum, ExampleConfigEndsAtEightyPercentOfTheExpert) {
  torch::set_num_threads(1);
  const Case c = GetParam();
  const auto config = relabel::config::load_run_config(
      std::string(RELABEL_SOURCE_DIR) + "/configs/pendulum-cdred.toml",
      {std::string("reward.method=") + c.reward, "seed=" + std::to_string(c.seed)});
  ASSERT_TRUE(config.policy.params.get<bool>("mppi")) << "the example config acts by MPPI";
  WorldModelTrainerOptions o = relabel::run::online_trainer_options(config, 0, 1);
  const int episodes = static_cast<int>(config.train.eval_episodes);

  // The expert: a scripted swing-up controller (5 of its episodes are the demonstrations); its
  // score on the evaluation episodes is the reference the agent is held to.
  relabel::envs::BatchPolicy expert = [](const float* obs, int n, float* actions) {
    for (int i = 0; i < n; ++i) actions[i] = relabel::test::pendulum_expert_action(obs + 3 * i);
  };
  const double expert_score = normalised(
      mean_return(relabel::envs::evaluate_episodes(expert, "pendulum", episodes, kEvalSeed)));
  ASSERT_GT(expert_score, 80.0) << "the scripted expert should be good";
  auto demos = relabel::test::pendulum_expert_columns(
      static_cast<int>(config.dataset.expert_trajectories), 2024);

  const bool cdred = std::string(c.reward) == "cdred";
  WorldModelTrainer trainer(o, nullptr, cdred ? &demos : nullptr);
  const auto start = std::chrono::steady_clock::now();
  while (!trainer.done()) trainer.iterate();
  const double score = normalised(mean_return(trainer.evaluate(episodes, kEvalSeed)));
  std::printf("%s seed %d: final score %.1f after %lld steps (expert %.1f), %.0f s\n", c.reward,
              c.seed, score, static_cast<long long>(trainer.env_steps()), expert_score,
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  EXPECT_EQ(trainer.env_steps(), config.train.env_steps);
  EXPECT_GE(score, 0.8 * expert_score) << c.reward << " seed " << c.seed;
}

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  return std::string(std::string(info.param.reward) == "cdred" ? "Cdred" : "TrueReward") + "Seed" +
         std::to_string(info.param.seed);
}

INSTANTIATE_TEST_SUITE_P(FinalScore, WorldModelPendulum,
                         ::testing::Values(Case{"cdred", 0}, Case{"cdred", 1},
                                           Case{"ground_truth", 0}, Case{"ground_truth", 1}),
                         case_name);

}  // namespace
