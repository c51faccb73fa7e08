#include "io/episodes.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "core/error.h"
#include "tests/io/io_test_util.h"

namespace relabel::io {
namespace {

TEST(Episodes, SplitOnTerminalsTimeoutsAndTheLastRow) {
  auto term = torch::tensor({0, 0, 1, 0, 0, 0, 0, 0}).to(torch::kBool);
  auto tout = torch::tensor({0, 0, 0, 0, 1, 0, 0, 0}).to(torch::kBool);
  auto eps = split_episodes(term, tout);
  ASSERT_EQ(eps.size(), 3u);
  EXPECT_EQ(eps[0].begin, 0);
  EXPECT_EQ(eps[0].end, 3);
  EXPECT_EQ(eps[1].begin, 3);
  EXPECT_EQ(eps[1].end, 5);
  EXPECT_EQ(eps[2].begin, 5);
  EXPECT_EQ(eps[2].end, 8);
  // Flag on the last row: no empty trailing episode.
  auto eps2 = split_episodes(torch::tensor({0, 1}).to(torch::kBool),
                             torch::tensor({0, 0}).to(torch::kBool));
  ASSERT_EQ(eps2.size(), 1u);
  EXPECT_EQ(eps2[0].end, 2);
}

TEST(Episodes, ReturnsAreSumsOfRewards) {
  auto rewards = torch::tensor({1.0f, 2.0f, 3.0f, 4.0f, 5.0f});
  std::vector<Episode> eps = {{0, 2}, {2, 5}};
  auto r = episode_returns(rewards, eps);
  EXPECT_DOUBLE_EQ(r[0].item<double>(), 3.0);
  EXPECT_DOUBLE_EQ(r[1].item<double>(), 12.0);
}

TEST(Episodes, BestTrajectoriesAreTheHighestReturns) {
  Dataset ds = test::synthetic_dataset(30, 3, 2, 6);  // 5 episodes of 6 rows
  ds.timeouts[29] = true;  // the last one ends too (the fixture cuts it short otherwise)
  ds.rewards = torch::zeros({30});
  ds.rewards.slice(0, 6, 12).fill_(2.0f);   // episode 1: return 12
  ds.rewards.slice(0, 24, 30).fill_(1.0f);  // episode 4: return 6
  ds.rewards.slice(0, 12, 18).fill_(-1.0f);
  Dataset best = select_best_trajectories(ds, 2);
  ASSERT_EQ(best.size(), 12);
  EXPECT_TRUE(torch::equal(best.observations.slice(0, 0, 6), ds.observations.slice(0, 6, 12)));
  EXPECT_TRUE(torch::equal(best.observations.slice(0, 6, 12), ds.observations.slice(0, 24, 30)));
  Dataset one = select_best_trajectories(ds, 1);
  EXPECT_FLOAT_EQ(one.rewards.sum().item<float>(), 12.0f);
  EXPECT_THROW(select_best_trajectories(ds, 6), Error);
  EXPECT_THROW(select_best_trajectories(ds, 0), Error);
}

// A file cut mid-episode ends in a fragment: with negative rewards its return beats every
// whole episode's, but it is not a trajectory: it is never selected, nor counted.
TEST(Episodes, BestTrajectoriesNeverIncludeAnUnfinishedTail) {
  Dataset ds = test::synthetic_dataset(30, 3, 2, 6);  // 5 episodes of 6 rows
  ds.rewards = torch::full({30}, -1.0f);
  ds.rewards.slice(0, 6, 12).fill_(-0.5f);  // episode 1: return -3, the best whole episode
  ds.timeouts[29] = false;                  // rows 24..29 end without a flag: a fragment,
  ds.terminals[29] = false;
  ds.rewards.slice(0, 24, 30).fill_(0.0f);  // with the highest return, 0
  ASSERT_FALSE(last_episode_complete(ds.terminals, ds.timeouts, split_episodes(ds)));
  Dataset one = select_best_trajectories(ds, 1);
  ASSERT_EQ(one.size(), 6);
  EXPECT_TRUE(torch::equal(one.observations, ds.observations.slice(0, 6, 12)));
  EXPECT_NO_THROW(select_best_trajectories(ds, 4));
  try {
    select_best_trajectories(ds, 5);
    FAIL() << "the fragment counted as a fifth episode";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("has 4 complete episodes (its last 6 rows end without a "
                                         "terminal or timeout)"),
              std::string::npos)
        << e.what();
  }
}

TEST(Episodes, LabelledSubsetFractionAndDeterminism) {
  auto a = labelled_subset(1000, 0.1, 7);
  auto b = labelled_subset(1000, 0.1, 7);
  auto c = labelled_subset(1000, 0.1, 8);
  ASSERT_EQ(a.numel(), 100);
  EXPECT_TRUE(torch::equal(a, b));
  EXPECT_FALSE(torch::equal(a, c));
  EXPECT_TRUE(torch::equal(a, std::get<0>(torch::sort(a))));
  EXPECT_EQ(std::get<0>(at::_unique(a)).numel(), 100);  // no repeats
  EXPECT_GE(a.min().item<int64_t>(), 0);
  EXPECT_LT(a.max().item<int64_t>(), 1000);
  // Spread over the whole range, not a prefix.
  EXPECT_GT(a.max().item<int64_t>(), 500);
  EXPECT_EQ(labelled_subset(1000, 1.0, 3).numel(), 1000);
  EXPECT_EQ(labelled_subset(1000, 1e-9, 3).numel(), 1);  // at least one row
  EXPECT_THROW(labelled_subset(1000, 0.0, 3), Error);
  EXPECT_THROW(labelled_subset(1000, 1.5, 3), Error);
  // A fixed seed gives a fixed answer (guards against platform-dependent shuffles).
  EXPECT_EQ(seeded_permutation(5, 1), seeded_permutation(5, 1));
  EXPECT_NE(seeded_permutation(50, 1), seeded_permutation(50, 2));
}

TEST(Episodes, LabelledSubsetByTrajectoryTakesWholeEpisodes) {
  Dataset ds = test::synthetic_dataset(100, 3, 2, 10);  // 10 episodes of 10 rows
  auto eps = split_episodes(ds);
  ASSERT_EQ(eps.size(), 10u);
  auto rows = labelled_subset(100, 0.25, 11, true, eps);
  EXPECT_EQ(rows.numel(), 30);  // whole episodes until >= 25 rows
  std::set<int64_t> episodes_hit;
  auto acc = rows.accessor<int64_t, 1>();
  for (int64_t i = 0; i < rows.numel(); ++i) episodes_hit.insert(acc[i] / 10);
  EXPECT_EQ(episodes_hit.size(), 3u);
  EXPECT_TRUE(torch::equal(rows, labelled_subset(100, 0.25, 11, true, eps)));
  EXPECT_FALSE(torch::equal(rows, labelled_subset(100, 0.25, 12, true, eps)));
  EXPECT_THROW(labelled_subset(100, 0.25, 11, true, {}), Error);
}

}  // namespace
}  // namespace relabel::io
