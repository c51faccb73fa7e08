// Online training loop of the world-model agent: seed phase and update schedule, evaluation,
// and resume from a checkpoint taken mid-episode (same final parameters as without the stop).
#include "run/world_model_trainer.h"
#include "algos/reward/cdred_reward.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <sstream>

#include "core/error.h"
#include "tests/run/world_model_test_util.h"

using namespace relabel::algos;
using relabel::run::WorldModelTrainer;
using relabel::run::WorldModelTrainerOptions;

namespace {

WorldModelTrainerOptions tiny(bool cdred, bool mppi = false) {
  WorldModelTrainerOptions o;
  o.task = "pendulum";
  o.agent.enc_dim = 32;
  o.agent.mlp_dim = 32;
  o.agent.latent_dim = 16;
  o.agent.seed = 4;
  o.agent.mppi = mppi;
  o.agent.planner.num_samples = 32;
  o.agent.planner.num_elites = 4;
  o.agent.planner.num_pi_trajs = 4;
  o.agent.planner.iterations = 2;
  CdredOptions c;
  c.num_targets = 3;
  c.target_hidden = 32;
  c.output_dim = 16;
  c.predictor_hidden = 32;
  c.predictor_layers = 2;
  if (cdred) o.reward = cdred_factory(c);
  o.total_env_steps = 450;
  o.seed_steps = 200;
  o.batch_size = 16;
  o.env_seed = 21;
  o.buffer_seed = 22;
  return o;
}

std::string saved(const WorldModelTrainer& t) {
  torch::serialize::OutputArchive out;
  t.save(out);
  std::stringstream ss;
  out.save_to(ss);
  return ss.str();
}

void load_into(WorldModelTrainer& t, const std::string& bytes) {
  std::stringstream ss(bytes);
  torch::serialize::InputArchive in;
  in.load_from(ss);
  t.load(in);
}

}  // namespace

TEST(WorldModelTrainer, SeedPhaseThenOneUpdatePerStep) {
  torch::set_num_threads(1);
  auto o = tiny(false);
  o.total_env_steps = 230;
  WorldModelTrainer t(o);
  EXPECT_EQ(t.seed_steps(), 200);
  for (int i = 0; i < 199; ++i) t.iterate();
  EXPECT_EQ(t.timing().updates, 0);
  t.iterate();  // step 200 ends the seed phase: 200 pre-training updates
  EXPECT_EQ(t.timing().updates, 200);
  EXPECT_EQ(t.agent().updates(), 200);
  auto eps = t.take_finished_episodes();
  ASSERT_EQ(eps.size(), 1u);  // pendulum episodes are 200 steps
  EXPECT_EQ(eps[0].length, 200);
  while (!t.done()) t.iterate();
  EXPECT_EQ(t.env_steps(), 230);
  EXPECT_EQ(t.timing().updates, 230);
  EXPECT_EQ(t.replay_size(), 230);
  auto ev = t.evaluate(3, 5, 10);
  ASSERT_EQ(ev.size(), 3u);
  EXPECT_EQ(ev[0].episode, 10u);
  EXPECT_EQ(ev[2].length, 200);
  // Default seed phase: max(1000, 5 * 200).
  o.seed_steps = 0;
  o.total_env_steps = 2000;
  EXPECT_EQ(WorldModelTrainer(o).seed_steps(), 1000);
  // A budget within the seed phase never trains; a seed phase shorter than a sequence cannot
  // start: both are input errors.
  o.total_env_steps = 999;
  EXPECT_THROW(WorldModelTrainer{o}, relabel::Error);
  o.total_env_steps = 400;
  o.seed_steps = 2;  // horizon 3
  EXPECT_THROW(WorldModelTrainer{o}, relabel::Error);
}

TEST(WorldModelTrainer, CdredNeedsUsableDemonstrations) {
  auto o = tiny(true);
  EXPECT_THROW(WorldModelTrainer{o}, relabel::Error);  // none given
  auto demo = relabel::test::pendulum_expert_columns(1, 3);
  auto wrong = demo;
  wrong.obs = torch::zeros({demo.rows(), 4});
  EXPECT_THROW(WorldModelTrainer(o, nullptr, &wrong), relabel::Error);
  auto short_demo = demo;  // 2 transitions cannot hold horizon 3
  for (auto* c : {&short_demo.obs, &short_demo.actions, &short_demo.rewards, &short_demo.next_obs,
                  &short_demo.terminals, &short_demo.timeouts})
    *c = c->narrow(0, 0, 2);
  EXPECT_THROW(WorldModelTrainer(o, nullptr, &short_demo), relabel::Error);
  EXPECT_NO_THROW(WorldModelTrainer(o, nullptr, &demo));
}

// Stop at step 330 (mid-episode, after the seed phase), save, restore into a fresh trainer and
// finish: the parameters equal those of the uninterrupted run bit for bit.
void check_resume(bool cdred, bool mppi) {
  torch::set_num_threads(1);
  auto o = tiny(cdred, mppi);
  auto demo = relabel::test::pendulum_expert_columns(2, 7);
  const TransitionColumns* expert = cdred ? &demo : nullptr;
  WorldModelTrainer full(o, nullptr, expert);
  while (!full.done()) full.iterate();

  WorldModelTrainer first(o, nullptr, expert);
  for (int i = 0; i < 330; ++i) first.iterate();
  const std::string bytes = saved(first);
  auto other = o;
  other.agent.seed = 99;  // everything must come from the checkpoint
  other.env_seed = o.env_seed;
  WorldModelTrainer resumed(other, nullptr, expert);
  load_into(resumed, bytes);
  EXPECT_EQ(resumed.env_steps(), 330);
  while (!resumed.done()) resumed.iterate();
  EXPECT_EQ(resumed.agent().updates(), full.agent().updates());
  EXPECT_TRUE(torch::equal(resumed.agent().parameters(), full.agent().parameters()));
}

TEST(WorldModelTrainer, ResumeContinuesTheSameRun) { check_resume(false, false); }
TEST(WorldModelTrainer, ResumeContinuesTheSameCdredRun) { check_resume(true, false); }
TEST(WorldModelTrainer, ResumeContinuesTheSameMppiRun) { check_resume(false, true); }
