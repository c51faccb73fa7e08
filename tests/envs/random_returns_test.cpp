// Uniform-random returns over 100 episodes against the registry's reference (envs.md).
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "envs/evaluate.h"
#include "envs/registry.h"
#include "envs/seeding.h"

namespace relabel::envs {

// Mean return and length of a uniform-random policy (fixed seeds).
std::pair<double, double> random_policy_mean(const std::string& task, int episodes, uint64_t seed) {
  const TaskInfo& info = find_task(task);
  std::mt19937_64 rng(seed + 1000);
  BatchPolicy policy = [&](const float*, int n, float* act) {
    for (int i = 0; i < n * info.act_dim; ++i)
      act[i] = float(info.max_action * uniform(rng, -1.0, 1.0));
  };
  double ret = 0.0, len = 0.0;
  for (const EpisodeStats& e : evaluate_episodes(policy, task, episodes, seed)) {
    ret += e.ret;
    len += e.length;
  }
  return {ret / episodes, len / episodes};
}

namespace {

TEST(RandomReturns, Pendulum) {
  auto [ret, len] = random_policy_mean("pendulum", 100, 11);
  EXPECT_NEAR(ret, -1200.0, 120.0);  // envs.md: about -1200
  EXPECT_NEAR(ret, find_task("pendulum").ref_random_return, 120.0);
  EXPECT_EQ(len, 200.0);
}

TEST(RandomReturns, MountainCar) {
  auto [ret, len] = random_policy_mean("mountaincar", 100, 11);
  EXPECT_NEAR(ret, find_task("mountaincar").ref_random_return, 3.3);
  EXPECT_GT(len, 990.0);
}

}  // namespace
}  // namespace relabel::envs
