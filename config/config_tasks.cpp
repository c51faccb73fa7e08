#include "config/config_tasks.h"

#include "config/config_schema.h"
#include "envs/registry.h"

namespace relabel::config {

std::string check_task_name(const std::string& name) {
  if (envs::has_task(name)) return "";
  auto names = envs::task_names();
  std::string known;
  for (const auto& t : names) known += (known.empty() ? "" : ", ") + t;
  auto guess = closest(name, names);
  return "unknown task '" + name + "'" + (guess.empty() ? "" : " (did you mean '" + guess + "'?)") +
         "; known tasks: " + known;
}

}  // namespace relabel::config
