// Data-parallel world-model training under mpirun -np 2: each rank updates on its own data and
// noise, gradients are averaged through relabel::comm::GradientSync, and the replicas stay
// identical.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "algos/online/world_model.h"
#include "algos/reward/cdred_reward.h"
#include "comm/gradient_sync.h"
#include "comm/mpi_collective.h"
#include "tests/support/replicas.h"

using namespace relabel::algos;
using relabel::comm::GradientSync;
using relabel::comm::MpiCollective;

using relabel::test::same_on_all_ranks;
using relabel::test::world;

TEST(WorldModelSync, ReplicasStayIdenticalWithDifferentData) {
  torch::set_num_threads(1);
  ASSERT_EQ(world().size(), 2);
  GradientSync sync(world());
  WorldModelOptions o;
  o.obs_dim = 3;
  o.act_dim = 1;
  o.enc_dim = o.mlp_dim = 32;
  o.latent_dim = 16;
  o.seed = 5;
  o.rank = world().rank();
  CdredOptions c;
  c.latent_dim = 16;
  c.act_dim = 1;
  c.num_targets = 3;
  c.target_hidden = c.predictor_hidden = 32;
  c.output_dim = 16;
  c.predictor_layers = 2;
  CdredReward reward(c);
  WorldModelAgent agent(o, &reward, &sync);
  auto initial = agent.parameters();
  EXPECT_TRUE(same_on_all_ranks(initial));
  for (int i = 0; i < 3; ++i) {
    torch::manual_seed(100 + world().rank() * 10 + i);  // each rank its own data
    SequenceBatch replay{torch::randn({4, 8, 3}), torch::rand({3, 8, 1}) * 2 - 1,
                         torch::randn({3, 8}), torch::zeros({3, 8})};
    SequenceBatch expert{torch::randn({4, 8, 3}) + 1, torch::rand({3, 8, 1}), torch::zeros({3, 8}),
                         torch::zeros({3, 8})};
    agent.update(replay, &expert);
  }
  EXPECT_FALSE(torch::equal(agent.parameters(), initial));
  EXPECT_TRUE(same_on_all_ranks(agent.parameters()));
  EXPECT_TRUE(same_on_all_ranks(torch::tensor({agent.value_scale()}, torch::kFloat64)));
  // Exploration noise differs between the replicas.
  auto a = agent.act(torch::zeros({1, 3}), false);
  EXPECT_FALSE(same_on_all_ranks(a));
}
