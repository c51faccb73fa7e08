#pragma once
// The report's plots, drawn by gnuplot (a subprocess on a generated script and data files in a
// temporary directory, SVG terminal), as rliable draws them: the aggregate metrics with their
// intervals (IQM, mean, median, optimality gap: one panel each), the probability of improvement
// of pairs of groups with its CI, performance profiles with bands, learning curves with CI bands
// (one panel per task), score against each swept hyperparameter with CI error bars. Every plot
// draws a group in the same colour (report/plot_colors.h).
#include <optional>
#include <string>
#include <vector>

#include "report/aggregate.h"

namespace relabel::report {

struct Plot {
  std::string section;  // "Aggregate metrics", "Learning curves", ...
  std::string title;
  std::string file;   // where report writes it, relative to the report: "plots/<name>.svg"
  bool wide = false;  // drawn wider than the others (the 4-panel aggregate plot)
  std::string caption;
  std::string svg;  // the SVG document gnuplot wrote
};

struct PlotSet {
  std::vector<Plot> plots;
  std::string warning;  // why plots are missing (gnuplot failed), empty on success
};

// The gnuplot executable found on $PATH, if any.
std::optional<std::string> find_gnuplot();

// Draws every plot with `gnuplot`. Never throws for a gnuplot failure: it is reported in
// PlotSet::warning and the report goes on without plots.
PlotSet draw_plots(const Aggregation& a, const std::string& gnuplot, int max_series = 10);

// The gnuplot script draw_plots runs, with its data files written into `dir` (for tests: the
// colour of each series is in its `lc rgb '#rrggbb' ... title 'label'` clause).
std::string plot_script(const Aggregation& a, const std::string& dir, int max_series = 10);

}  // namespace relabel::report
