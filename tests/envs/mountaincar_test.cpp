// Mountain car dynamics, walls and goal on constructed states (docs/envs.md, "mountaincar").
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "core/error.h"
#include "envs/mountaincar.h"

namespace relabel::envs {
namespace {

TEST(MountainCar, StepMatchesFormula) {
  MountainCar env;
  const double cases[][3] = {{-0.5, 0.0, 1.0}, {-0.3, 0.02, -0.5}, {0.1, -0.01, 0.0}};
  for (const auto& c : cases) {
    env.set_state(c[0], c[1]);
    StepResult r = env.step({float(c[2])});
    const double a = float(c[2]);
    double v = c[1] + 0.0015 * a - 0.0025 * std::cos(3 * c[0]);
    const double p = c[0] + v;
    EXPECT_NEAR(env.velocity(), v, 1e-15);
    EXPECT_NEAR(env.position(), p, 1e-15);
    EXPECT_NEAR(r.reward, -0.1 * a * a, 1e-15);
    EXPECT_FALSE(r.terminated);
    EXPECT_FLOAT_EQ(r.obs[0], float(p));
    EXPECT_FLOAT_EQ(r.obs[1], float(v));
  }
}

TEST(MountainCar, ClipsForceSpeedAndWalls) {
  MountainCar env;
  env.set_state(-0.5, 0.0);
  StepResult r = env.step({5.0f});  // force clipped to 1: cost 0.1, not 2.5
  EXPECT_NEAR(r.reward, -0.1, 1e-15);
  EXPECT_NEAR(env.velocity(), 0.0015 - 0.0025 * std::cos(-1.5), 1e-15);
  env.set_state(-0.6, 0.0699);  // cos(3p) < 0: gravity adds speed too
  env.step({1.0f});
  EXPECT_EQ(env.velocity(), 0.07);  // speed clip
  env.set_state(-1.18, -0.05);
  env.step({-1.0f});
  EXPECT_EQ(env.position(), -1.2);  // left wall: position clipped, velocity stopped
  EXPECT_EQ(env.velocity(), 0.0);
}

TEST(MountainCar, GoalTerminatesWithBonus) {
  MountainCar env;
  env.set_state(0.44, 0.02);
  StepResult r = env.step({0.5f});
  EXPECT_TRUE(r.terminated);
  EXPECT_FALSE(r.truncated);
  EXPECT_NEAR(r.reward, 100.0 - 0.1 * 0.25, 1e-12);
  EXPECT_THROW(env.step({0.0f}), RunError);
  // Past the goal line but moving back: not terminal.
  env.set_state(0.5, -0.06);
  r = env.step({0.0f});
  EXPECT_FALSE(r.terminated);
  EXPECT_NEAR(r.reward, 0.0, 1e-15);
}

TEST(MountainCar, ResetAndTruncation) {
  MountainCar a, b;
  EXPECT_EQ(a.reset(7), b.reset(7));
  EXPECT_GE(a.position(), -0.6);
  EXPECT_LT(a.position(), -0.4);
  EXPECT_EQ(a.velocity(), 0.0);
  StepResult r;
  for (int t = 1; t <= 999; ++t) {
    r = a.step({0.0f});  // no force never reaches the goal
    ASSERT_EQ(r.truncated, t == 999) << t;
  }
  EXPECT_FALSE(r.terminated);
  b.reset(7);
  EXPECT_THROW(b.step({std::numeric_limits<float>::infinity()}), RunError);
}

}  // namespace
}  // namespace relabel::envs
