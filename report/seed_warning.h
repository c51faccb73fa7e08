#pragma once
// Groups with too few seeds for an interval: a bootstrap over 1 or 2 seeds per task has no
// meaningful spread (one seed gives "1.00 [1.00, 1.00]"), so the reports show "n/a (n = 1)"
// instead of the interval and name these groups in a warning line.
#include <string>
#include <vector>

#include "report/aggregate.h"
#include "report/metrics.h"

namespace relabel::report {

constexpr int kMinSeedsForInterval = 3;

// The fewest seeds done on any task the group has results for (0 without done runs).
int group_seeds(const Group& g);

// Groups with done runs but fewer than kMinSeedsForInterval seeds on some task.
std::vector<int> few_seed_groups(const Aggregation& a);

// "fewer than 3 seeds in 2 groups: iql (n = 1), bc (n = 2); their intervals are shown as n/a",
// or "" when every group has enough.
std::string few_seeds_warning(const Aggregation& a);

// format_with_ci, or the point and "n/a (n = N)" when n < kMinSeedsForInterval.
std::string format_with_ci_or_na(double point, Interval ci, int n, int decimals = 1);

}  // namespace relabel::report
