#pragma once
// The task-name check of the configuration, kept behind one function so the config loader
// depends on the task registry (envs/registry.h) in exactly one place.
#include <string>

namespace relabel::config {

// "" when `name` is a registered task, else the message ("unknown task 'x'; known: a, b").
std::string check_task_name(const std::string& name);

}  // namespace relabel::config
