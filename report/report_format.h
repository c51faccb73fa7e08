#pragma once
// Number formatting and escaping shared by the report writers.
#include <string>

#include "report/metrics.h"

namespace relabel::report {

// A score on the 0–100 scale with one decimal; "–" for NaN.
std::string format_score(double v);
// "72.1 ± 3.2"; the ± part is left out when std is NaN (one seed).
std::string format_mean_std(double mean, double std);
// "70.1 [65.2, 74.3]" with `decimals` digits.
std::string format_with_ci(double point, Interval ci, int decimals = 1);
// A plain number for CSV and plot data files: shortest round-trip form, "" for NaN.
std::string format_number(double v);

std::string escape_markdown(const std::string& s);  // table cells: | and newlines
std::string escape_latex(const std::string& s);  // \ & % $ # _ { } ~ ^ < >, and ± − × – —
std::string escape_html(const std::string& s);
std::string escape_csv(const std::string& s);  // quoted when it holds , " or a newline
std::string base64(const std::string& bytes);

}  // namespace relabel::report
