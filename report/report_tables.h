#pragma once
// The report's tables as plain text cells, rendered alike by the Markdown, LaTeX and HTML writers.
#include <string>
#include <vector>

#include "report/aggregate.h"

namespace relabel::report {

struct ReportTable {
  std::string id;         // "per-task", "aggregate", "improvement"
  std::string title;      // section heading
  std::string note;       // what the numbers are (caption)
  int label_columns = 1;  // leading text columns (left-aligned); the rest are numbers
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};

// Per-task mean ± std, aggregates with CIs, probability of improvement (when ≥ 2 groups).
std::vector<ReportTable> report_tables(const Aggregation& a);

// One line: "12 done, 1 failed, 2 pending (1 malformed result file)".
std::string run_counts(const Aggregation& a);
// "; swept: reward.zeta; fixed: train.steps = 100000" (each part only when it has keys).
std::string swept_and_fixed(const Aggregation& a);

}  // namespace relabel::report
