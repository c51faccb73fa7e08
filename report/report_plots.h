#pragma once
// The report's plots, drawn by gnuplot (a subprocess on a generated script and data files in a
// temporary directory, SVG terminal): learning curves with CI bands (one panel per task), score
// against each swept hyperparameter with CI error bars, performance profiles with bands.
#include <optional>
#include <string>
#include <vector>

#include "report/aggregate.h"

namespace relabel::report {

struct Plot {
  std::string
      section;  // "Learning curves", "Score against hyperparameters", "Performance profiles"
  std::string title;
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

}  // namespace relabel::report
