#pragma once
// `relabel report DIR`: read the runs, aggregate, write the CSVs, report.md, report.tex and
// report.html (with gnuplot plots when gnuplot is on PATH).
#include <string>
#include <vector>

#include "report/aggregate.h"

namespace relabel::report {

struct ReportOptions {
  std::string out_dir;  // empty: DIR itself
  AggregateOptions aggregate;
  bool plots = true;
};

struct ReportResult {
  std::string out_dir;
  std::vector<std::string> files;  // every file written
  int plots = 0;                   // plots embedded in report.html
  std::vector<std::string> warnings;
  Aggregation aggregation;
};

// Logs one warning per malformed file (at most 20, then a count) and one if plots are missing.
ReportResult write_report(const std::string& dir, const ReportOptions& options);

}  // namespace relabel::report
