#pragma once
// report.md and report.tex.
#include <string>
#include <vector>

#include "report/aggregate.h"
#include "report/report_plots.h"
#include "report/report_tables.h"

namespace relabel::report {

// GitHub-flavoured Markdown: a warning naming the groups with fewer than 3 seeds, the tables,
// the plots (links to their SVG files, Plot::file) or `plots_note` when there are none, then
// the "Missing runs" section (failed runs with their messages, pending runs, malformed files).
std::string render_markdown(const Aggregation& a, const std::vector<ReportTable>& tables,
                            const std::vector<Plot>& plots = {},
                            const std::string& plots_note = "");

// LaTeX fragments to paste into a paper: one booktabs table per report table, then, when runs
// are missing, the list of report.md's "Missing runs" (failed, refused and pending runs,
// malformed files).
std::string render_latex(const Aggregation& a, const std::vector<ReportTable>& tables);

// The params of one run as "zeta=0.8, seed=0".
std::string params_text(const RunRecord& r);

}  // namespace relabel::report
