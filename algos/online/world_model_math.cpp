#include "algos/online/world_model_math.h"

#include <torch/torch.h>

#include "core/error.h"

namespace relabel::algos {

torch::Tensor symlog(const torch::Tensor& x) { return torch::sign(x) * torch::log1p(x.abs()); }

torch::Tensor symexp(const torch::Tensor& x) { return torch::sign(x) * torch::expm1(x.abs()); }

torch::Tensor two_hot(const torch::Tensor& x, const TwoHotBins& bins) {
  const int64_t n = bins.num_bins;
  if (n < 2) throw Error("two_hot: needs at least 2 bins");
  auto v = symlog(x.reshape({-1})).clamp(bins.vmin, bins.vmax);
  auto pos = (v - bins.vmin) / bins.bin_size();
  auto lower = pos.floor().clamp(0, n - 1);
  auto frac = (pos - lower).unsqueeze(1);
  auto lo = lower.to(torch::kLong).unsqueeze(1);
  auto hi = (lo + 1).clamp_max(n - 1);  // at vmax the upper weight is 0 anyway
  auto out = torch::zeros({v.size(0), n}, x.options());
  out.scatter_add_(1, lo, 1.0 - frac);
  out.scatter_add_(1, hi, frac);
  return out;
}

torch::Tensor two_hot_inv(const torch::Tensor& logits, const TwoHotBins& bins) {
  auto centers = torch::linspace(bins.vmin, bins.vmax, bins.num_bins, logits.options());
  return symexp((torch::softmax(logits, -1) * centers).sum(-1));
}

torch::Tensor soft_ce(const torch::Tensor& logits, const torch::Tensor& target,
                      const TwoHotBins& bins) {
  return -(two_hot(target, bins) * torch::log_softmax(logits, -1)).sum(-1);
}

torch::Tensor simnorm(const torch::Tensor& x, int64_t group) {
  const int64_t d = x.size(-1);
  if (group < 1 || d % group != 0)
    throw Error("simnorm: width " + std::to_string(d) + " is not a multiple of " +
                std::to_string(group));
  auto shape = x.sizes().vec();
  auto grouped = x.reshape({-1, d / group, group});
  return torch::softmax(grouped, -1).reshape(shape);
}

}  // namespace relabel::algos
