#pragma once
// Pendulum swing-up in plain C++ (docs/envs.md, "pendulum"; the Gym Pendulum-v1 dynamics).
#include <random>

#include "envs/episode_env.h"

namespace relabel::envs {

class Pendulum final : public EpisodeEnv {
 public:
  static constexpr double kGravity = 10.0;
  static constexpr double kMass = 1.0;
  static constexpr double kLength = 1.0;
  static constexpr double kDt = 0.05;
  static constexpr double kMaxSpeed = 8.0;
  static constexpr double kMaxTorque = 2.0;
  static constexpr int kMaxSteps = 200;

  Pendulum() : EpisodeEnv("pendulum") {}
  int obs_dim() const override { return 3; }
  int act_dim() const override { return 1; }
  std::vector<float> action_low() const override { return {-float(kMaxTorque)}; }
  std::vector<float> action_high() const override { return {float(kMaxTorque)}; }
  int max_episode_steps() const override { return kMaxSteps; }
  void reset_into(uint64_t seed, float* obs) override;
  void step_into(const float* action, float* obs, double& reward, bool& terminated,
                 bool& truncated) override;

  // Test hook: sets the raw state and starts an episode from it (the step count is kept).
  void set_state(double theta, double theta_dot);
  double theta() const { return theta_; }
  double theta_dot() const { return theta_dot_; }

  // Angle wrapped into [-pi, pi): ((x + pi) mod 2pi) - pi with a floored modulo.
  static double wrap_angle(double x);

 private:
  void observe(float* obs) const;
  double theta_ = 0.0;
  double theta_dot_ = 0.0;
  std::mt19937_64 rng_;
};

}  // namespace relabel::envs
