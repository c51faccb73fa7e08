#pragma once
// Loading the MJCF models once per process and MuJoCo's global error handling.
#include <mujoco/mujoco.h>

#include <string>

namespace relabel::envs {

// Path of a model file: $RELABEL_MODELS_DIR, then the installed data dir, then the source tree.
// Throws relabel::Error naming every path tried.
std::string find_model_file(const std::string& file);

// The process-wide model compiled from `file` (e.g. "hopper.xml"): loaded on first use,
// thread-safe, never freed. Environments share it read-only and own one mjData each.
const mjModel* shared_model(const std::string& file);

// Installs MuJoCo's error and warning handlers (idempotent; shared_model calls it, before any
// mjData exists). MuJoCo requires that an error handler does not return: ours throws
// relabel::RunError("MuJoCo error: ..."). The exception unwinds through MuJoCo's C frames,
// which Debian's libmujoco supports (it is built with unwind tables); the mjData involved is
// then inconsistent, so the environment refuses to step until reset (which rebuilds it with
// mj_resetData). Warnings are logged; the instabilities that matter are detected from
// mjData::warning after each step.
void install_mujoco_handlers();

}  // namespace relabel::envs
