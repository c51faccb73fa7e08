// Task parameters from docs/envs.md (the Gym v3 defaults that D4RL's datasets were made with).
#include "envs/mujoco/tasks.h"

#include <cmath>

#include "envs/mujoco/locomotion.h"

namespace relabel::envs {

std::unique_ptr<Env> make_hopper() {
  LocomotionSpec s;
  s.name = "hopper";
  s.model_file = "hopper.xml";
  s.frame_skip = 4;
  s.healthy_reward = 1.0;
  s.ctrl_cost_weight = 1e-3;
  s.min_z = 0.7;
  s.max_z = HUGE_VAL;
  s.max_abs_angle = 0.2;
  s.max_abs_state = 100.0;
  s.qpos_noise = s.qvel_noise = 5e-3;
  return std::make_unique<LocomotionEnv>(s);
}

std::unique_ptr<Env> make_walker2d() {
  LocomotionSpec s;
  s.name = "walker2d";
  s.model_file = "walker2d.xml";
  s.frame_skip = 4;
  s.healthy_reward = 1.0;
  s.ctrl_cost_weight = 1e-3;
  s.min_z = 0.8;
  s.max_z = 2.0;
  s.max_abs_angle = 1.0;
  s.qpos_noise = s.qvel_noise = 5e-3;
  return std::make_unique<LocomotionEnv>(s);
}

std::unique_ptr<Env> make_halfcheetah() {
  LocomotionSpec s;
  s.name = "halfcheetah";
  s.model_file = "halfcheetah.xml";
  s.frame_skip = 5;
  s.clip_obs_velocity = false;
  s.ctrl_cost_weight = 0.1;  // never terminates: min_z == max_z
  s.qpos_noise = 0.1;
  s.qvel_noise = 0.1;
  s.gaussian_qvel_noise = true;
  return std::make_unique<LocomotionEnv>(s);
}

}  // namespace relabel::envs
