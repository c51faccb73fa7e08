#include "envs/action.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace relabel::envs {

void clip_action(const std::string& task, const float* action, int n, double bound,
                 double* clipped) {
  for (int i = 0; i < n; ++i) {
    const double a = action[i];
    if (!std::isfinite(a))
      throw RunError(fmt::format("{}: action[{}] is {} (the policy produced a non-finite action)",
                                 task, i, a));
    clipped[i] = std::clamp(a, -bound, bound);
  }
}

void check_action_size(const std::string& task, std::size_t got, int expected) {
  if (got != static_cast<std::size_t>(expected))
    throw Error(fmt::format("{}: action has {} values, expected {}", task, got, expected));
}

}  // namespace relabel::envs
