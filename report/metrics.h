#pragma once
// Aggregate metrics of docs/metrics.md (rliable, Agarwal et al., NeurIPS 2021). Scores here are
// normalised fractions (the 0–100 score divided by 100); reports multiply by 100.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/seeding.h"

namespace relabel::report {

// The scores of one group: per task, the normalised scores of its runs (seeds). Tasks may have
// different run counts (failed runs); a task without runs is skipped by every statistic.
using TaskScores = std::vector<std::vector<double>>;

struct Interval {
  double lo = 0, hi = 0;
};

// Arithmetic mean; NaN when empty.
double mean(const std::vector<double>& x);
// Sample standard deviation (ddof = 1, the D4RL convention); NaN when fewer than two values.
double sample_std(const std::vector<double>& x);
// Median (mean of the two middle values for even n); NaN when empty.
double median(std::vector<double> x);
// scipy.stats.trim_mean: sort, cut floor(proportion·n) from each end, average the rest.
double trimmed_mean(std::vector<double> x, double proportion);
double trimmed_mean_sorted(const std::vector<double>& sorted, double proportion);
// Interquartile mean: trimmed_mean(x, 0.25).
double iqm(std::vector<double> x);
// γ − mean(min(x, γ)).
double optimality_gap(const std::vector<double>& x, double gamma = 1.0);
// numpy.percentile with linear interpolation, q in [0, 100]; `x` need not be sorted.
double percentile(std::vector<double> x, double q);
// Mann–Whitney U / (n_x·n_y): P(X > Y) with ties counting 0.5. NaN if either is empty.
double mann_whitney_probability(const std::vector<double>& x, const std::vector<double>& y);
// Fraction of `x` strictly above each τ.
std::vector<double> score_profile(const std::vector<double>& x, const std::vector<double>& taus);
std::vector<double> score_profile_sorted(const std::vector<double>& sorted,
                                         const std::vector<double>& taus);

// All runs of every task in one vector.
std::vector<double> pooled(const TaskScores& scores);
// Mean of each non-empty task.
std::vector<double> task_means(const TaskScores& scores);

// The four cross-task aggregates of docs/metrics.md.
struct Aggregates {
  double mean = 0;            // mean of per-task means
  double median = 0;          // median of per-task means
  double iqm = 0;             // IQM of all runs pooled
  double optimality_gap = 0;  // γ = 1 over all runs pooled
};
Aggregates aggregates(const TaskScores& scores);
// The same four values as a vector {mean, median, iqm, optimality_gap} (bootstrap statistic).
std::vector<double> aggregate_vector(const TaskScores& scores);

// P(X > Y) averaged over the tasks where both groups have runs (x[t] and y[t] are the same task).
// NaN when no task is shared.
double probability_of_improvement(const TaskScores& x, const TaskScores& y);

// Deterministic 64-bit generator (core's SplitMix64): same seed, same stream on every platform,
// unlike std::uniform_int_distribution whose mapping is library-specific.
class Rng {
 public:
  explicit Rng(uint64_t seed) : gen_(seed) {}
  uint64_t next() { return gen_.next(); }
  // Uniform integer in [0, n) (Lemire's multiply-shift; the bias is below 2^-40 for our n).
  uint64_t below(uint64_t n) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(next()) * n) >> 64);
  }

 private:
  relabel::SplitMix64 gen_;
};

// A seed for one named stream of one bootstrap: CIs of a group do not change when other groups are
// added to the sweep or computed in another order.
uint64_t derive_seed(uint64_t seed, const std::string& stream);

// The most repetitions `relabel report --bootstrap-reps` takes: twice rliable's 50,000, whose
// percentile CIs are already exact to well under a point. The learning-curve CIs keep every draw
// (8 bytes per repetition and evaluation step: 1,000,000 reps of a 100-evaluation curve are
// 800 MB, and a 60-run report took 2 minutes), so larger values exhaust memory or hang.
constexpr int kMaxBootstrapReps = 100'000;

struct BootstrapOptions {
  int reps = 2000;  // rliable uses 50,000; 2,000 keeps reports fast
  uint64_t seed = 0;
  double confidence = 0.95;
};

// Stratified bootstrap (docs/metrics.md): each repetition resamples the runs of every task with
// replacement (same count), evaluates `statistic`, and the percentile interval of each output
// component is returned. NaN outputs of a repetition are ignored for that component.
using Statistic = std::function<std::vector<double>(const TaskScores&)>;
std::vector<Interval> stratified_bootstrap(const TaskScores& scores, const Statistic& statistic,
                                           const BootstrapOptions& options);

// The same for a statistic of two groups, resampled independently (probability of improvement).
using PairStatistic = std::function<double(const TaskScores&, const TaskScores&)>;
Interval stratified_bootstrap_pair(const TaskScores& x, const TaskScores& y,
                                   const PairStatistic& statistic, const BootstrapOptions& options);

// Learning-curve CIs: by_step[s][i] is run i's score at step s (NaN where run i has no evaluation
// there). Each repetition resamples the runs (seeds) with replacement, jointly for all steps, and
// takes the mean over the resampled runs present at each step; returns each step's percentile CI.
std::vector<Interval> bootstrap_curve_intervals(const std::vector<std::vector<double>>& by_step,
                                                const BootstrapOptions& options);

}  // namespace relabel::report
