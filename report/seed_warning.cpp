#include "report/seed_warning.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "report/report_format.h"

namespace relabel::report {

int group_seeds(const Group& g) {
  int n = 0;
  for (const auto& c : g.cells)
    if (c.n_done > 0) n = n == 0 ? c.n_done : std::min(n, c.n_done);
  return n;
}

std::vector<int> few_seed_groups(const Aggregation& a) {
  std::vector<int> out;
  for (size_t g = 0; g < a.groups.size(); ++g) {
    int n = group_seeds(a.groups[g]);
    if (n > 0 && n < kMinSeedsForInterval) out.push_back(static_cast<int>(g));
  }
  return out;
}

std::string few_seeds_warning(const Aggregation& a) {
  auto few = few_seed_groups(a);
  if (few.empty()) return "";
  std::vector<std::string> names;
  for (int g : few)
    names.push_back(fmt::format("{} (n = {})", a.groups[g].label, group_seeds(a.groups[g])));
  return fmt::format(
      "fewer than {} seeds in {} group{}: {}; their confidence intervals are shown as n/a "
      "(run more seeds for intervals)",
      kMinSeedsForInterval, few.size(), few.size() == 1 ? "" : "s", fmt::join(names, ", "));
}

std::string format_with_ci_or_na(double point, Interval ci, int n, int decimals) {
  if (std::isnan(point) || n >= kMinSeedsForInterval) return format_with_ci(point, ci, decimals);
  return fmt::format("{:.{}f} n/a (n = {})", point, decimals, n);
}

}  // namespace relabel::report
