#pragma once
// Continuous mountain car in plain C++ (docs/envs.md, "mountaincar"; the Gym
// MountainCarContinuous-v0 dynamics): a sparse +100 on reaching the goal.
#include <random>

#include "envs/episode_env.h"

namespace relabel::envs {

class MountainCar final : public EpisodeEnv {
 public:
  static constexpr double kMinPosition = -1.2;
  static constexpr double kMaxPosition = 0.6;
  static constexpr double kMaxSpeed = 0.07;
  static constexpr double kGoalPosition = 0.45;
  static constexpr double kPower = 0.0015;
  static constexpr int kMaxSteps = 999;

  MountainCar() : EpisodeEnv("mountaincar") {}
  int obs_dim() const override { return 2; }
  int act_dim() const override { return 1; }
  std::vector<float> action_low() const override { return {-1.0f}; }
  std::vector<float> action_high() const override { return {1.0f}; }
  int max_episode_steps() const override { return kMaxSteps; }
  void reset_into(uint64_t seed, float* obs) override;
  void step_into(const float* action, float* obs, double& reward, bool& terminated,
                 bool& truncated) override;

  // Test hook: sets the raw state and lets the episode continue from it.
  void set_state(double position, double velocity);
  double position() const { return position_; }
  double velocity() const { return velocity_; }

 private:
  void observe(float* obs) const;
  double position_ = 0.0;
  double velocity_ = 0.0;
  std::mt19937_64 rng_;
};

}  // namespace relabel::envs
