// Learning test (docs/algorithms.md, CDRED; issue 7): the world-model agent with the CDRED reward,
// given 5 expert trajectories and no environment reward, reaches >= 80% of the expert's
// normalised score on pendulum within a bounded number of environment steps (fixed seed).
// Measured while writing it: 80% is first reached at 2000 steps (1000 random seed steps, then
// 1000 pre-training updates and one per step), about 70 s of one loaded core.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <chrono>
#include <numeric>

#include "algos/reward/cdred_reward.h"
#include "envs/evaluate.h"
#include "envs/registry.h"
#include "run/world_model_trainer.h"
#include "tests/run/world_model_test_util.h"

using namespace relabel::algos;
using relabel::run::WorldModelTrainer;
using relabel::run::WorldModelTrainerOptions;

namespace {

double normalised(double ret) {
  const auto& info = relabel::envs::find_task("pendulum");
  return 100.0 * (ret - info.ref_random_return) / (info.ref_expert_return - info.ref_random_return);
}

double mean_return(const std::vector<relabel::envs::EpisodeStats>& eps) {
  double s = 0.0;
  for (const auto& e : eps) s += e.ret;
  return s / static_cast<double>(eps.size());
}

}  // namespace

TEST(WorldModelPendulum, CdredReachesEightyPercentOfTheExpert) {
  torch::set_num_threads(1);
  constexpr int kEvalEpisodes = 10;
  constexpr uint64_t kEvalSeed = 777;
  // The expert: a swing-up controller; its score on the evaluation episodes is the reference.
  relabel::envs::BatchPolicy expert = [](const float* obs, int n, float* actions) {
    for (int i = 0; i < n; ++i) actions[i] = relabel::test::pendulum_expert_action(obs + 3 * i);
  };
  const double expert_score = normalised(
      mean_return(relabel::envs::evaluate_episodes(expert, "pendulum", kEvalEpisodes, kEvalSeed)));
  ASSERT_GT(expert_score, 80.0) << "the scripted expert should be good";
  auto demos = relabel::test::pendulum_expert_columns(5, 2024);

  WorldModelTrainerOptions o;
  o.task = "pendulum";
  apply_world_model_preset(o.agent, "cpu-small");
  o.agent.seed = 2;
  CdredOptions c;
  c.target_hidden = 128;  // CPU-sized CDRED networks
  c.predictor_hidden = 128;
  c.predictor_layers = 2;
  o.reward = cdred_factory(c);
  o.total_env_steps = 5000;  // the bound; the run stops at the first passing evaluation
  o.seed_steps = 1000;
  o.batch_size = 64;  // and 64 expert sequences per update
  o.env_seed = 11;
  o.buffer_seed = 12;
  WorldModelTrainer trainer(o, nullptr, &demos);

  const auto start = std::chrono::steady_clock::now();
  double best = -1e9;
  int64_t reached_at = -1;
  while (!trainer.done()) {
    trainer.iterate();
    const int64_t step = trainer.env_steps();
    if (step % 1000 == 0) {
      const double score = normalised(mean_return(trainer.evaluate(kEvalEpisodes, kEvalSeed)));
      best = std::max(best, score);
      const auto& m = trainer.last_metrics();
      std::printf("step %5lld  score %6.1f (expert %.1f)  R expert %.3f replay %.3f  %.0fs\n",
                  static_cast<long long>(step), score, expert_score, m.at("reward_expert"),
                  m.at("reward_replay"),
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      if (score >= 0.8 * expert_score) {
        reached_at = step;
        break;
      }
    }
  }
  EXPECT_GE(reached_at, 0) << "best score " << best << " < 80% of the expert's " << expert_score;
}
