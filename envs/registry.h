#pragma once
// Task registry: name -> factory, dimensions, bounds, episode length and reference scores. A
// task registers itself with RELABEL_REGISTER_TASK in the file that defines it.
// (docs/envs.md). Every consumer (datagen, runs, config validation) goes through it.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/registry.h"
#include "envs/env.h"

namespace relabel::envs {

struct TaskInfo {
  std::string name;
  std::string file;  // the file that registered it (set by the macro)
  int obs_dim = 0;
  int act_dim = 0;
  float max_action = 1.0f;  // actions lie in [-max_action, max_action]^act_dim
  int max_episode_steps = 0;
  // Reference returns for the normalised score when a dataset carries none: R_random is the
  // mean return of a uniform-random policy (100 episodes), R_expert a good policy's return.
  double ref_random_return = 0.0;
  double ref_expert_return = 0.0;
  bool needs_mujoco = false;
  std::function<std::unique_ptr<Env>()> make;
};

// Throws relabel::Error naming the task and the known ones when `name` is not registered (or
// needs MuJoCo in a build without it).
const TaskInfo& find_task(const std::string& name);
bool has_task(const std::string& name);
std::vector<std::string> task_names();
std::unique_ptr<Env> make_env(const std::string& name);
// `file`: the registering file, named by the startup check (RELABEL_REGISTER_* passes __FILE__).
bool register_task(TaskInfo info, const char* file);

}  // namespace relabel::envs

#define RELABEL_REGISTER_TASK(...)                                                \
  static const bool RELABEL_REGISTRY_CAT(relabel_task_registered_, __COUNTER__) = \
      ::relabel::envs::register_task(__VA_ARGS__, __FILE__)
namespace relabel::envs {}  // namespace relabel::envs
