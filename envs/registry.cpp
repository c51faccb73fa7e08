#include "envs/registry.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/error.h"

namespace relabel::envs {
namespace {

// Tasks that exist only in builds with MuJoCo: named here so a build without it can say so.
const std::vector<std::string> kMujocoTasks = {"hopper", "walker2d", "halfcheetah"};

Registry<TaskInfo>& registry() { return Registry<TaskInfo>::instance(); }

}  // namespace

bool register_task(TaskInfo info, const char* file) {
  info.file = file;
  return registry().add(std::move(info));
}

const TaskInfo& find_task(const std::string& name) {
  if (const TaskInfo* t = registry().find(name)) return *t;
  if (std::find(kMujocoTasks.begin(), kMujocoTasks.end(), name) != kMujocoTasks.end())
    throw Error(fmt::format(
        "task '{}' needs MuJoCo, but this build lacks it (configure with -DRELABEL_WITH_MUJOCO=ON)",
        name));
  throw Error(
      fmt::format("unknown task '{}' (known tasks: {})", name, fmt::join(task_names(), ", ")));
}

bool has_task(const std::string& name) { return registry().find(name) != nullptr; }

std::vector<std::string> task_names() { return registry().names(); }

std::unique_ptr<Env> make_env(const std::string& name) { return find_task(name).make(); }

}  // namespace relabel::envs
