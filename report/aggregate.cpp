#include "report/aggregate.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <tuple>

#include "io/dataset_label.h"

namespace relabel::report {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
const Interval kNoInterval{kNaN, kNaN};

// Keys that restate the task, dataset or method columns (or the seed) are not hyperparameters.
const std::set<std::string> kColumnKeys = {"seed",         "task.name",     "task",
                                           "dataset.name", "dataset.path",  "dataset",
                                           "method",       "reward.method", "policy.algo"};

std::string join_key(const std::string& method, const std::vector<ParamValue>& values) {
  std::string k = method;
  for (const auto& v : values) k += '\x1f' + v.text;
  return k;
}

bool attributed(const RunRecord& r) { return !r.task.empty() && !r.method.empty(); }

// A pending run from an older sweep.json (without the labels) knows only its params: take task,
// dataset and method from runs with the same params (differing only in seed), whose labels the
// runs wrote; else task and dataset from params naming them, then from the sweep's base config,
// and the method from runs of the same method configuration on other data (a method's label is
// a function of its keys), else the raw name from params or base (a label derived from a
// method's keys, "imputation-full", is lost then).
void attribute_pending(std::vector<RunRecord>& records, const SweepBase& base) {
  std::map<std::string, std::set<std::tuple<std::string, std::string, std::string>>> known;
  std::map<std::string, std::set<std::string>> methods;
  for (const auto& r : records)  // labels a run wrote (result.json), not a config.toml's guess
    if (attributed(r) && r.status != "pending") {
      known[params_signature(r)].insert({r.task, r.dataset, r.method});
      methods[params_signature(r, true)].insert(r.method);
    }
  for (auto& r : records) {
    if (attributed(r)) continue;
    // A record that holds no params at all (a run that failed before its first record, outside
    // a sweep.json) is not placed by its siblings': its empty signature would match every run
    // of a directory of plain runs. Without labels it is listed by its folder's name.
    const bool knows_params = !r.params.empty();
    if (auto it = known.find(params_signature(r));
        knows_params && it != known.end() && it->second.size() == 1) {
      const auto& [task, dataset, method] = *it->second.begin();
      if (r.task.empty()) {
        r.task = task;
        r.dataset = dataset;
      }
      if (r.method.empty()) r.method = method;
      continue;
    }
    auto param = [&](const char* k) {
      auto it = r.params.find(k);
      return it == r.params.end() ? std::string() : it->second.text;
    };
    auto either = [](const std::string& a, const std::string& b) { return a.empty() ? b : a; };
    if (r.task.empty()) r.task = either(param("task.name"), base.task);
    // Swept dataset keys replace the base's name and path together (a run sets one of them).
    const bool swept = r.params.count("dataset.name") || r.params.count("dataset.path");
    if (r.dataset.empty() && (swept || base.read)) {
      r.dataset =
          io::dataset_label_guess(swept ? param("dataset.name") : base.dataset_name,
                                  swept ? param("dataset.path") : base.dataset_path,
                                  either(param("dataset.expert_path"), base.dataset_expert_path));
    }
    if (!r.method.empty()) continue;
    if (auto it = methods.find(params_signature(r, true));
        knows_params && it != methods.end() && it->second.size() == 1) {
      r.method = *it->second.begin();
      continue;
    }
    const std::string reward = either(param("reward.method"), base.reward_method),
                      algo = either(param("policy.algo"), base.policy_algo);
    if (!reward.empty() && !algo.empty()) r.method = reward + "+" + algo;
  }
}

// Swept keys besides seed and the keys that only restate the task: a key whose value is fixed
// by the task (zipped with it) would otherwise split every group by task. A key that every run
// sets to one value splits nothing either: it goes to `fixed` (the header), not to the columns.
std::vector<std::string> find_hyperparameters(
    const std::vector<RunRecord>& records,
    std::vector<std::pair<std::string, std::string>>& fixed) {
  std::map<std::string, std::set<std::string>> values;
  std::map<std::string, std::map<TaskKey, std::set<std::string>>> per_task;
  std::map<std::string, size_t> runs_with;
  std::set<TaskKey> tasks;
  size_t runs = 0;
  for (const auto& r : records) {
    if (!attributed(r)) continue;
    ++runs;
    TaskKey t{r.task, r.dataset};
    tasks.insert(t);
    for (const auto& [k, v] : r.params) {
      values[k].insert(v.text);
      per_task[k][t].insert(v.text);
      ++runs_with[k];
    }
  }
  std::vector<std::string> out;
  for (const auto& [k, vals] : values) {
    if (kColumnKeys.count(k)) continue;
    if (vals.size() == 1 && runs_with[k] == runs) {
      fixed.emplace_back(k, *vals.begin());
      continue;
    }
    bool fixed_by_task = vals.size() > 1 && tasks.size() > 1;
    for (const auto& [t, v] : per_task[k]) fixed_by_task = fixed_by_task && v.size() == 1;
    if (!fixed_by_task) out.push_back(k);
  }
  return out;
}

std::vector<std::string> short_labels(const std::vector<std::string>& keys) {
  std::vector<std::string> out;
  std::map<std::string, int> count;
  auto tail = [](const std::string& k) {
    auto dot = k.rfind('.');
    return dot == std::string::npos ? k : k.substr(dot + 1);
  };
  for (const auto& k : keys) ++count[tail(k)];
  for (const auto& k : keys) out.push_back(count[tail(k)] > 1 ? k : tail(k));
  return out;
}

double mean_of(const std::vector<double>& x) { return x.empty() ? kNaN : mean(x); }

// Mean over runs at each step with its bootstrap CI; per_run[i] = run i's (step, value) points
// (a run without a point at some step counts there as missing).
std::vector<CurveStat> curve_stats(
    const std::vector<std::vector<std::pair<double, double>>>& per_run, const std::string& stream,
    const BootstrapOptions& boot) {
  // Values by step, one column per run (NaN where a run has no point at that step).
  std::map<double, std::vector<double>> by_step;
  for (size_t i = 0; i < per_run.size(); ++i)
    for (const auto& [step, value] : per_run[i]) {
      auto& row = by_step[step];
      if (row.empty()) row.assign(per_run.size(), kNaN);
      row[i] = value;
    }
  std::vector<CurveStat> out;
  if (by_step.empty()) return out;
  std::vector<std::vector<double>> rows;
  for (const auto& [step, row] : by_step) rows.push_back(row);
  BootstrapOptions o = boot;
  o.seed = derive_seed(boot.seed, stream);
  auto ci = bootstrap_curve_intervals(rows, o);
  size_t s = 0;
  for (const auto& [step, row] : by_step) {
    std::vector<double> present;
    for (double v : row)
      if (!std::isnan(v)) present.push_back(v);
    out.push_back({step, mean(present), ci[s++], static_cast<int>(present.size())});
  }
  return out;
}

void summarise_cell(Cell& c, const std::vector<const RunRecord*>& done, const std::string& stream,
                    const BootstrapOptions& boot, const std::vector<std::string>& trace_names,
                    const std::map<std::string, Trace>& traces) {
  std::vector<double> best, ret;
  for (const auto* r : done) {
    c.scores.push_back(*r->final_score);
    if (r->best_score) best.push_back(*r->best_score);
    if (r->final_return) ret.push_back(*r->final_return);
  }
  c.mean = mean(c.scores);
  c.std = sample_std(c.scores);
  c.median = median(c.scores);
  c.iqm = iqm(c.scores);
  c.optimality_gap = optimality_gap(c.scores, 100.0);  // γ = 1 on the 0–100 scale
  c.best_score_mean = mean_of(best);
  c.final_return_mean = mean_of(ret);
  c.mean_ci = c.iqm_ci = kNoInterval;
  if (!c.scores.empty()) {
    BootstrapOptions o = boot;
    o.seed = derive_seed(boot.seed, "cell|" + stream);
    auto ci = stratified_bootstrap(
        {c.scores},
        [](const TaskScores& s) {
          return std::vector<double>{mean(s[0]), iqm(s[0])};
        },
        o);
    c.mean_ci = ci[0];
    c.iqm_ci = ci[1];
  }
  std::vector<std::vector<std::pair<double, double>>> scores;
  for (const auto* r : done) {
    scores.emplace_back();
    for (const auto& p : r->curve) scores.back().emplace_back(p.step, p.score);
  }
  c.curve = curve_stats(scores, "curve|" + stream, boot);
  for (const auto& name : trace_names) {
    std::vector<std::vector<std::pair<double, double>>> per_run;
    for (const auto* r : done) {
      per_run.emplace_back();
      auto t = traces.find(r->id);
      if (t == traces.end()) continue;
      auto m = t->second.find(name);
      if (m != t->second.end()) per_run.back() = m->second;
    }
    auto stats = curve_stats(per_run, "trace|" + name + "|" + stream, boot);
    if (!stats.empty()) c.traces[name] = std::move(stats);
  }
}

// Per task, the final scores of a group's done runs as fractions (docs/metrics.md divides by 100).
TaskScores fractions(const Group& g) {
  TaskScores s;
  for (const auto& c : g.cells) {
    s.emplace_back();
    for (double v : c.scores) s.back().push_back(v / 100.0);
  }
  return s;
}

void summarise_group(Group& g, const std::vector<double>& taus, const BootstrapOptions& boot) {
  g.n_tasks = 0;
  for (const auto& c : g.cells) {
    g.n_done += c.n_done;
    g.n_failed += c.n_failed;
    g.n_pending += c.n_pending;
    g.n_refused += c.n_refused;
    g.n_tasks += c.n_done > 0;
  }
  g.mean_ci = g.median_ci = g.iqm_ci = g.optimality_gap_ci = kNoInterval;
  if (g.n_done == 0) {
    g.point = {kNaN, kNaN, kNaN, kNaN};
    g.profile.assign(taus.size(), kNaN);
    g.profile_ci.assign(taus.size(), kNoInterval);
    return;
  }
  std::vector<double> tau_fraction;
  for (double t : taus) tau_fraction.push_back(t / 100.0);
  // One bootstrap pass computes the four aggregates and the profile on the same resamples.
  // The pooled runs are sorted once for the IQM and the profile (the bootstrap's hot path).
  auto statistic = [&](const TaskScores& s) {
    auto means = task_means(s);
    auto all = pooled(s);
    std::sort(all.begin(), all.end());
    std::vector<double> v = {mean(means), median(means), trimmed_mean_sorted(all, 0.25),
                             optimality_gap(all)};
    auto p = score_profile_sorted(all, tau_fraction);
    v.insert(v.end(), p.begin(), p.end());
    return v;
  };
  TaskScores scores = fractions(g);
  auto point = statistic(scores);
  BootstrapOptions o = boot;
  o.seed = derive_seed(boot.seed, "group|" + g.key);
  auto ci = stratified_bootstrap(scores, statistic, o);
  auto x100 = [](Interval i) { return Interval{100 * i.lo, 100 * i.hi}; };
  g.point = {100 * point[0], 100 * point[1], 100 * point[2], 100 * point[3]};
  g.mean_ci = x100(ci[0]);
  g.median_ci = x100(ci[1]);
  g.iqm_ci = x100(ci[2]);
  g.optimality_gap_ci = x100(ci[3]);
  g.profile.assign(point.begin() + 4, point.end());
  g.profile_ci.assign(ci.begin() + 4, ci.end());
}

std::vector<double> tau_grid(const std::vector<RunRecord>& done, int points) {
  double lo = 0, hi = 100;
  for (const auto& r : done) {
    lo = std::min(lo, std::floor(*r.final_score / 10) * 10);
    hi = std::max(hi, std::ceil(*r.final_score / 10) * 10);
  }
  std::vector<double> taus;
  points = std::max(points, 2);
  for (int i = 0; i < points; ++i) taus.push_back(lo + (hi - lo) * i / (points - 1));
  return taus;
}

void choose_compared(Aggregation& a, int max_compared) {
  std::vector<int> with_runs;
  for (int i : a.ranked_groups())
    if (a.groups[i].n_done > 0) with_runs.push_back(i);
  if (static_cast<int>(with_runs.size()) <= max_compared) {
    a.compared = with_runs;
  } else {
    std::set<std::string> methods;
    for (int i : with_runs)
      if (methods.insert(a.groups[i].method).second) a.compared.push_back(i);
    if (static_cast<int>(a.compared.size()) <= max_compared) {
      a.compared_note = "the best configuration (by IQM) of each method";
    } else {
      a.compared.assign(with_runs.begin(), with_runs.begin() + max_compared);
      a.compared_note = "the " + std::to_string(max_compared) + " best groups by IQM";
    }
  }
  std::sort(a.compared.begin(), a.compared.end());
}

void compute_improvements(Aggregation& a, const BootstrapOptions& boot) {
  std::vector<TaskScores> scores;
  for (const auto& g : a.groups) scores.push_back(fractions(g));
  std::set<int> compared(a.compared.begin(), a.compared.end());
  const int n = static_cast<int>(a.groups.size());
  std::vector<Improvement> upper;  // x < y; P(Y > X) = 1 − P(X > Y) since ties count one half
  for (int x = 0; x < n; ++x) {
    for (int y = x + 1; y < n; ++y) {
      int shared = 0;
      for (size_t t = 0; t < a.tasks.size(); ++t)
        shared += !scores[x][t].empty() && !scores[y][t].empty();
      if (!shared) continue;
      Improvement imp{x, y, probability_of_improvement(scores[x], scores[y]), kNoInterval, shared};
      if (compared.count(x) && compared.count(y)) {
        BootstrapOptions o = boot;
        o.seed = derive_seed(boot.seed, "improvement|" + a.groups[x].key + "|" + a.groups[y].key);
        imp.ci = stratified_bootstrap_pair(scores[x], scores[y], probability_of_improvement, o);
      }
      upper.push_back(imp);
    }
  }
  for (const auto& i : upper) {
    a.improvements.push_back(i);
    a.improvements.push_back(
        {i.y, i.x, 1.0 - i.probability, {1.0 - i.ci.hi, 1.0 - i.ci.lo}, i.tasks});
  }
  std::sort(a.improvements.begin(), a.improvements.end(),
            [](const Improvement& p, const Improvement& q) {
              return std::make_pair(p.x, p.y) < std::make_pair(q.x, q.y);
            });
}

}  // namespace

