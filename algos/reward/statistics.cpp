#include "algos/reward/statistics.h"

#include <torch/torch.h>

#include <cmath>
#include <limits>
#include <string>

#include "core/error.h"

namespace relabel::algos {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

torch::Tensor as_vector(const torch::Tensor& t, const char* what) {
  if (!t.defined()) throw Error(std::string("statistics: ") + what + " is undefined");
  if (t.dim() != 1)
    throw Error(std::string("statistics: ") + what + " must be 1-D, got " +
                std::to_string(t.dim()) + " dimensions");
  return t.to(torch::kCPU, torch::kFloat64).contiguous();
}

void check_same_length(const torch::Tensor& x, const torch::Tensor& y) {
  if (x.size(0) != y.size(0))
    throw Error("statistics: vectors differ in length (" + std::to_string(x.size(0)) + " vs " +
                std::to_string(y.size(0)) + ")");
}

}  // namespace

void PearsonSums::add(const torch::Tensor& x_in, const torch::Tensor& y_in) {
  torch::Tensor x = as_vector(x_in, "x");
  torch::Tensor y = as_vector(y_in, "y");
  check_same_length(x, y);
  // Shift-free sums are fine for the bounded, normalised samples this is used on; value()
  // guards against a non-positive variance from rounding.
  n += static_cast<double>(x.size(0));
  sx += x.sum().item<double>();
  sy += y.sum().item<double>();
  sxx += (x * x).sum().item<double>();
  syy += (y * y).sum().item<double>();
  sxy += (x * y).sum().item<double>();
}

void PearsonSums::merge(const PearsonSums& o) {
  n += o.n;
  sx += o.sx;
  sy += o.sy;
  sxx += o.sxx;
  syy += o.syy;
  sxy += o.sxy;
}

double PearsonSums::value() const {
  if (n < 2) return kNaN;
  const double cxx = sxx - sx * sx / n;
  const double cyy = syy - sy * sy / n;
  const double cxy = sxy - sx * sy / n;
  if (!(cxx > 0) || !(cyy > 0)) return kNaN;
  return cxy / std::sqrt(cxx * cyy);
}

double pearson(const torch::Tensor& x_in, const torch::Tensor& y_in) {
  torch::Tensor x = as_vector(x_in, "x");
  torch::Tensor y = as_vector(y_in, "y");
  check_same_length(x, y);
  if (x.size(0) < 2) return kNaN;
  // Two-pass (centred) form: exact for the small hand-checked vectors and stable for large ones.
  torch::Tensor dx = x - x.mean();
  torch::Tensor dy = y - y.mean();
  const double cxx = (dx * dx).sum().item<double>();
  const double cyy = (dy * dy).sum().item<double>();
  if (!(cxx > 0) || !(cyy > 0)) return kNaN;
  return (dx * dy).sum().item<double>() / std::sqrt(cxx * cyy);
}

torch::Tensor average_ranks(const torch::Tensor& x_in) {
  torch::Tensor x = as_vector(x_in, "x");
  const int64_t n = x.size(0);
  torch::Tensor order = std::get<1>(x.sort(/*stable=*/true, /*dim=*/0, /*descending=*/false));
  torch::Tensor ranks = torch::empty({n}, torch::kFloat64);
  const double* v = x.data_ptr<double>();
  const int64_t* o = order.data_ptr<int64_t>();
  double* r = ranks.data_ptr<double>();
  for (int64_t i = 0; i < n;) {
    int64_t j = i + 1;
    while (j < n && v[o[j]] == v[o[i]]) ++j;
    // Positions i..j-1 (0-based) hold equal values: ranks i+1..j, average (i + 1 + j) / 2.
    const double avg = 0.5 * static_cast<double>(i + 1 + j);
    for (int64_t k = i; k < j; ++k) r[o[k]] = avg;
    i = j;
  }
  return ranks;
}

double spearman(const torch::Tensor& x, const torch::Tensor& y) {
  check_same_length(as_vector(x, "x"), as_vector(y, "y"));
  return pearson(average_ranks(x), average_ranks(y));
}

double auroc(const torch::Tensor& score_in, const torch::Tensor& positive_in) {
  torch::Tensor score = as_vector(score_in, "score");
  torch::Tensor positive = as_vector(positive_in, "positive") != 0;
  check_same_length(score, positive);
  const double n_pos = positive.sum().item<double>();
  const double n_neg = static_cast<double>(score.size(0)) - n_pos;
  if (n_pos == 0 || n_neg == 0) return kNaN;
  // Mann-Whitney: U = (sum of the positives' average ranks) - n_pos (n_pos + 1) / 2.
  const double rank_sum = average_ranks(score).masked_select(positive).sum().item<double>();
  const double u = rank_sum - n_pos * (n_pos + 1) / 2;
  return u / (n_pos * n_neg);
}

}  // namespace relabel::algos
