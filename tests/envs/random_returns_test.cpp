// Uniform-random returns over 100 episodes against the registry's reference (docs/envs.md).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
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
  std::printf("%s: uniform-random mean return %.3f, mean length %.1f over %d episodes\n",
              task.c_str(), ret / episodes, len / episodes, episodes);
  return {ret / episodes, len / episodes};
}

namespace {

TEST(RandomReturns, Pendulum) {
  auto [ret, len] = random_policy_mean("pendulum", 100, 11);
  EXPECT_NEAR(ret, -1200.0, 120.0);  // docs/envs.md: about -1200
  EXPECT_NEAR(ret, find_task("pendulum").ref_random_return, 120.0);
  EXPECT_EQ(len, 200.0);
}

TEST(RandomReturns, MountainCar) {
  auto [ret, len] = random_policy_mean("mountaincar", 100, 11);
  EXPECT_NEAR(ret, find_task("mountaincar").ref_random_return, 3.3);
  EXPECT_GT(len, 990.0);
}

#ifdef RELABEL_HAVE_MUJOCO
// docs/envs.md's reference checks under MuJoCo 2.2.2 (uniform random actions, 100 episodes): within
// 10% or 5 absolute, whichever is wider.
TEST(RandomReturns, Hopper) {
  auto [ret, len] = random_policy_mean("hopper", 100, 11);
  EXPECT_NEAR(ret, 18.0, 5.0);
  EXPECT_NEAR(len, 22.0, 2.2);
}

TEST(RandomReturns, Walker2d) {
  auto [ret, len] = random_policy_mean("walker2d", 100, 11);
  EXPECT_NEAR(ret, 2.0, 5.0);
  EXPECT_NEAR(len, 20.0, 2.0);
}

TEST(RandomReturns, HalfCheetah) {
  auto [ret, len] = random_policy_mean("halfcheetah", 100, 11);
  EXPECT_NEAR(ret, -279.0, 27.9);
  EXPECT_EQ(len, 1000.0);
}
#endif

}  // namespace
}  // namespace relabel::envs
