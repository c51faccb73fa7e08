#include "envs/mountaincar.h"

#include <algorithm>
#include <cmath>

#include "envs/action.h"
#include "envs/registry.h"
#include "envs/seeding.h"

namespace relabel::envs {

RELABEL_REGISTER_TASK([] {
  TaskInfo t;
  t.name = "mountaincar";
  t.obs_dim = 2;
  t.act_dim = 1;
  t.max_action = 1.0f;
  t.max_episode_steps = MountainCar::kMaxSteps;
  // Measured like pendulum's (5 x 100 episodes: -32.5 .. -33.4, overall -33.1): random
  // actions rarely reach the goal, so this is about the control cost alone,
  // -0.1 * E[a^2] * 999 = -33.3.
  t.ref_random_return = -33.1;
  // A good policy reaches the goal in about 100 steps at near-full force: +100 minus a
  // control cost of about 0.1 * 100 = 10, so about 90.
  t.ref_expert_return = 90.0;
  t.make = [] { return std::make_unique<MountainCar>(); };
  return t;
}());

void MountainCar::observe(float* obs) const {
  obs[0] = static_cast<float>(position_);
  obs[1] = static_cast<float>(velocity_);
}

void MountainCar::reset_into(uint64_t seed, float* obs) {
  rng_.seed(seed);
  position_ = uniform(rng_, -0.6, -0.4);
  velocity_ = 0.0;
  begin_episode();
  observe(obs);
}

void MountainCar::set_state(double position, double velocity) {
  position_ = position;
  velocity_ = velocity;
  resume_episode();
}

void MountainCar::step_into(const float* action, float* obs, double& reward, bool& terminated,
                            bool& truncated) {
  check_running();
  double force = 0.0;
  clip_action(name(), action, 1, 1.0, &force);
  velocity_ += kPower * force - 0.0025 * std::cos(3.0 * position_);
  velocity_ = std::clamp(velocity_, -kMaxSpeed, kMaxSpeed);
  position_ = std::clamp(position_ + velocity_, kMinPosition, kMaxPosition);
  if (position_ == kMinPosition && velocity_ < 0.0) velocity_ = 0.0;  // inelastic left wall
  terminated = position_ >= kGoalPosition && velocity_ >= 0.0;
  // The control cost uses the clipped action (docs/envs.md).
  reward = (terminated ? 100.0 : 0.0) - 0.1 * force * force;
  truncated = finish_step(terminated);
  observe(obs);
}

}  // namespace relabel::envs
