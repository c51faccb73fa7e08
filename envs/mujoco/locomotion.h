#pragma once
// The MuJoCo locomotion tasks (docs/envs.md table): one class configured per task. The planar root
// is qpos[0] = x, qpos[1] = z, qpos[2] = pitch angle; observations are qpos[1:] and qvel.
#include <mujoco/mujoco.h>

#include <random>
#include <string>
#include <vector>

#include "envs/episode_env.h"

namespace relabel::envs {

struct LocomotionSpec {
  std::string name;
  std::string model_file;  // under envs/models/
  int frame_skip = 1;
  bool clip_obs_velocity = true;  // observation clips qvel to +-10
  double healthy_reward = 0.0;    // per step, paid while the episode runs
  double ctrl_cost_weight = 0.0;  // times the sum of squared (clipped) actions
  // Healthy ranges (else terminated); min_z >= max_z disables termination.
  double min_z = 0.0, max_z = 0.0;
  double max_abs_angle = 0.0;
  double max_abs_state = 0.0;  // bound on |qpos[2:]| and |qvel| (0: not checked)
  // Reset noise: qpos += U(+-qpos_noise); qvel += U(+-qvel_noise), or qvel_noise * N(0, 1)
  // when gaussian_qvel_noise.
  double qpos_noise = 0.0, qvel_noise = 0.0;
  bool gaussian_qvel_noise = false;
  int max_steps = 1000;
};

class LocomotionEnv final : public EpisodeEnv {
 public:
  explicit LocomotionEnv(LocomotionSpec spec);
  ~LocomotionEnv() override;
  LocomotionEnv(const LocomotionEnv&) = delete;
  LocomotionEnv& operator=(const LocomotionEnv&) = delete;

  int obs_dim() const override { return m_->nq - 1 + m_->nv; }
  int act_dim() const override { return m_->nu; }
  std::vector<float> action_low() const override;
  std::vector<float> action_high() const override;
  int max_episode_steps() const override { return spec_.max_steps; }
  void reset_into(uint64_t seed, float* obs) override;
  void step_into(const float* action, float* obs, double& reward, bool& terminated,
                 bool& truncated) override;

  const LocomotionSpec& spec() const { return spec_; }
  const mjModel* model() const { return m_; }
  const mjData* data() const { return d_; }
  double dt() const { return m_->opt.timestep * spec_.frame_skip; }
  // The termination rule on the current state (always true for a task that never terminates).
  bool healthy() const;
  std::vector<double> qpos() const { return {d_->qpos, d_->qpos + m_->nq}; }
  std::vector<double> qvel() const { return {d_->qvel, d_->qvel + m_->nv}; }
  // Test hook: sets the simulator state (nq and nv values) and lets the episode continue.
  void set_state(const std::vector<double>& qpos, const std::vector<double>& qvel);
  // Writes the observation of the current state (obs_dim floats).
  void observe(float* obs) const;

 private:
  void check_stable(int substep);

  LocomotionSpec spec_;
  const mjModel* m_;
  mjData* d_;
  std::vector<double> ctrl_;
  std::mt19937_64 rng_;
};

}  // namespace relabel::envs
