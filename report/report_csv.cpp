#include "report/report_csv.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>

#include "core/error.h"
#include "core/params.h"
#include "report/report_format.h"
#include "report/seed_warning.h"

namespace relabel::report {

namespace {

class CsvFile {
 public:
  CsvFile(const std::string& path, std::vector<std::string>& written) : path_(path), out_(path) {
    if (!out_) throw RunError("report: cannot write " + path);
    written.push_back(path);
  }
  ~CsvFile() { out_.close(); }
  void row(const std::vector<std::string>& cells) {
    for (size_t i = 0; i < cells.size(); ++i) out_ << (i ? "," : "") << escape_csv(cells[i]);
    out_ << '\n';
  }

 private:
  std::string path_;
  std::ofstream out_;
};

std::vector<std::string> with(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

std::vector<std::string> group_cells(const Group& g) {
  std::vector<std::string> out{g.method};
  for (const auto& v : g.values) out.push_back(v.text);
  return out;
}

std::string num(double v) { return format_number(v); }

// An interval bound, empty over fewer seeds than an interval needs (the tables' "n/a").
std::string bound(double v, int seeds) { return seeds >= kMinSeedsForInterval ? num(v) : ""; }

}  // namespace

std::vector<std::string> write_csv_files(const Aggregation& a, const std::string& dir) {
  std::vector<std::string> written;
  const auto& hp = a.hyperparameters;
  {
    CsvFile f(dir + "/summary.csv", written);
    f.row(with(with({"task", "dataset", "method"}, hp),
               {"n_done", "n_failed", "n_pending", "n_refused", "mean", "std", "mean_lo", "mean_hi",
                "median", "iqm", "iqm_lo", "iqm_hi", "optimality_gap", "best_score_mean",
                "final_return_mean"}));
    for (const auto& g : a.groups)
      for (size_t t = 0; t < a.tasks.size(); ++t) {
        const Cell& c = g.cells[t];
        if (c.empty()) continue;
        f.row(
            with(with({a.tasks[t].task, a.tasks[t].dataset}, group_cells(g)),
                 {std::to_string(c.n_done), std::to_string(c.n_failed), std::to_string(c.n_pending),
                  std::to_string(c.n_refused), num(c.mean), num(c.std),
                  bound(c.mean_ci.lo, c.n_done), bound(c.mean_ci.hi, c.n_done), num(c.median),
                  num(c.iqm), bound(c.iqm_ci.lo, c.n_done), bound(c.iqm_ci.hi, c.n_done),
                  num(c.optimality_gap), num(c.best_score_mean), num(c.final_return_mean)}));
      }
  }
  {
    CsvFile f(dir + "/aggregate.csv", written);
    f.row(with(with({"method"}, hp),
               {"n_tasks", "n_done", "n_failed", "n_pending", "n_refused", "iqm", "iqm_lo",
                "iqm_hi", "mean", "mean_lo", "mean_hi", "median", "median_lo", "median_hi",
                "optimality_gap", "optimality_gap_lo", "optimality_gap_hi"}));
    for (const auto& g : a.groups) {
      const int n = group_seeds(g);
      f.row(with(group_cells(g),
                 {std::to_string(g.n_tasks), std::to_string(g.n_done), std::to_string(g.n_failed),
                  std::to_string(g.n_pending), std::to_string(g.n_refused), num(g.point.iqm),
                  bound(g.iqm_ci.lo, n), bound(g.iqm_ci.hi, n), num(g.point.mean),
                  bound(g.mean_ci.lo, n), bound(g.mean_ci.hi, n), num(g.point.median),
                  bound(g.median_ci.lo, n), bound(g.median_ci.hi, n), num(g.point.optimality_gap),
                  bound(g.optimality_gap_ci.lo, n), bound(g.optimality_gap_ci.hi, n)}));
    }
  }
  {
    CsvFile f(dir + "/curves.csv", written);
    f.row(with(with({"task", "dataset", "method"}, hp), {"step", "mean", "lo", "hi", "n"}));
    for (const auto& g : a.groups)
      for (size_t t = 0; t < a.tasks.size(); ++t)
        for (const auto& p : g.cells[t].curve)
          f.row(with(with({a.tasks[t].task, a.tasks[t].dataset}, group_cells(g)),
                     {num(p.step), num(p.mean), bound(p.ci.lo, p.n), bound(p.ci.hi, p.n),
                      std::to_string(p.n)}));
  }
  if (!a.traces.empty()) {
    CsvFile f(dir + "/traces.csv", written);
    f.row(
        with(with({"task", "dataset", "method"}, hp), {"metric", "step", "mean", "lo", "hi", "n"}));
    for (const auto& g : a.groups)
      for (size_t t = 0; t < a.tasks.size(); ++t)
        for (const auto& [name, points] : g.cells[t].traces)
          for (const auto& p : points)
            f.row(with(with({a.tasks[t].task, a.tasks[t].dataset}, group_cells(g)),
                       {name, num(p.step), num(p.mean), bound(p.ci.lo, p.n), bound(p.ci.hi, p.n),
                        std::to_string(p.n)}));
  }
  {
    CsvFile f(dir + "/profiles.csv", written);
    f.row(with(with({"method"}, hp), {"tau", "fraction", "lo", "hi"}));
    for (const auto& g : a.groups) {
      if (!g.n_done) continue;
      const int n = group_seeds(g);
      for (size_t i = 0; i < a.taus.size(); ++i)
        f.row(with(group_cells(g), {num(a.taus[i]), num(g.profile[i]), bound(g.profile_ci[i].lo, n),
                                    bound(g.profile_ci[i].hi, n)}));
    }
  }
  {
    CsvFile f(dir + "/probability_of_improvement.csv", written);
    f.row({"x", "y", "probability", "lo", "hi", "tasks"});
    for (const auto& imp : a.improvements) {
      const int n = std::min(group_seeds(a.groups[imp.x]), group_seeds(a.groups[imp.y]));
      f.row({a.groups[imp.x].label, a.groups[imp.y].label, num(imp.probability),
             bound(imp.ci.lo, n), bound(imp.ci.hi, n), std::to_string(imp.tasks)});
    }
  }
  return written;
}

std::string write_runs_csv(const std::vector<RunRecord>& runs, const std::string& dir) {
  std::set<std::string> keys;
  for (const auto& r : runs)
    for (const auto& [k, v] : r.params)
      if (k != "seed") keys.insert(k);
  const std::vector<std::string> swept(keys.begin(), keys.end());
  std::vector<std::string> written;
  CsvFile f(dir + "/runs.csv", written);
  f.row(with(with({"id", "status", "task", "dataset", "method"}, swept),
             {"seed", "final_score", "best_score", "wall_s"}));
  // Always with a decimal point ("88.0"): a column of whole scores still reads as floats.
  auto real = [](double v) {
    return std::isfinite(v) ? value_text(ConfigValue(std::in_place_type<double>, v))
                            : std::string();
  };
  auto opt = [&](const std::optional<double>& v) { return v ? real(*v) : std::string(); };
  for (const auto& r : runs) {
    std::vector<std::string> row{r.id, r.status, r.task, r.dataset, r.method};
    // A value's recorded text is its typed form ("0.5", "3.0", "256", "true"), so a reader's
    // type inference sees numbers as numbers; escape_csv quotes only text that needs it.
    for (const auto& k : swept) {
      auto it = r.params.find(k);
      row.push_back(it == r.params.end() ? "" : it->second.text);
    }
    std::string seed;
    if (r.seed)
      seed = std::to_string(*r.seed);
    else if (auto it = r.params.find("seed"); it != r.params.end())
      seed = it->second.text;
    // All attempts' wall time; records written before timing.wall_s have one attempt's.
    auto wall = r.timing.find("wall_s");
    if (wall == r.timing.end()) wall = r.timing.find("total_s");
    f.row(with(row, {seed, opt(r.final_score), opt(r.best_score),
                     wall == r.timing.end() ? "" : real(wall->second)}));
  }
  return written.front();
}

}  // namespace relabel::report
