#pragma once
// Factories of the MuJoCo locomotion tasks (only in builds with MuJoCo).
#include <memory>

#include "envs/env.h"

namespace relabel::envs {

std::unique_ptr<Env> make_hopper();
std::unique_ptr<Env> make_walker2d();
std::unique_ptr<Env> make_halfcheetah();

}  // namespace relabel::envs
