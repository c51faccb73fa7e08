#include "envs/mountaincar.h"

#include <algorithm>
#include <cmath>

#include "envs/action.h"
#include "envs/seeding.h"

namespace relabel::envs {

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
