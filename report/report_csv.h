#pragma once
// The tidy CSV outputs of `relabel report`: one observation per row, one variable per column,
// so users can plot with their own tools.
#include <string>
#include <vector>

#include "report/aggregate.h"

namespace relabel::report {

// Writes summary.csv (group × task), aggregate.csv (group), curves.csv (group × task × step),
// profiles.csv (group × τ) and probability_of_improvement.csv (ordered pairs of groups) into
// `dir`; returns the paths written.
std::vector<std::string> write_csv_files(const Aggregation& a, const std::string& dir);

}  // namespace relabel::report
