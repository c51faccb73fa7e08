// Pendulum dynamics against docs/envs.md's formulas, computed by hand here.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "core/error.h"
#include "envs/pendulum.h"

namespace relabel::envs {
namespace {

struct Expected {
  double theta, theta_dot, reward;
};

// docs/envs.md: cost on the pre-update state, then semi-implicit Euler with the speed clip.
Expected by_hand(double th, double thd, double a) {
  const double u = std::max(-2.0, std::min(2.0, a));
  double w = std::fmod(th + M_PI, 2 * M_PI);
  if (w < 0) w += 2 * M_PI;
  w -= M_PI;
  const double cost = w * w + 0.1 * thd * thd + 0.001 * u * u;
  double nthd = thd + (3 * 10.0 / 2.0 * std::sin(th) + 3.0 * u) * 0.05;
  nthd = std::max(-8.0, std::min(8.0, nthd));
  return {th + nthd * 0.05, nthd, -cost};
}

TEST(Pendulum, StepMatchesFormula) {
  const double cases[][3] = {{0.3, -0.5, 1.0},  {-2.9, 0.7, -1.5}, {3.0, 7.9, 2.0},
                             {7.5, -3.0, 0.25}, {-9.0, 1.0, -2.0}, {1.0, 0.0, 0.0}};
  Pendulum env;
  for (const auto& c : cases) {
    env.set_state(c[0], c[1]);
    StepResult r = env.step({float(c[2])});
    Expected e = by_hand(c[0], c[1], float(c[2]));
    EXPECT_NEAR(env.theta(), e.theta, 1e-12) << c[0] << " " << c[1] << " " << c[2];
    EXPECT_NEAR(env.theta_dot(), e.theta_dot, 1e-12);
    EXPECT_NEAR(r.reward, e.reward, 1e-12);
    ASSERT_EQ(r.obs.size(), 3u);
    EXPECT_FLOAT_EQ(r.obs[0], float(std::cos(e.theta)));
    EXPECT_FLOAT_EQ(r.obs[1], float(std::sin(e.theta)));
    EXPECT_FLOAT_EQ(r.obs[2], float(e.theta_dot));
    EXPECT_FALSE(r.terminated);
  }
}

TEST(Pendulum, WrapUsesFlooredModulo) {
  EXPECT_NEAR(Pendulum::wrap_angle(0.5), 0.5, 1e-15);
  EXPECT_NEAR(Pendulum::wrap_angle(M_PI + 0.25), -M_PI + 0.25, 1e-12);
  EXPECT_NEAR(Pendulum::wrap_angle(-M_PI - 0.25), M_PI - 0.25, 1e-12);
  EXPECT_NEAR(Pendulum::wrap_angle(-7.0), -7.0 + 2 * M_PI, 1e-12);
  // A state far from 0 costs by its wrapped angle: theta = 2pi + 0.1 costs like 0.1.
  Pendulum env;
  env.set_state(2 * M_PI + 0.1, 0.0);
  EXPECT_NEAR(env.step({0.0f}).reward, -0.01, 1e-12);
}

TEST(Pendulum, ActionIsClippedAndCostUsesClippedAction) {
  Pendulum a, b;
  a.set_state(0.2, 0.1);
  b.set_state(0.2, 0.1);
  StepResult big = a.step({50.0f});
  StepResult two = b.step({2.0f});
  EXPECT_EQ(a.theta_dot(), b.theta_dot());
  EXPECT_EQ(big.reward, two.reward);
  EXPECT_NEAR(big.reward, -(0.04 + 0.1 * 0.01 + 0.001 * 4.0), 1e-12);
}

TEST(Pendulum, SpeedIsClipped) {
  Pendulum env;
  env.set_state(M_PI / 2, 7.9);  // gravity and torque both push the speed above 8
  env.step({2.0f});
  EXPECT_EQ(env.theta_dot(), 8.0);
  env.set_state(-M_PI / 2, -7.9);
  env.step({-2.0f});
  EXPECT_EQ(env.theta_dot(), -8.0);
}

TEST(Pendulum, SeededResetIsReproducibleAndInRange) {
  Pendulum a, b;
  EXPECT_EQ(a.reset(42), b.reset(42));
  EXPECT_EQ(a.theta(), b.theta());
  for (int i = 0; i < 5; ++i) EXPECT_EQ(a.step({0.3f}).obs, b.step({0.3f}).obs);
  EXPECT_NE(a.reset(43), b.reset(42));
  for (uint64_t s = 0; s < 200; ++s) {
    a.reset(s);
    EXPECT_GE(a.theta(), -M_PI);
    EXPECT_LT(a.theta(), M_PI);
    EXPECT_GE(a.theta_dot(), -1.0);
    EXPECT_LT(a.theta_dot(), 1.0);
  }
}

TEST(Pendulum, TruncatesAt200Steps) {
  Pendulum env;
  env.reset(1);
  for (int t = 1; t <= 200; ++t) {
    StepResult r = env.step({0.0f});
    EXPECT_FALSE(r.terminated);
    EXPECT_EQ(r.truncated, t == 200) << t;
  }
  EXPECT_THROW(env.step({0.0f}), RunError);  // the episode has ended
}

TEST(Pendulum, BadActionsAreClearErrors) {
  Pendulum env;
  env.reset(0);
  try {
    env.step({std::numeric_limits<float>::quiet_NaN()});
    FAIL() << "NaN action accepted";
  } catch (const RunError& e) {
    EXPECT_NE(std::string(e.what()).find("pendulum: action[0] is nan"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(env.step({1.0f, 2.0f}), Error);
  Pendulum fresh;
  EXPECT_THROW(fresh.step({0.0f}), RunError);  // never reset
}

}  // namespace
}  // namespace relabel::envs
