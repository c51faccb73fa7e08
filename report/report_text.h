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

// The runs the tables leave out, one group per kind in the order failed, refused, pending
// (empty kinds left out): rows of id, task, method, params and the reason (the error, or a
// pending run's status), `reason` naming that last column. report.md, report.html and report.tex
// list the same rows.
struct MissingRuns {
  std::string kind;    // "Failed", "Refused", "Pending"
  std::string reason;  // "error", "reason", "status"
  std::vector<std::vector<std::string>> rows;
};
std::vector<MissingRuns> missing_runs(const Aggregation& a);

}  // namespace relabel::report
