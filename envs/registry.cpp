#include "envs/registry.h"

#include <fmt/format.h>

#include <algorithm>

#include "engine/core/error.h"
#include "envs/mountaincar.h"
#include "envs/pendulum.h"
#ifdef RELABEL_HAVE_MUJOCO
#include "envs/mujoco/tasks.h"
#endif

namespace relabel::envs {
namespace {

// Tasks that exist only in builds with MuJoCo: named here so a build without it can say so.
const std::vector<std::string> kMujocoTasks = {"hopper", "walker2d", "halfcheetah"};

std::vector<TaskInfo> build_registry() {
  std::vector<TaskInfo> tasks;
  {
    TaskInfo t;
    t.name = "pendulum";
    t.obs_dim = 3;
    t.act_dim = 1;
    t.max_action = static_cast<float>(Pendulum::kMaxTorque);
    t.max_episode_steps = Pendulum::kMaxSteps;
    // Measured: uniform-random policy, 5 x 100 episodes (means -1177.6 .. -1228.8, overall
    // -1203.0); docs/envs.md quotes "about -1200". tests/envs re-measures it.
    t.ref_random_return = -1203.0;
    // docs/envs.md: "a good SAC policy scores about -150".
    t.ref_expert_return = -150.0;
    t.make = [] { return std::make_unique<Pendulum>(); };
    tasks.push_back(std::move(t));
  }
  {
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
    tasks.push_back(std::move(t));
  }
#ifdef RELABEL_HAVE_MUJOCO
  // D4RL's published reference returns (docs/envs.md, "Reference returns").
  struct Loco {
    const char* name;
    int obs_dim, act_dim;
    double random, expert;
    std::unique_ptr<Env> (*make)();
  };
  const Loco loco[] = {{"hopper", 11, 3, -20.272305, 3234.3, &make_hopper},
                       {"walker2d", 17, 6, 1.629008, 4592.3, &make_walker2d},
                       {"halfcheetah", 17, 6, -280.178953, 12135.0, &make_halfcheetah}};
  for (const Loco& l : loco) {
    TaskInfo t;
    t.name = l.name;
    t.obs_dim = l.obs_dim;
    t.act_dim = l.act_dim;
    t.max_action = 1.0f;
    t.max_episode_steps = 1000;
    t.ref_random_return = l.random;
    t.ref_expert_return = l.expert;
    t.needs_mujoco = true;
    t.make = l.make;
    tasks.push_back(std::move(t));
  }
#endif
  return tasks;
}

const std::vector<TaskInfo>& registry() {
  static const std::vector<TaskInfo> tasks = build_registry();  // thread-safe lazy init
  return tasks;
}

}  // namespace

const TaskInfo& find_task(const std::string& name) {
  for (const TaskInfo& t : registry())
    if (t.name == name) return t;
  if (std::find(kMujocoTasks.begin(), kMujocoTasks.end(), name) != kMujocoTasks.end())
    throw Error(fmt::format(
        "task '{}' needs MuJoCo, but this build lacks it (configure with -DRELABEL_WITH_MUJOCO=ON)",
        name));
  throw Error(
      fmt::format("unknown task '{}' (known tasks: {})", name, fmt::join(task_names(), ", ")));
}

bool has_task(const std::string& name) {
  const auto& tasks = registry();
  return std::any_of(tasks.begin(), tasks.end(), [&](const TaskInfo& t) { return t.name == name; });
}

std::vector<std::string> task_names() {
  std::vector<std::string> names;
  for (const TaskInfo& t : registry()) names.push_back(t.name);
  return names;
}

std::unique_ptr<Env> make_env(const std::string& name) { return find_task(name).make(); }

}  // namespace relabel::envs
