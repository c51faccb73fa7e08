#include "run/obs_normalizer.h"

#include <torch/torch.h>

#include <vector>

#include "core/error.h"

namespace relabel::run {

using comm::Collective;

ObsNormalizer ObsNormalizer::from_shard(const torch::Tensor& local_obs, Collective& comm) {
  const int64_t d = local_obs.size(1);
  auto x = local_obs.to(torch::kFloat64);
  // Shift by a value every rank agrees on is not needed at float64 for these magnitudes
  // (|obs| <~ 1e3, N <~ 1e7): E[x^2] - E[x]^2 keeps ~1e-6 relative accuracy.
  auto s1 = x.sum(0).contiguous();
  auto s2 = (x * x).sum(0).contiguous();
  std::vector<double> buf(2 * d + 1);
  std::copy(s1.data_ptr<double>(), s1.data_ptr<double>() + d, buf.begin());
  std::copy(s2.data_ptr<double>(), s2.data_ptr<double>() + d, buf.begin() + d);
  buf[2 * d] = static_cast<double>(local_obs.size(0));
  comm.all_reduce_sum(buf.data(), static_cast<int64_t>(buf.size()));
  const double n = buf[2 * d];
  if (n < 1) throw Error("cannot normalise observations of an empty dataset");
  auto sum = torch::from_blob(buf.data(), {d}, torch::kFloat64).clone();
  auto sumsq = torch::from_blob(buf.data() + d, {d}, torch::kFloat64).clone();
  auto mean = sum / n;
  auto var = (sumsq / n - mean * mean).clamp_min(0.0);
  ObsNormalizer out;
  out.mean = mean.to(torch::kFloat32);
  out.std = (var.sqrt() + 1e-3).to(torch::kFloat32);
  return out;
}

ObsNormalizer ObsNormalizer::identity(int64_t obs_dim) {
  return {torch::zeros({obs_dim}), torch::ones({obs_dim})};
}

torch::Tensor ObsNormalizer::apply(const torch::Tensor& obs) const {
  return (obs - mean.to(obs.device())) / std.to(obs.device());
}

}  // namespace relabel::run
