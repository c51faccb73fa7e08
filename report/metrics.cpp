#include "report/metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>

namespace relabel::report {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}

double mean(const std::vector<double>& x) {
  if (x.empty()) return kNaN;
  return std::accumulate(x.begin(), x.end(), 0.0) / static_cast<double>(x.size());
}

double sample_std(const std::vector<double>& x) {
  if (x.size() < 2) return kNaN;
  double m = mean(x), ss = 0;
  for (double v : x) ss += (v - m) * (v - m);
  return std::sqrt(ss / static_cast<double>(x.size() - 1));
}

double median(std::vector<double> x) {
  if (x.empty()) return kNaN;
  size_t n = x.size(), mid = n / 2;
  std::nth_element(x.begin(), x.begin() + mid, x.end());
  double upper = x[mid];
  if (n % 2) return upper;
  double lower = *std::max_element(x.begin(), x.begin() + mid);
  return 0.5 * (lower + upper);
}

double trimmed_mean(std::vector<double> x, double proportion) {
  std::sort(x.begin(), x.end());
  return trimmed_mean_sorted(x, proportion);
}

double trimmed_mean_sorted(const std::vector<double>& sorted, double proportion) {
  if (sorted.empty()) return kNaN;
  // scipy.stats.trim_mean: int(proportion * n) cut from each end.
  size_t cut = static_cast<size_t>(std::floor(proportion * static_cast<double>(sorted.size())));
  if (2 * cut >= sorted.size()) return kNaN;
  double sum = std::accumulate(sorted.begin() + cut, sorted.end() - cut, 0.0);
  return sum / static_cast<double>(sorted.size() - 2 * cut);
}

double iqm(std::vector<double> x) { return trimmed_mean(std::move(x), 0.25); }

double optimality_gap(const std::vector<double>& x, double gamma) {
  if (x.empty()) return kNaN;
  double s = 0;
  for (double v : x) s += std::min(v, gamma);
  return gamma - s / static_cast<double>(x.size());
}

namespace {
// numpy's linear-interpolated q-th percentile of `x`, reordering it (two selections, no sort:
// the bootstrap asks for thousands of intervals).
double select_percentile(std::vector<double>& x, double q) {
  double pos = q / 100.0 * static_cast<double>(x.size() - 1);
  size_t i = static_cast<size_t>(std::floor(pos));
  std::nth_element(x.begin(), x.begin() + i, x.end());
  double lower = x[i];
  if (i + 1 >= x.size()) return lower;
  double upper = *std::min_element(x.begin() + i + 1, x.end());
  return lower + (pos - static_cast<double>(i)) * (upper - lower);
}
}  // namespace

double percentile(std::vector<double> x, double q) {
  if (x.empty()) return kNaN;
  return select_percentile(x, q);
}

double mann_whitney_probability(const std::vector<double>& x, const std::vector<double>& y) {
  if (x.empty() || y.empty()) return kNaN;
  double u = 0;
  for (double a : x)
    for (double b : y) u += a > b ? 1.0 : (a == b ? 0.5 : 0.0);
  return u / (static_cast<double>(x.size()) * static_cast<double>(y.size()));
}

std::vector<double> score_profile(const std::vector<double>& x, const std::vector<double>& taus) {
  std::vector<double> sorted = x;
  std::sort(sorted.begin(), sorted.end());
  return score_profile_sorted(sorted, taus);
}

std::vector<double> score_profile_sorted(const std::vector<double>& sorted,
                                         const std::vector<double>& taus) {
  std::vector<double> out;
  out.reserve(taus.size());
  for (double tau : taus) {
    if (sorted.empty()) {
      out.push_back(kNaN);
      continue;
    }
    auto above = sorted.end() - std::upper_bound(sorted.begin(), sorted.end(), tau);
    out.push_back(static_cast<double>(above) / static_cast<double>(sorted.size()));
  }
  return out;
}

std::vector<double> pooled(const TaskScores& scores) {
  std::vector<double> out;
  for (const auto& t : scores) out.insert(out.end(), t.begin(), t.end());
  return out;
}

std::vector<double> task_means(const TaskScores& scores) {
  std::vector<double> out;
  for (const auto& t : scores)
    if (!t.empty()) out.push_back(mean(t));
  return out;
}

