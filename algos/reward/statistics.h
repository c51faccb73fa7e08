#pragma once
// Reward diagnostics (docs/algorithms.md, ReLOAD and imputation diagnostics): Pearson and Spearman
// correlation and the AUROC of separating two classes by a score. Inputs are 1-D tensors of any
// floating type on any device (computed in double on the CPU). The engine gathers a bounded
// sample of rows to one rank and calls these; PearsonSums combines Pearson across shards
// exactly, since it is a function of sums.
//
// Degenerate inputs (fewer than 2 rows, a constant vector, no positive or no negative class)
// give NaN: the statistic is undefined there, and result.json writes it as null.
#include <torch/types.h>

#include <cstdint>

namespace relabel::algos {

// Sample Pearson correlation of x and y (same length).
double pearson(const torch::Tensor& x, const torch::Tensor& y);

// Ranks 1..n in ascending order; tied values share the average of their ranks (fractional
// ranking), so the result is float64.
torch::Tensor average_ranks(const torch::Tensor& x);

// Spearman's rho: Pearson correlation of the average ranks (the tie-correct definition).
double spearman(const torch::Tensor& x, const torch::Tensor& y);

// Area under the ROC curve of `score` separating positive (label true / nonzero) from negative
// rows: the Mann-Whitney U statistic divided by n_pos * n_neg, with a tie counting 1/2.
double auroc(const torch::Tensor& score, const torch::Tensor& positive);

// Sufficient statistics of Pearson's r, for combining shards: add() rows on every rank,
// all-reduce the six fields (as_array / from_array), then value().
struct PearsonSums {
  double n = 0, sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
  void add(const torch::Tensor& x, const torch::Tensor& y);
  void merge(const PearsonSums& other);
  double value() const;
};

}  // namespace relabel::algos
