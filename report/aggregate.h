#pragma once
// Aggregation of run records for reports (docs/metrics.md, "Groups and cells"):
// runs are grouped by (method, swept hyperparameters except seed) — a *group* — and, inside a
// group, by task (task + dataset) — a *cell*. Cells get mean ± std over seeds, median, IQM with
// bootstrap CIs and the aggregated learning curve; groups get the cross-task aggregates with
// stratified-bootstrap CIs and performance profiles; pairs of groups get the probability of
// improvement. Every score here is on the reported 0–100 scale.
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "report/metrics.h"
#include "report/report_records.h"

namespace relabel::report {

struct TaskKey {
  std::string task, dataset;
  bool operator<(const TaskKey& o) const {
    return task != o.task ? task < o.task : dataset < o.dataset;
  }
  bool operator==(const TaskKey& o) const { return task == o.task && dataset == o.dataset; }
  // The dataset when it names the task already ("hopper-medium"), else "task dataset".
  std::string label() const;
};

struct CurveStat {
  double step = 0;
  double mean = 0;
  Interval ci;  // bootstrap 95% CI of the mean over the seeds evaluated at this step
  int n = 0;
};

// One group on one task.
struct Cell {
  // n_refused: runs a sweep refused (their directory holds another config's or data's result).
  int n_done = 0, n_failed = 0, n_pending = 0, n_refused = 0;
  std::vector<double> scores;  // final scores of the done runs
  double mean = 0, std = 0, median = 0, iqm = 0, optimality_gap = 0;  // NaN without done runs
  Interval mean_ci, iqm_ci;
  double best_score_mean = 0, final_return_mean = 0;  // NaN when no run recorded them
  std::vector<CurveStat> curve;
  // Training traces (AggregateOptions::traces) over the done runs' steps: metric -> mean over
  // the seeds that logged it at each step, with its bootstrap CI. Absent when no run did.
  std::map<std::string, std::vector<CurveStat>> traces;
  bool empty() const { return n_done + n_failed + n_pending + n_refused == 0; }
};

struct Group {
  std::string method;
  std::vector<ParamValue> values;  // one per Aggregation::hyperparameters; text "" = not set
  std::string key;                 // identity (method and values), also seeds its bootstraps
  std::string label;               // "reload+iql zeta=0.8 alpha=0.5"
  std::vector<Cell> cells;         // aligned with Aggregation::tasks
  int n_done = 0, n_failed = 0, n_pending = 0, n_refused = 0;
  int n_tasks = 0;   // tasks with done runs
  Aggregates point;  // NaN when no done run
  Interval mean_ci, median_ci, iqm_ci, optimality_gap_ci;
  std::vector<double> profile;  // fraction of runs with score > τ, on Aggregation::taus
  std::vector<Interval> profile_ci;
};

// P(row group > column group), averaged over the tasks both have run.
struct Improvement {
  int x = 0, y = 0;
  double probability = 0;
  Interval ci;  // only for the compared groups (NaN otherwise)
  int tasks = 0;
};

struct AggregateOptions {
  BootstrapOptions bootstrap;
  int max_compared = 12;            // groups in the probability-of-improvement matrix (with CIs)
  int profile_points = 51;          // τ grid size
  std::vector<std::string> traces;  // training metrics to aggregate (RunSet::traces holds them)
};

struct Aggregation {
  std::string dir;
  BootstrapOptions bootstrap;
  std::vector<std::string> hyperparameters;        // swept keys that define groups (seed excluded)
  std::vector<std::string> hyperparameter_labels;  // short display names
  std::vector<std::string> traces;  // the training metrics aggregated in Cell::traces
  // Swept keys that every run sets to the same value: stated once, not a column.
  std::vector<std::pair<std::string, std::string>> fixed;
  std::vector<TaskKey> tasks;
  std::vector<Group> groups;              // sorted by method then values
  std::vector<double> taus;               // performance-profile grid (0–100 scale)
  std::vector<int> compared;              // groups in the improvement matrix
  std::string compared_note;              // how they were chosen when not all
  std::vector<Improvement> improvements;  // every ordered pair of groups sharing a task
  std::vector<RunRecord> failed;          // sorted by id
  std::vector<RunRecord> pending;         // running, preempted, not started
  std::vector<RunRecord> refused;         // refused by the sweep, with the reason as error
  std::vector<MalformedFile> malformed;
  int n_done = 0;

  // The improvement of x over y; nullptr when they share no task.
  const Improvement* improvement(int x, int y) const;
  // Groups ordered by aggregate IQM, best first (groups without done runs last).
  std::vector<int> ranked_groups() const;
};

Aggregation aggregate(RunSet runs, const AggregateOptions& options = {});

}  // namespace relabel::report
