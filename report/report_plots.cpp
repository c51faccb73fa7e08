#include "report/report_plots.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>
#include <algorithm>

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "core/text_file.h"
#include "report/plot_colors.h"
#include "report/report_format.h"
#include "report/seed_warning.h"

extern char** environ;

namespace relabel::report {

namespace fs = std::filesystem;

namespace {

// gnuplot single-quoted string: '' stands for one quote, nothing else is special.
std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += '\'';
    if (c != '\n') out += c;
  }
  return out + "'";
}

std::string number_text(double v) { return std::isnan(v) ? "NaN" : fmt::format("{}", v); }

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "relabel-plots-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("cannot create a temporary directory");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct Series {
  std::string label;
  std::string file;
  bool band = true;  // draw a CI band (curves, profiles) or error bars (hyperparameters)
  std::string color;
};

struct PlotJob {
  Plot plot;
  std::string name;  // file name stem, "learning-curves-hopper-medium"
  std::string svg_path;
  std::string setup;  // axis labels, ranges, log scales
  std::vector<Series> series;
  std::string body;  // instead of setup and series: the whole plot (multiplot, interval bars)
  int width = 720, height = 480;
};

// A file name stem: lower-case letters, digits, '.', the rest as '-'.
std::string slug(const std::string& s) {
  std::string out;
  for (char c : s) {
    bool keep = std::isalnum(static_cast<unsigned char>(c)) || c == '.';
    char ch = keep ? static_cast<char>(std::tolower(static_cast<unsigned char>(c))) : '-';
    if (ch != '-' || (!out.empty() && out.back() != '-')) out += ch;
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out.empty() ? "plot" : out;
}

class ScriptBuilder {
 public:
  explicit ScriptBuilder(std::string dir) : dir_(std::move(dir)) {}

  std::string data_file(const std::vector<std::vector<double>>& rows) {
    std::string path = fmt::format("{}/d{}.dat", dir_, files_++);
    std::ofstream out(path);
    for (const auto& r : rows) {
      for (size_t i = 0; i < r.size(); ++i) out << (i ? " " : "") << number_text(r[i]);
      out << '\n';
    }
    return path;
  }

  void add(PlotJob job) {
    job.svg_path = fmt::format("{}/p{}.svg", dir_, jobs_.size());
    jobs_.push_back(std::move(job));
  }

  std::vector<PlotJob>& jobs() { return jobs_; }

  std::string script() const {
    std::string s;
    for (const auto& j : jobs_) {
      s += "reset\n";
      // Legend under the plot (several columns) so long method labels never squeeze the axes.
      s += fmt::format(
          "set terminal svg size {},{} fixed noenhanced font 'DejaVu Sans,13' "
          "background '#ffffff'\n",
          j.width, j.height);
      s += "set output " + quote(j.svg_path) + "\n";
      s += "set datafile missing 'NaN'\n";
      s += "set grid lc rgb '#dddddd'\nset border lc rgb '#555555'\n";
      s += "set key outside center bottom horizontal reverse Left samplen 2 maxcols 3\n";
      if (!j.body.empty()) {
        s += j.body + "set output\n";
        continue;
      }
      s += "set title " + quote(j.plot.title) + "\n";
      s += j.setup;
      std::vector<std::string> parts;
      for (size_t i = 0; i < j.series.size(); ++i) {
        const auto& se = j.series[i];
        std::string f = quote(se.file), c = quote(se.color);
        if (se.band) {
          parts.push_back(f + " using 1:3:4 with filledcurves fc rgb " + c +
                          " fs transparent solid 0.2 noborder notitle");
          parts.push_back(f + " using 1:2 with linespoints lw 2 pt 7 ps 0.4 lc rgb " + c +
                          " title " + quote(se.label));
        } else {
          parts.push_back(f + " using 1:2:3:4 with yerrorlines lw 2 pt 7 ps 0.6 lc rgb " + c +
                          " title " + quote(se.label));
        }
      }
      s += "plot " + fmt::format("{}", fmt::join(parts, ", \\\n     ")) + "\nset output\n";
    }
    return s;
  }

 private:
  std::string dir_;
  int files_ = 0;
  std::vector<PlotJob> jobs_;
};

std::vector<int> plotted_groups(const Aggregation& a, size_t max_series) {
  std::vector<int> out;
  for (int g : a.ranked_groups())
    if (a.groups[g].n_done > 0 && out.size() < max_series) out.push_back(g);
  return out;
}

std::string top_note(const Aggregation& a, size_t shown) {
  size_t with_runs = 0;
  for (const auto& g : a.groups) with_runs += g.n_done > 0;
  return shown < with_runs
             ? fmt::format(" Showing the {} best of {} groups by IQM.", shown, with_runs)
             : "";
}

void learning_curves(const Aggregation& a, ScriptBuilder& b, MethodColors& colors,
                     size_t max_series) {
  auto groups = plotted_groups(a, max_series);
  for (size_t t = 0; t < a.tasks.size(); ++t) {
    PlotJob job;
    job.plot.section = "Learning curves";
    job.plot.title = a.tasks[t].label();
    job.name = "learning-curves-" + a.tasks[t].label();
    job.plot.caption = "Normalised evaluation score during training on " + a.tasks[t].label() +
                       ": mean over seeds with its 95% bootstrap CI." + top_note(a, groups.size());
    // Steps in thousands or millions: full step counts (200000, 400000, ...) overlapped on the
    // x axis.
    double max_step = 0;
    for (int g : groups)
      for (const auto& p : a.groups[g].cells[t].curve) max_step = std::max(max_step, p.step);
    const double scale = max_step >= 2e6 ? 1e6 : max_step >= 2e3 ? 1e3 : 1.0;
    const char* unit = scale == 1e6 ? " (millions)" : scale == 1e3 ? " (thousands)" : "";
    job.setup = fmt::format(
        "set xlabel 'training step{}'\nset ylabel 'normalised score'\nset format x '%g'\n"
        "set xtics nomirror\n",
        unit);
    for (int g : groups) {
      const auto& curve = a.groups[g].cells[t].curve;
      if (curve.empty()) continue;
      std::vector<std::vector<double>> rows;
      for (const auto& p : curve) rows.push_back({p.step / scale, p.mean, p.ci.lo, p.ci.hi});
      job.series.push_back(
          {a.groups[g].label, b.data_file(rows), true, colors.of(a.groups[g].label)});
    }
    if (!job.series.empty()) b.add(std::move(job));
  }
}

// One plot per task and training metric (--traces): each group's mean over seeds by step.
void training_traces(const Aggregation& a, ScriptBuilder& b, MethodColors& colors,
                     size_t max_series) {
  auto groups = plotted_groups(a, max_series);
  for (const auto& name : a.traces)
    for (size_t t = 0; t < a.tasks.size(); ++t) {
      PlotJob job;
      job.plot.section = "Training traces";
      job.plot.title = name + " on " + a.tasks[t].label();
      job.name = "trace-" + name + "-" + a.tasks[t].label();
      job.plot.caption =
          name + " in the training records (metrics.jsonl) on " + a.tasks[t].label() +
          ": mean over seeds with its 95% bootstrap CI (traces.csv)." + top_note(a, groups.size());
      double max_step = 0;
      for (int g : groups) {
        auto it = a.groups[g].cells[t].traces.find(name);
        if (it != a.groups[g].cells[t].traces.end())
          for (const auto& p : it->second) max_step = std::max(max_step, p.step);
      }
      const double scale = max_step >= 2e6 ? 1e6 : max_step >= 2e3 ? 1e3 : 1.0;
      const char* unit = scale == 1e6 ? " (millions)" : scale == 1e3 ? " (thousands)" : "";
      job.setup = fmt::format(
          "set xlabel 'training step{}'\nset ylabel {}\nset format x '%g'\nset xtics nomirror\n",
          unit, quote(name));
      for (int g : groups) {
        auto it = a.groups[g].cells[t].traces.find(name);
        if (it == a.groups[g].cells[t].traces.end()) continue;
        std::vector<std::vector<double>> rows;
        for (const auto& p : it->second) rows.push_back({p.step / scale, p.mean, p.ci.lo, p.ci.hi});
        job.series.push_back(
            {a.groups[g].label, b.data_file(rows), true, colors.of(a.groups[g].label)});
      }
      if (!job.series.empty()) b.add(std::move(job));
    }
}

// IQM (0–100) with its CI for runs pooled from several groups with the same value of one
// hyperparameter (the marginal over the others), stratified by task.
std::pair<double, Interval> pooled_iqm(const Aggregation& a, const std::vector<int>& groups,
                                       const std::string& stream) {
  TaskScores s(a.tasks.size());
  for (int g : groups)
    for (size_t t = 0; t < a.tasks.size(); ++t)
      for (double v : a.groups[g].cells[t].scores) s[t].push_back(v / 100.0);
  BootstrapOptions o = a.bootstrap;
  o.seed = derive_seed(a.bootstrap.seed, stream);
  auto ci = stratified_bootstrap(
      s, [](const TaskScores& x) { return std::vector<double>{iqm(pooled(x))}; }, o);
  return {100 * iqm(pooled(s)), {100 * ci[0].lo, 100 * ci[0].hi}};
}

void hyperparameter_plots(const Aggregation& a, ScriptBuilder& b, MethodColors& colors,
                          size_t max_series) {
  for (size_t k = 0; k < a.hyperparameters.size(); ++k) {
    const std::string& name = a.hyperparameters[k];
    // Series: method plus the other hyperparameters; points: this one's numeric values.
    std::map<std::string, std::map<double, std::vector<int>>> series;
    std::map<std::string, std::map<double, std::vector<int>>> by_method;
    std::set<double> xs;
    for (int g = 0; g < static_cast<int>(a.groups.size()); ++g) {
      const Group& grp = a.groups[g];
      if (!grp.n_done || !grp.values[k].number) continue;
      double x = *grp.values[k].number;
      std::string label = grp.method;
      for (size_t i = 0; i < grp.values.size(); ++i)
        if (i != k && !grp.values[i].text.empty())
          label += " " + a.hyperparameter_labels[i] + "=" + grp.values[i].text;
      series[label][x].push_back(g);
      by_method[grp.method][x].push_back(g);
      xs.insert(x);
    }
    if (xs.size() < 2) continue;
    bool marginal = series.size() > max_series;
    const auto& chosen = marginal ? by_method : series;
    PlotJob job;
    job.plot.section = "Score against hyperparameters";
    job.plot.title = "IQM against " + name;
    job.name = "iqm-against-" + name;
    job.plot.caption = "Interquartile mean of the normalised final score across tasks against " +
                       name + ", with 95% stratified-bootstrap CIs; one line per " +
                       (marginal ? "method, pooling the runs of the other hyperparameters."
                                 : "method and setting of the other hyperparameters.");
    bool log_x = *xs.begin() > 0 && *xs.rbegin() / *xs.begin() > 10.0;
    job.setup = "set xlabel " + quote(name + (log_x ? " (log scale)" : "")) +
                "\nset ylabel 'IQM normalised score'\nset offsets graph 0.03, graph 0.03, 0, 0\n";
    if (log_x) job.setup += "set logscale x\n";
    for (const auto& [label, points] : chosen) {
      if (job.series.size() >= max_series) break;
      std::vector<std::vector<double>> rows;
      for (const auto& [x, groups] : points) {
        if (!marginal && groups.size() == 1) {
          const Group& g = a.groups[groups.front()];
          rows.push_back({x, g.point.iqm, g.iqm_ci.lo, g.iqm_ci.hi});
        } else {
          auto [v, ci] =
              pooled_iqm(a, groups, "marginal|" + name + "|" + label + "|" + number_text(x));
          rows.push_back({x, v, ci.lo, ci.hi});
        }
      }
      job.series.push_back({label, b.data_file(rows), false, colors.of(label)});
    }
    b.add(std::move(job));
  }
}

void profiles(const Aggregation& a, ScriptBuilder& b, MethodColors& colors, size_t max_series) {
  auto groups = plotted_groups(a, max_series);
  if (groups.empty()) return;
  PlotJob job;
  job.plot.section = "Performance profiles";
  job.plot.title = "Performance profiles";
  job.name = "performance-profiles";
  job.plot.caption =
      "Fraction of runs (all tasks pooled) whose normalised final score exceeds τ, with 95% "
      "stratified-bootstrap bands." +
      top_note(a, groups.size());
  job.setup =
      "set xlabel 'normalised score τ'\nset ylabel 'fraction of runs with score > τ'\n"
      "set yrange [0:1.02]\n";
  for (int g : groups) {
    std::vector<std::vector<double>> rows;
    const Group& grp = a.groups[g];
    for (size_t i = 0; i < a.taus.size(); ++i)
      rows.push_back({a.taus[i], grp.profile[i], grp.profile_ci[i].lo, grp.profile_ci[i].hi});
    job.series.push_back({grp.label, b.data_file(rows), true, colors.of(grp.label)});
  }
  b.add(std::move(job));
}

// gnuplot ytics with text labels at 0, 1, ...: "('a' 0, 'b' 1)"; empty labels when !labelled.
std::string label_tics(const std::vector<std::string>& labels, bool labelled) {
  std::vector<std::string> parts;
  for (size_t i = 0; i < labels.size(); ++i)
    parts.push_back(quote(labelled ? labels[i] : "") + " " + std::to_string(i));
  return "(" + fmt::format("{}", fmt::join(parts, ", ")) + ")";
}

// One horizontal interval bar (coloured, translucent) with the point estimate as a black tick;
// rows: point lo hi y. Bars of groups with too few seeds have NaN ends: only the tick is drawn.
std::string interval_bars(const std::string& file, const std::string& color,
                          const std::string& label) {
  std::string f = quote(file);
  return f + " using 2:4:2:3:($4-0.32):($4+0.32) with boxxyerror fc rgb " + quote(color) +
         " fs solid 0.6 noborder lc rgb " + quote(color) + " title " + quote(label) + ", \\\n  " +
         f + " using 1:($4-0.36):(0):(0.72) with vectors nohead lw 2 lc rgb '#222222' notitle";
}

// rliable's aggregate-metric plot: one panel per metric (IQM, mean, median, optimality gap),
// one row per group, the 95% CI as a bar and the point estimate as a tick.
void aggregate_intervals(const Aggregation& a, ScriptBuilder& b, MethodColors& colors,
                         size_t max_series) {
  auto groups = plotted_groups(a, max_series);
  if (groups.empty()) return;
  const size_t n = groups.size();
  std::vector<std::string> labels(n);
  for (size_t k = 0; k < n; ++k) labels[n - 1 - k] = a.groups[groups[k]].label;  // best on top
  struct Metric {
    const char* title;
    double Aggregates::*point;
    Interval Group::*ci;
  };
  const Metric metrics[] = {
      {"IQM", &Aggregates::iqm, &Group::iqm_ci},
      {"Mean", &Aggregates::mean, &Group::mean_ci},
      {"Median", &Aggregates::median, &Group::median_ci},
      {"Optimality gap", &Aggregates::optimality_gap, &Group::optimality_gap_ci}};
  PlotJob job;
  job.plot.section = "Aggregate metrics";
  job.plot.title = "Aggregate metrics";
  job.plot.wide = true;
  job.name = "aggregate-metrics";
  job.plot.caption =
      "Aggregate normalised final scores across tasks with 95% stratified-bootstrap CIs (bars; "
      "the tick is the point estimate). Higher is better except for the optimality gap." +
      top_note(a, n);
  if (!few_seed_groups(a).empty())
    job.plot.caption += " Groups with fewer than 3 seeds have no bar (interval n/a).";
  job.width = 1140;
  job.height = 110 + 34 * static_cast<int>(n);
  // Fixed panel margins (screen fractions): the first panel's labels take the left 24%.
  const double left = 0.24, panel = (0.985 - left) / 4;
  std::string body = "set multiplot layout 1,4\nunset key\nset grid xtics lc rgb '#dddddd'\n";
  body += fmt::format("set yrange [-0.6:{}]\nset border 1 lc rgb '#555555'\n", n - 0.4);
  body += "set xlabel 'normalised score'\nset xtics nomirror\nset ytics scale 0\n";
  body += "set bmargin at screen " + fmt::format("{:.4f}", 60.0 / job.height) + "\n";
  body += "set tmargin at screen " + fmt::format("{:.4f}", 1 - 34.0 / job.height) + "\n";
  for (size_t m = 0; m < 4; ++m) {
    body += fmt::format("set lmargin at screen {:.4f}\nset rmargin at screen {:.4f}\n",
                        left + m * panel + (m ? 0.012 : 0), left + (m + 1) * panel - 0.012);
    body += "set title " + quote(metrics[m].title) + "\n";
    body += "set ytics " + label_tics(labels, m == 0) + "\n";
    std::vector<std::string> parts;
    for (size_t k = 0; k < n; ++k) {
      const Group& g = a.groups[groups[k]];
      const Interval ci = g.*(metrics[m].ci);
      const bool few = group_seeds(g) < kMinSeedsForInterval;
      const double y = static_cast<double>(n - 1 - k);
      std::string file =
          b.data_file({{g.point.*(metrics[m].point), few ? NAN : ci.lo, few ? NAN : ci.hi, y}});
      parts.push_back(interval_bars(file, colors.of(g.label), g.label));
    }
    body += "plot " + fmt::format("{}", fmt::join(parts, ", \\\n  ")) + "\n";
  }
  body += "unset multiplot\n";
  job.body = body;
  b.add(std::move(job));
}

// rliable's probability-of-improvement plot: one row per pair, P(X > Y) with its 95% CI, X on
// the left axis, Y on the right, coloured by X. Pairs: every pair of the compared groups (X the
// better by IQM) when they are few, else the best group against each other one.
void improvement_plot(const Aggregation& a, ScriptBuilder& b, MethodColors& colors) {
  std::vector<int> ranked;
  for (int g : a.ranked_groups())
    if (std::find(a.compared.begin(), a.compared.end(), g) != a.compared.end()) ranked.push_back(g);
  if (ranked.size() < 2) return;
  std::vector<std::pair<int, int>> pairs;
  const size_t kMaxRows = 12;
  for (size_t i = 0; i < ranked.size(); ++i)
    for (size_t j = i + 1; j < ranked.size(); ++j)
      if (ranked.size() <= 5 || i == 0) pairs.push_back({ranked[i], ranked[j]});
  std::vector<const Improvement*> rows;
  std::vector<std::pair<int, int>> shown;
  for (auto [x, y] : pairs) {
    const Improvement* imp = a.improvement(x, y);
    if (imp && !std::isnan(imp->probability) && shown.size() < kMaxRows) {
      rows.push_back(imp);
      shown.push_back({x, y});
    }
  }
  if (rows.empty()) return;
  const size_t n = rows.size();
  std::vector<std::string> left(n), right(n);
  for (size_t k = 0; k < n; ++k) {
    left[n - 1 - k] = a.groups[shown[k].first].label;
    right[n - 1 - k] = a.groups[shown[k].second].label;
  }
  PlotJob job;
  job.plot.section = "Probability of improvement";
  job.plot.title = "Probability of improvement";
  job.name = "probability-of-improvement";
  job.plot.wide = true;
  job.plot.caption =
      "P(X > Y): the probability that a run of the group on the left (X) scores higher than a run "
      "of the group on the right (Y) on the same task, averaged over tasks, with 95% "
      "stratified-bootstrap CIs (bars; the tick is the estimate). Above 0.5: X tends to win.";
  if (ranked.size() > 5) job.plot.caption += " Shown: the best group against each other one.";
  job.width = 1140;
  job.height = 110 + 34 * static_cast<int>(n);
  std::string body = "unset key\nset grid xtics lc rgb '#dddddd'\nset border 1 lc rgb '#555555'\n";
  body += fmt::format("set yrange [-0.6:{}]\nset y2range [-0.6:{}]\nset xrange [0:1]\n", n - 0.4,
                      n - 0.4);
  body += "set title " + quote(job.plot.title) + "\nset xlabel 'P(X > Y)'\nset xtics nomirror\n";
  body += "set lmargin at screen 0.3\nset rmargin at screen 0.7\n";
  body += "set ytics scale 0 " + label_tics(left, true) + "\n";
  body += "set y2tics scale 0 " + label_tics(right, true) + "\n";
  body += "set arrow from 0.5, graph 0 to 0.5, graph 1 nohead dt 2 lc rgb '#888888'\n";
  std::vector<std::string> parts;
  for (size_t k = 0; k < n; ++k) {
    const Improvement& imp = *rows[k];
    const Group &x = a.groups[shown[k].first], &y = a.groups[shown[k].second];
    const bool few = std::min(group_seeds(x), group_seeds(y)) < kMinSeedsForInterval;
    std::string file = b.data_file({{imp.probability, few ? NAN : imp.ci.lo, few ? NAN : imp.ci.hi,
                                     static_cast<double>(n - 1 - k)}});
    parts.push_back(interval_bars(file, colors.of(x.label), x.label));
  }
  body += "plot " + fmt::format("{}", fmt::join(parts, ", \\\n  ")) + "\n";
  job.body = body;
  b.add(std::move(job));
}

// Every plot, in the order report.html shows them: rliable's summaries first.
void build_plots(const Aggregation& a, ScriptBuilder& b, int max_series) {
  size_t n = static_cast<size_t>(std::max(1, max_series));
  MethodColors colors(a);
  aggregate_intervals(a, b, colors, n);
  improvement_plot(a, b, colors);
  profiles(a, b, colors, n);
  learning_curves(a, b, colors, n);
  hyperparameter_plots(a, b, colors, n);
  training_traces(a, b, colors, n);
  // Unique file names, relative to the report.
  std::set<std::string> used;
  for (auto& j : b.jobs()) {
    std::string stem = slug(j.name), name = stem;
    for (int i = 2; !used.insert(name).second; ++i) name = stem + "-" + std::to_string(i);
    j.plot.file = "plots/" + name + ".svg";
  }
}

// Runs `gnuplot script` with stdout and stderr into `log`; returns the exit status.
int run_gnuplot(const std::string& gnuplot, const std::string& script, const std::string& log) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  std::vector<char*> argv{const_cast<char*>(gnuplot.c_str()), const_cast<char*>(script.c_str()),
                          nullptr};
  pid_t pid = 0;
  int rc = posix_spawn(&pid, gnuplot.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return -1;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

std::optional<std::string> find_gnuplot() {
  const char* path = std::getenv("PATH");
  if (!path) return std::nullopt;
  std::stringstream ss(path);
  for (std::string dir; std::getline(ss, dir, ':');) {
    if (dir.empty()) continue;
    std::string candidate = dir + "/gnuplot";
    if (access(candidate.c_str(), X_OK) == 0 && fs::is_regular_file(candidate)) return candidate;
  }
  return std::nullopt;
}

std::string plot_script(const Aggregation& a, const std::string& dir, int max_series) {
  ScriptBuilder b(dir);
  build_plots(a, b, max_series);
  return b.script();
}

PlotSet draw_plots(const Aggregation& a, const std::string& gnuplot, int max_series) {
  PlotSet out;
  try {
    TempDir tmp;
    ScriptBuilder b(tmp.path());
    build_plots(a, b, max_series);
    if (b.jobs().empty()) return out;
    std::string script = tmp.path() + "/report.gp", log = tmp.path() + "/gnuplot.log";
    {
      std::ofstream s(script);
      s << b.script();
    }
    int rc = run_gnuplot(gnuplot, script, log);
    if (rc != 0) {
      std::string msg = read_text_file_if_present(log).value_or("");
      msg = msg.substr(0, msg.find_first_of('\n', msg.find_first_not_of("\n ")));
      out.warning = fmt::format(
          "gnuplot ({}) failed with exit status {}: {}; report.html has no "
          "plots",
          gnuplot, rc, msg.empty() ? "no message" : msg);
      return out;
    }
    for (auto& j : b.jobs()) {
      j.plot.svg = read_text_file_if_present(j.svg_path).value_or("");
      if (j.plot.svg.find("<svg") == std::string::npos) {
        out.warning = "gnuplot wrote no SVG for '" + j.plot.title + "'; report.html has no plots";
        out.plots.clear();
        return out;
      }
      out.plots.push_back(std::move(j.plot));
    }
  } catch (const std::exception& e) {
    out.warning = std::string("plotting failed: ") + e.what() + "; report.html has no plots";
    out.plots.clear();
  }
  return out;
}

}  // namespace relabel::report
