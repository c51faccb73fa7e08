// The world-model trainer under mpirun -np 2: each rank steps its own environment, the group
// counts global steps, and the replicas stay identical.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "comm/gradient_sync.h"
#include "comm/mpi_collective.h"
#include "run/world_model_trainer.h"
#include "tests/support/replicas.h"

using relabel::comm::GradientSync;
using relabel::comm::MpiCollective;
using relabel::run::WorldModelTrainer;
using relabel::run::WorldModelTrainerOptions;

using relabel::test::same_on_all_ranks;
using relabel::test::world;

TEST(WorldModelSync, TrainerCountsGlobalStepsAndKeepsReplicasEqual) {
  torch::set_num_threads(1);
  GradientSync sync(world());
  WorldModelTrainerOptions o;
  o.task = "pendulum";
  o.agent.enc_dim = o.agent.mlp_dim = 32;
  o.agent.latent_dim = 16;
  o.agent.seed = 3;
  o.total_env_steps = 260;  // 130 iterations of 2 ranks
  o.seed_steps = 200;
  o.batch_size = 16;
  o.rank = world().rank();
  o.world_size = 2;
  o.env_seed = 40 + world().rank();
  o.buffer_seed = 50 + world().rank();
  WorldModelTrainer t(o, &sync);
  int iterations = 0;
  while (!t.done()) t.iterate(), ++iterations;
  EXPECT_EQ(iterations, 130);
  EXPECT_EQ(t.env_steps(), 260);
  EXPECT_EQ(t.replay_size(), 130);  // this rank's shard
  // 200 pre-training updates when the group's 200th step is reached, then 2 per iteration.
  EXPECT_EQ(t.agent().updates(), 200 + 2 * 30);
  EXPECT_TRUE(same_on_all_ranks(t.agent().parameters()));
}
