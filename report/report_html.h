#pragma once
// report.html: one self-contained page (inline CSS, plots as base64 SVG data URIs: no external
// files, no network).
#include <string>
#include <vector>

#include "report/aggregate.h"
#include "report/report_plots.h"
#include "report/report_tables.h"

namespace relabel::report {

// `plots_note` replaces the plot section when there are no plots (why they are missing).
std::string render_html(const Aggregation& a, const std::vector<ReportTable>& tables,
                        const std::vector<Plot>& plots, const std::string& plots_note);

}  // namespace relabel::report
