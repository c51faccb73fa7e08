#include "algos/reward/reward_common.h"

#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>
#include <torch/torch.h>

#include <cmath>

#include "core/error.h"
#include "core/seeding.h"

namespace relabel::algos::reward_detail {

uint64_t derive_seed(uint64_t seed, uint64_t stream) { return relabel::mix_seed(seed, stream); }

torch::Generator make_generator(uint64_t seed) {
  return at::make_generator<at::CPUGeneratorImpl>(seed);
}

void init_from_generator(Mlp& mlp, torch::Generator& gen) {
  torch::NoGradGuard no_grad;
  for (const auto& m : mlp->modules(/*include_self=*/false)) {
    auto* linear = m->as<torch::nn::Linear>();
    if (linear == nullptr) continue;
    const double bound = 1.0 / std::sqrt(static_cast<double>(linear->weight.size(1)));
    linear->weight.uniform_(-bound, bound, gen);
    if (linear->bias.defined()) linear->bias.uniform_(-bound, bound, gen);
  }
}

torch::Tensor as_matrix(const torch::Tensor& t, const std::string& what, int64_t cols,
                        const torch::Device& device) {
  if (!t.defined()) throw Error(fmt::format("{} is missing", what));
  if (t.dim() != 2)
    throw Error(
        fmt::format("{} must be a (rows, columns) matrix, got {} dimensions", what, t.dim()));
  if (cols >= 0 && t.size(1) != cols)
    throw Error(fmt::format("{} has {} columns, expected {}", what, t.size(1), cols));
  return t.to(device, torch::kFloat32).contiguous();
}

torch::Tensor as_column(const torch::Tensor& t, const std::string& what, int64_t rows,
                        const torch::Device& device) {
  if (!t.defined()) throw Error(fmt::format("{} is missing", what));
  torch::Tensor v = t.dim() == 2 && t.size(1) == 1 ? t.squeeze(1) : t;
  if (v.dim() != 1 || v.size(0) != rows)
    throw Error(
        fmt::format("{} must have shape ({},), got {}", what, rows, fmt::join(t.sizes(), "x")));
  return v.to(device, torch::kFloat32).contiguous();
}

int64_t local_batch(int64_t global_batch, int world_size) {
  return std::max<int64_t>(1, global_batch / std::max(1, world_size));
}

torch::Tensor sample_rows(int64_t rows, int64_t n, torch::Generator& gen,
                          const torch::Device& device) {
  return torch::randint(rows, {n}, gen, torch::kLong).to(device);
}

}  // namespace relabel::algos::reward_detail
