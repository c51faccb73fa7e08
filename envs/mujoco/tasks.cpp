// Task parameters from docs/envs.md (the Gym v3 defaults that D4RL's datasets were made with).
#include "envs/mujoco/tasks.h"

#include <cmath>

#include "envs/mujoco/locomotion.h"
#include "envs/registry.h"

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

namespace {
// D4RL's published reference returns (docs/envs.md, "Normalised score"); Gym v3 dimensions.
TaskInfo locomotion(const char* name, int obs_dim, int act_dim, double random, double expert,
                    std::unique_ptr<Env> (*make)()) {
  TaskInfo t;
  t.name = name;
  t.obs_dim = obs_dim;
  t.act_dim = act_dim;
  t.max_action = 1.0f;
  t.max_episode_steps = 1000;
  t.ref_random_return = random;
  t.ref_expert_return = expert;
  t.needs_mujoco = true;
  t.make = make;
  return t;
}
}  // namespace

RELABEL_REGISTER_TASK(locomotion("hopper", 11, 3, -20.272305, 3234.3, &make_hopper));
RELABEL_REGISTER_TASK(locomotion("walker2d", 17, 6, 1.629008, 4592.3, &make_walker2d));
RELABEL_REGISTER_TASK(locomotion("halfcheetah", 17, 6, -280.178953, 12135.0, &make_halfcheetah));

}  // namespace relabel::envs
