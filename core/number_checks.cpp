#include "core/number_checks.h"

#include <fmt/format.h>

#include "core/error.h"

namespace relabel {

std::string whole_at_least_problem(int64_t lo, const std::string& got) {
  return fmt::format("must be a whole number >= {}, got {}", lo, got);
}

std::string whole_in_problem(int64_t lo, int64_t hi, const std::string& got) {
  return fmt::format("must be a whole number from {} to {}, got {}", lo, hi, got);
}

void require_whole_at_least(const std::string& name, int64_t value, int64_t lo) {
  if (value < lo)
    throw Error(fmt::format("{}: {}", name, whole_at_least_problem(lo, std::to_string(value))));
}

}  // namespace relabel
