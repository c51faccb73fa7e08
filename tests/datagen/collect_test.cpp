#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/error.h"
#include "datagen/datagen.h"
#include "datagen/datagen_collect.h"
#include "io/episodes.h"

using namespace relabel;
using namespace relabel::datagen;

TEST(DatagenCollect, StoresRowsFlagsTheCutAndCountsCompleteEpisodes) {
  // Pendulum episodes last 200 steps: 450 rows = 2 complete episodes + a cut of 50 rows.
  auto c = collect_transitions("pendulum", uniform_policy("pendulum", 1), 450, 7, 5);
  ASSERT_EQ(c.data.size(), 450);
  EXPECT_EQ(c.episodes_in_data, 2);
  ASSERT_EQ(c.returns.size(), 5u);  // topped up with 3 unstored episodes
  auto eps = relabel::io::split_episodes(c.data);
  ASSERT_EQ(eps.size(), 3u);
  EXPECT_EQ(eps[0].length(), 200);
  EXPECT_EQ(eps[2].length(), 50);
  EXPECT_TRUE(c.data.timeouts[199].item<bool>());
  EXPECT_TRUE(c.data.timeouts[449].item<bool>());  // the cut
  EXPECT_FALSE(c.data.terminals.any().item<bool>());
  auto returns = relabel::io::episode_returns(c.data.rewards, eps);
  EXPECT_NEAR(returns[0].item<double>(), c.returns[0], 1e-3);
  EXPECT_NEAR(returns[1].item<double>(), c.returns[1], 1e-3);
  EXPECT_EQ(complete_episode_returns(c.data, 200).size(), 2u);
  // Transitions chain within an episode and the actions respect the bounds.
  EXPECT_TRUE(torch::equal(c.data.next_observations.narrow(0, 0, 199),
                           c.data.observations.narrow(0, 1, 199)));
  EXPECT_LE(c.data.actions.abs().max().item<float>(), 2.0f);
  // Seeded: the same arguments give the same data.
  auto d = collect_transitions("pendulum", uniform_policy("pendulum", 1), 450, 7, 5);
  EXPECT_TRUE(torch::equal(c.data.observations, d.data.observations));
  EXPECT_TRUE(torch::equal(c.data.actions, d.data.actions));
}

TEST(DatagenCollect, SplitsDatasetNames) {
  EXPECT_EQ(split_dataset_name("pendulum-medium-expert"),
            std::make_pair(std::string("pendulum"), std::string("medium-expert")));
  EXPECT_EQ(split_dataset_name("pendulum-medium-replay").second, "medium-replay");
  EXPECT_EQ(split_dataset_name("pendulum-expert").second, "expert");
  EXPECT_EQ(split_dataset_name("pendulum-random").first, "pendulum");
  EXPECT_THROW(split_dataset_name("pendulum-best"), relabel::Error);
  EXPECT_THROW(split_dataset_name("nosuchtask-medium"), relabel::Error);
}

TEST(DatagenCollect, ResolvesDefaultsAndRejectsBadArguments) {
  DatagenOptions o;
  o.task = "pendulum";
  o.out_dir = "x";
  auto r = resolve_datagen_options(o);
  EXPECT_EQ(r.steps, 20000);
  EXPECT_EQ(r.size, 20000);
  EXPECT_EQ(r.start_steps, 1000);
  o.steps = 100;
  o.start_steps = 100;
  EXPECT_THROW(resolve_datagen_options(o), relabel::Error);
  o.task = "nosuchtask";
  EXPECT_THROW(resolve_datagen_options(o), relabel::Error);
}
