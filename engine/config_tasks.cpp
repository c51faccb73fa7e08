#include "engine/config_tasks.h"

namespace relabel::engine {

// The task registry (envs::has_task / envs::task_names) is implemented by the envs module; until
// it is on main only the shape of the name is checked here. Switching to the registry changes
// nothing but this function.
std::string check_task_name(const std::string& name) {
  if (name.empty()) return "must name a registered task, got \"\"";
  if (name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_-") != std::string::npos)
    return "must be a registry name (lowercase letters, digits, '_', '-'), got \"" + name + "\"";
  return "";
}

}  // namespace relabel::engine
