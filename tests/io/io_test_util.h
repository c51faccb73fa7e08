#pragma once
// Synthetic datasets shared by the io tests.
#include <torch/torch.h>

#include "io/dataset.h"

namespace relabel::io::test {

// n rows with distinct values per row (row i's observations start at i), episodes of
// `episode_length` rows ending alternately in a terminal and a timeout, the last one cut short.
inline Dataset synthetic_dataset(int64_t n, int64_t obs_dim = 3, int64_t act_dim = 2,
                                 int64_t episode_length = 7) {
  torch::manual_seed(1234);
  auto row = torch::arange(n, torch::kFloat).unsqueeze(1);
  Dataset ds;
  ds.observations = row + 0.001f * torch::arange(obs_dim, torch::kFloat).unsqueeze(0);
  ds.next_observations = ds.observations + 0.5f;
  ds.actions = torch::randn({n, act_dim});
  ds.rewards = torch::randn({n});
  ds.terminals = torch::zeros({n}, torch::kBool);
  ds.timeouts = torch::zeros({n}, torch::kBool);
  for (int64_t end = episode_length - 1, e = 0; end < n - 1; end += episode_length, ++e) {
    (e % 2 == 0 ? ds.terminals : ds.timeouts)[end] = true;
  }
  ds.info.env = "hopper";
  ds.info.generator = "sac-medium-100000";
  ds.info.ref_min_score = -20.272305;
  ds.info.ref_max_score = 3234.3;
  ds.info.seed = 42;
  ds.total_rows = n;
  return ds;
}

inline void expect_same_rows(const Dataset& a, const Dataset& b) {
  ASSERT_EQ(a.size(), b.size());
  EXPECT_TRUE(torch::equal(a.observations, b.observations));
  EXPECT_TRUE(torch::equal(a.actions, b.actions));
  ASSERT_EQ(a.has_rewards(), b.has_rewards());
  if (a.has_rewards()) {
    EXPECT_TRUE(torch::equal(a.rewards, b.rewards));
  }
  EXPECT_TRUE(torch::equal(a.next_observations, b.next_observations));
  EXPECT_TRUE(torch::equal(a.terminals, b.terminals));
  EXPECT_TRUE(torch::equal(a.timeouts, b.timeouts));
}

}  // namespace relabel::io::test