Aggregates aggregates(const TaskScores& scores) {
  auto v = aggregate_vector(scores);
  return {v[0], v[1], v[2], v[3]};
}

std::vector<double> aggregate_vector(const TaskScores& scores) {
  auto means = task_means(scores);
  auto all = pooled(scores);
  return {mean(means), median(means), iqm(all), optimality_gap(all)};
}

double probability_of_improvement(const TaskScores& x, const TaskScores& y) {
  double sum = 0;
  int tasks = 0;
  for (size_t t = 0; t < std::min(x.size(), y.size()); ++t) {
    if (x[t].empty() || y[t].empty()) continue;
    sum += mann_whitney_probability(x[t], y[t]);
    ++tasks;
  }
  return tasks ? sum / tasks : kNaN;
}

uint64_t derive_seed(uint64_t seed, const std::string& stream) {
  Rng mix(seed ^ relabel::fnv1a64(stream));
  return mix.next();
}

namespace {

void resample(const TaskScores& from, TaskScores& to, Rng& rng) {
  to.resize(from.size());
  for (size_t t = 0; t < from.size(); ++t) {
    const auto& src = from[t];
    auto& dst = to[t];
    dst.resize(src.size());
    for (size_t i = 0; i < src.size(); ++i) dst[i] = src[rng.below(src.size())];
  }
}

Interval percentile_interval(std::vector<double>& values, double confidence) {
  values.erase(std::remove_if(values.begin(), values.end(), [](double v) { return std::isnan(v); }),
               values.end());
  if (values.empty()) return {kNaN, kNaN};
  double tail = 50.0 * (1.0 - confidence);
  return {select_percentile(values, tail), select_percentile(values, 100.0 - tail)};
}

}  // namespace

std::vector<Interval> stratified_bootstrap(const TaskScores& scores, const Statistic& statistic,
                                           const BootstrapOptions& options) {
  Rng rng(options.seed);
  TaskScores sample;
  std::vector<std::vector<double>> draws;
  for (int r = 0; r < options.reps; ++r) {
    resample(scores, sample, rng);
    auto v = statistic(sample);
    if (draws.empty()) draws.resize(v.size());
    for (size_t k = 0; k < v.size(); ++k) draws[k].push_back(v[k]);
  }
  std::vector<Interval> out;
  for (auto& d : draws) out.push_back(percentile_interval(d, options.confidence));
  return out;
}

Interval stratified_bootstrap_pair(const TaskScores& x, const TaskScores& y,
                                   const PairStatistic& statistic,
                                   const BootstrapOptions& options) {
  Rng rng(options.seed);
  TaskScores sx, sy;
  std::vector<double> draws;
  draws.reserve(options.reps);
  for (int r = 0; r < options.reps; ++r) {
    resample(x, sx, rng);
    resample(y, sy, rng);
    draws.push_back(statistic(sx, sy));
  }
  return percentile_interval(draws, options.confidence);
}

std::vector<Interval> bootstrap_curve_intervals(const std::vector<std::vector<double>>& by_step,
                                                const BootstrapOptions& options) {
  size_t runs = 0;
  for (const auto& row : by_step) runs = std::max(runs, row.size());
  std::vector<Interval> out;
  if (runs == 0) {
    out.assign(by_step.size(), {kNaN, kNaN});
    return out;
  }
  Rng rng(options.seed);
  std::vector<double> counts(runs);
  std::vector<std::vector<double>> draws(by_step.size(), std::vector<double>(options.reps));
  for (int r = 0; r < options.reps; ++r) {
    std::fill(counts.begin(), counts.end(), 0.0);
    for (size_t i = 0; i < runs; ++i) counts[rng.below(runs)] += 1;
    for (size_t s = 0; s < by_step.size(); ++s) {
      double sum = 0, weight = 0;
      const auto& row = by_step[s];
      for (size_t i = 0; i < row.size(); ++i)
        if (!std::isnan(row[i])) {
          sum += counts[i] * row[i];
          weight += counts[i];
        }
      draws[s][r] = weight > 0 ? sum / weight : kNaN;
    }
  }
  for (auto& d : draws) out.push_back(percentile_interval(d, options.confidence));
  return out;
}

}  // namespace relabel::report
