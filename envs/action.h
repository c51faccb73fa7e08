#pragma once
// Action validation shared by every task: size and finiteness checks, then clipping to the
// bounds (docs/envs.md: actions outside the bounds are clipped before the step).
#include <string>

namespace relabel::envs {

// Copies `n` values of `action` into `clipped`, each clipped to [-bound, bound]. Throws
// relabel::RunError naming the task and the index when a value is NaN or infinite (a policy
// that diverged): stepping a simulator with it would silently corrupt the episode.
void clip_action(const std::string& task, const float* action, int n, double bound,
                 double* clipped);

// Throws relabel::Error when an action vector has the wrong length.
void check_action_size(const std::string& task, std::size_t got, int expected);

}  // namespace relabel::envs
