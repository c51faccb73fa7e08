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

// Writes runs.csv into `dir`: one row per run (done, failed, running, pending) with id, status,
// task, dataset, method, one column per swept key (every params key but seed, sorted; numbers
// unquoted as their recorded text, booleans true/false, empty where a run lacks the key), seed,
// final_score, best_score and wall_s (result.json's timing.wall_s, all attempts). Returns the path.
std::string write_runs_csv(const std::vector<RunRecord>& runs, const std::string& dir);

}  // namespace relabel::report
