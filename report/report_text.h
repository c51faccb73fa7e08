#pragma once
// report.md and report.tex.
#include <string>
#include <vector>

#include "report/aggregate.h"
#include "report/report_tables.h"

namespace relabel::report {

// GitHub-flavoured Markdown: the tables, then the "Missing runs" section (failed runs with their
// messages, pending runs, malformed files).
std::string render_markdown(const Aggregation& a, const std::vector<ReportTable>& tables);

// LaTeX fragments to paste into a paper: one booktabs table per report table.
std::string render_latex(const Aggregation& a, const std::vector<ReportTable>& tables);

// The params of one run as "zeta=0.8, seed=0".
std::string params_text(const RunRecord& r);

}  // namespace relabel::report