std::string TaskKey::label() const {
  if (dataset.empty() || dataset == task) return task;
  if (dataset.find(task) != std::string::npos) return dataset;
  return task + " " + dataset;
}

const Improvement* Aggregation::improvement(int x, int y) const {
  // improvements are ordered by (x, y); binary search keeps large sweeps fast.
  auto it = std::lower_bound(improvements.begin(), improvements.end(), std::make_pair(x, y),
                             [](const Improvement& i, const std::pair<int, int>& k) {
                               return std::make_pair(i.x, i.y) < k;
                             });
  return it != improvements.end() && it->x == x && it->y == y ? &*it : nullptr;
}

std::vector<int> Aggregation::ranked_groups() const {
  std::vector<int> order(groups.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
  auto score = [&](int i) {
    double v = groups[i].point.iqm;
    return std::isnan(v) ? -std::numeric_limits<double>::infinity() : v;
  };
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return score(a) > score(b); });
  return order;
}

Aggregation aggregate(RunSet set, const AggregateOptions& options) {
  Aggregation a;
  a.dir = set.dir;
  a.bootstrap = options.bootstrap;
  a.malformed = std::move(set.malformed);
  a.traces = options.traces;
  auto& records = set.runs;
  attribute_pending(records, set.base);
  a.hyperparameters = find_hyperparameters(records, a.fixed);
  a.hyperparameter_labels = short_labels(a.hyperparameters);

  std::set<TaskKey> task_set;
  for (const auto& r : records)
    if (attributed(r)) task_set.insert({r.task, r.dataset});
  a.tasks.assign(task_set.begin(), task_set.end());
  auto task_index = [&](const RunRecord& r) {
    return static_cast<size_t>(
        std::lower_bound(a.tasks.begin(), a.tasks.end(), TaskKey{r.task, r.dataset}) -
        a.tasks.begin());
  };

  // Group the attributed records; groups sorted by method then values.
  std::map<std::pair<std::string, std::vector<ParamValue>>, std::vector<const RunRecord*>> by_group;
  for (const auto& r : records) {
    if (!attributed(r)) continue;
    std::vector<ParamValue> values;
    for (const auto& k : a.hyperparameters) {
      auto it = r.params.find(k);
      values.push_back(it == r.params.end() ? ParamValue{} : it->second);
    }
    by_group[{r.method, values}].push_back(&r);
  }
  std::vector<RunRecord> done_records;
  for (const auto& r : records)
    if (r.done()) done_records.push_back(r);
  a.taus = tau_grid(done_records, options.profile_points);

  for (auto& [id, members] : by_group) {
    Group g;
    g.method = id.first;
    g.values = id.second;
    g.key = join_key(g.method, g.values);
    g.label = g.method;
    for (size_t i = 0; i < g.values.size(); ++i)
      if (!g.values[i].text.empty())
        g.label += " " + a.hyperparameter_labels[i] + "=" + g.values[i].text;
    g.cells.resize(a.tasks.size());
    std::vector<std::vector<const RunRecord*>> done(a.tasks.size());
    for (const auto* r : members) {
      size_t t = task_index(*r);
      Cell& c = g.cells[t];
      if (r->done()) {
        ++c.n_done;
        done[t].push_back(r);
      } else if (r->failed()) {
        ++c.n_failed;
      } else if (r->status == "refused") {
        ++c.n_refused;
      } else {
        ++c.n_pending;
      }
    }
    for (size_t t = 0; t < a.tasks.size(); ++t)
      summarise_cell(g.cells[t], done[t], g.key + "|" + a.tasks[t].label(), options.bootstrap,
                     options.traces, set.traces);
    summarise_group(g, a.taus, options.bootstrap);
    a.groups.push_back(std::move(g));
  }
  choose_compared(a, options.max_compared);
  compute_improvements(a, options.bootstrap);

  for (auto& r : records) {
    if (r.done())
      ++a.n_done;
    else if (r.failed())
      a.failed.push_back(std::move(r));
    else if (r.status == "refused")
      a.refused.push_back(std::move(r));
    else
      a.pending.push_back(std::move(r));
  }
  return a;
}

}  // namespace relabel::report
