#include <gtest/gtest.h>
#include <torch/torch.h>

#include "datagen/sac_trainer.h"

using relabel::algos::SacOptions;
using relabel::datagen::SacTrainer;
using relabel::datagen::SacTrainOptions;

// docs/algorithms.md: SAC must reach about −200 on pendulum within 20k steps (random ≈ −1200,
// a good policy ≈ −150). With the default architecture (256-unit MLPs, batch 256) and 1000
// random start steps, seeds 0/1/2 evaluate (20 episodes) −245/−259/−1116 at 4k steps,
// −312/−569/−148 at 8k, −180/−141/−146 at 9k and −179/−141/−144 at 10k: 9k steps is the shortest
// run that is stable across seeds, about 95 s of CPU on a busy 2-core machine.
TEST(SacPendulum, ReachesMinus250Within9000Steps) {
  torch::set_num_threads(1);
  SacTrainOptions t;
  t.steps = 9000;
  t.start_steps = 1000;
  t.eval_every = 0;  // evaluate once, after the last step
  t.eval_episodes = 20;
  t.seed = 0;
  SacTrainer trainer("pendulum", SacOptions{}, t);
  trainer.train();
  ASSERT_EQ(trainer.evaluations().size(), 1u);
  const auto& e = trainer.evaluations().back();
  EXPECT_EQ(e.step, 9000);
  EXPECT_EQ(trainer.agent().updates(), 8000);
  EXPECT_EQ(trainer.buffer().total_added(), 9000);
  EXPECT_EQ(trainer.episodes(), 45);  // 200-step episodes
  EXPECT_GE(e.mean_return, -250.0) << "std " << e.std_return;
}
