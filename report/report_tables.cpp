#include "report/report_tables.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "report/report_format.h"
#include "report/seed_warning.h"

namespace relabel::report {

namespace {

// method, then one column per hyperparameter.
std::vector<std::string> group_columns(const Aggregation& a, const Group& g) {
  std::vector<std::string> out{g.method};
  for (const auto& v : g.values) out.push_back(v.text.empty() ? "–" : v.text);
  return out;
}

std::vector<std::string> group_header(const Aggregation& a) {
  std::vector<std::string> out{"method"};
  out.insert(out.end(), a.hyperparameter_labels.begin(), a.hyperparameter_labels.end());
  return out;
}

std::string cell_text(const Cell& c) {
  std::vector<std::string> missing;
  if (c.n_failed) missing.push_back(fmt::format("{} failed", c.n_failed));
  if (c.n_refused) missing.push_back(fmt::format("{} refused", c.n_refused));
  if (c.n_pending) missing.push_back(fmt::format("{} pending", c.n_pending));
  if (c.n_done == 0)
    return missing.empty() ? "–" : "– (" + fmt::format("{}", fmt::join(missing, ", ")) + ")";
  std::string s = format_mean_std(c.mean, c.std);
  if (!missing.empty() || c.n_done == 1)
    s +=
        fmt::format(" (n={}{}{})", c.n_done, missing.empty() ? "" : "; ", fmt::join(missing, ", "));
  return s;
}

ReportTable per_task(const Aggregation& a) {
  ReportTable t;
  t.id = "per-task";
  t.title = "Scores per task";
  t.note =
      "Normalised score (0–100) at the end of training: mean ± sample standard deviation "
      "(ddof = 1) over seeds; n = seeds done when some runs of the cell failed or are pending.";
  t.header = group_header(a);
  t.label_columns = static_cast<int>(t.header.size());
  for (const auto& task : a.tasks) t.header.push_back(task.label());
  for (const auto& g : a.groups) {
    auto row = group_columns(a, g);
    for (const auto& c : g.cells) row.push_back(cell_text(c));
    t.rows.push_back(row);
  }
  return t;
}

ReportTable aggregate_table(const Aggregation& a) {
  ReportTable t;
  t.id = "aggregate";
  t.title = "Aggregate scores";
  t.note = fmt::format(
      "Across tasks, 95% stratified-bootstrap CIs ({} repetitions, seed {}). IQM: interquartile "
      "mean of all runs; mean and median: of the per-task means; optimality gap: 100 − mean of "
      "min(score, 100) (lower is better). Groups with fewer than 3 seeds on a task show n/a "
      "(n = seeds) for the interval.",
      a.bootstrap.reps, a.bootstrap.seed);
  std::set<std::vector<bool>> coverage;
  for (const auto& g : a.groups) {
    std::vector<bool> cov;
    for (const auto& c : g.cells) cov.push_back(c.n_done > 0);
    if (g.n_done) coverage.insert(cov);
  }
  if (coverage.size() > 1)
    t.note +=
        " Groups cover different task sets: compare aggregates only between groups with the "
        "same tasks.";
  t.header = group_header(a);
  t.label_columns = static_cast<int>(t.header.size());
  for (const char* h : {"tasks", "runs", "IQM", "mean", "median", "optimality gap"})
    t.header.push_back(h);
  for (const auto& g : a.groups) {
    auto row = group_columns(a, g);
    row.push_back(std::to_string(g.n_tasks));
    row.push_back(std::to_string(g.n_done));
    const int n = group_seeds(g);
    row.push_back(format_with_ci_or_na(g.point.iqm, g.iqm_ci, n));
    row.push_back(format_with_ci_or_na(g.point.mean, g.mean_ci, n));
    row.push_back(format_with_ci_or_na(g.point.median, g.median_ci, n));
    row.push_back(format_with_ci_or_na(g.point.optimality_gap, g.optimality_gap_ci, n));
    t.rows.push_back(row);
  }
  return t;
}

ReportTable improvement_table(const Aggregation& a) {
  ReportTable t;
  t.id = "improvement";
  t.title = "Probability of improvement";
  t.note =
      "P(row > column): Mann–Whitney U / (n_x n_y) with ties counting one half, averaged over the "
      "tasks both groups ran; 95% stratified-bootstrap CI.";
  if (!a.compared_note.empty())
    t.note += " Showing " + a.compared_note + "; every pair is in probability_of_improvement.csv.";
  t.header = {"P(row > column)"};
  for (int j : a.compared) t.header.push_back(a.groups[j].label);
  for (int i : a.compared) {
    std::vector<std::string> row{a.groups[i].label};
    for (int j : a.compared) {
      const Improvement* imp = i == j ? nullptr : a.improvement(i, j);
      const int n = std::min(group_seeds(a.groups[i]), group_seeds(a.groups[j]));
      row.push_back(imp ? format_with_ci_or_na(imp->probability, imp->ci, n, 2) : "–");
    }
    t.rows.push_back(row);
  }
  return t;
}

}  // namespace

std::vector<ReportTable> report_tables(const Aggregation& a) {
  std::vector<ReportTable> out{per_task(a), aggregate_table(a)};
  if (a.compared.size() >= 2) out.push_back(improvement_table(a));
  return out;
}

std::string run_counts(const Aggregation& a) {
  std::string s =
      fmt::format("{} done, {} failed, {} pending", a.n_done, a.failed.size(), a.pending.size());
  if (!a.refused.empty()) s += fmt::format(", {} refused", a.refused.size());
  if (!a.malformed.empty())
    s += fmt::format(" ({} malformed file{})", a.malformed.size(),
                     a.malformed.size() == 1 ? "" : "s");
  return s;
}

std::string swept_and_fixed(const Aggregation& a) {
  std::string s;
  if (!a.hyperparameters.empty())
    s += fmt::format("; swept: {}", fmt::join(a.hyperparameters, ", "));
  std::vector<std::string> fixed;
  for (const auto& [k, v] : a.fixed) fixed.push_back(k + " = " + v);
  if (!fixed.empty()) s += fmt::format("; fixed: {}", fmt::join(fixed, ", "));
  return s;
}

}  // namespace relabel::report
