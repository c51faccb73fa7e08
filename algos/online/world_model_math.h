#pragma once
// Numerical pieces of the TD-MPC2-style world model (Hansen, Su & Wang, "TD-MPC2", ICLR 2024):
// symlog/symexp, the two-hot encoding of scalars over bins in symlog space, the soft
// cross-entropy used by the reward and value heads, and SimNorm.
#include <torch/types.h>

#include <cstdint>

namespace relabel::algos {

torch::Tensor symlog(const torch::Tensor& x);  // sign(x) * log(1 + |x|)
torch::Tensor symexp(const torch::Tensor& x);  // sign(x) * (exp(|x|) - 1)

// Bins of the distributional heads: num_bins points evenly spaced over [vmin, vmax] in symlog
// space (docs/algorithms.md: 101 bins over [-10, 10]).
struct TwoHotBins {
  int64_t num_bins = 101;
  double vmin = -10.0;
  double vmax = 10.0;
  double bin_size() const { return (vmax - vmin) / static_cast<double>(num_bins - 1); }
};

// (N,) or (N, 1) scalars -> (N, num_bins) rows with weight 1 - f on bin i and f on bin i + 1,
// where symlog(x) (clamped to [vmin, vmax]) lies at fraction f between bins i and i + 1.
torch::Tensor two_hot(const torch::Tensor& x, const TwoHotBins& bins);
// (..., num_bins) logits -> (...) scalars: symexp of the softmax-weighted mean bin position.
torch::Tensor two_hot_inv(const torch::Tensor& logits, const TwoHotBins& bins);
// Cross-entropy between logits (N, num_bins) and the two-hot encoding of targets (N,): (N,).
torch::Tensor soft_ce(const torch::Tensor& logits, const torch::Tensor& target,
                      const TwoHotBins& bins);

// Softmax over consecutive groups of `group` features of the last dimension (SimNorm): every
// group of the result is a probability vector. The last dimension must be a multiple of group.
torch::Tensor simnorm(const torch::Tensor& x, int64_t group);

}  // namespace relabel::algos
