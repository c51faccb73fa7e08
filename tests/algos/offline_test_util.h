#pragma once
// Helpers for the offline-learner tests: fixed random batches, leaf copies of flat parameters,
// and the plain autograd MLP the hand-written paths are checked against.
#include <torch/torch.h>

#include <vector>

#include "algos/batch.h"
#include "algos/nets/flat_params.h"

namespace relabel::algos::testing {

inline Batch random_batch(int64_t n, int64_t obs, int64_t act, uint64_t seed) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  Batch b;
  b.obs = torch::randn({n, obs}, gen);
  b.actions = torch::rand({n, act}, gen) * 1.8 - 0.9;
  b.rewards = torch::randn({n}, gen);
  b.next_obs = torch::randn({n, obs}, gen);
  b.dones = (torch::rand({n}, gen) < 0.2).to(torch::kFloat32);
  return b;
}

// Leaf copies (requires_grad) of flat parameters [first, first + count).
inline std::vector<torch::Tensor> leaf_copies(const FlatParams& flat, size_t first, size_t count) {
  std::vector<torch::Tensor> out;
  for (size_t i = first; i < first + count; ++i)
    out.push_back(flat.param(i).detach().clone().requires_grad_(true));
  return out;
}

// Plain MLP from the spec: Linear (x W + b, weights stored (in, out)) with ReLU between layers,
// optional tanh on the output; member e of stacked (E, in, out) weights. Returns (B, out).
inline torch::Tensor mlp(const torch::Tensor& x, const std::vector<torch::Tensor>& p, int64_t e,
                         bool tanh_out = false) {
  torch::Tensor h = x;
  const size_t L = p.size() / 2;
  for (size_t l = 0; l < L; ++l) {
    h = torch::matmul(h, p[2 * l][e]) + p[2 * l + 1][e];
    if (l + 1 < L) h = torch::relu(h);
  }
  return tanh_out ? torch::tanh(h) : h;
}

inline double max_abs_diff(const torch::Tensor& a, const torch::Tensor& b) {
  return (a.detach() - b.detach()).abs().max().item<double>();
}

}  // namespace relabel::algos::testing
