#pragma once
// Helpers for the offline-learner tests: fixed random batches, leaf copies of flat parameters,
// and the plain autograd MLP the hand-written paths are checked against.
#include <torch/torch.h>

#include <initializer_list>
#include <sstream>
#include <vector>

#include "algos/batch.h"
#include "algos/nets/flat_params.h"
#include "algos/offline/learner.h"

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

// Plain MLP from the spec: Linear layers y = x W + b with ReLU between them, optional tanh on the
// output; p[l] is layer l's stacked (E, in + 1, out) [W; b] (FastMlp's layout), member e.
inline torch::Tensor mlp(const torch::Tensor& x, const std::vector<torch::Tensor>& p, int64_t e,
                         bool tanh_out = false) {
  torch::Tensor h = x;
  for (size_t l = 0; l < p.size(); ++l) {
    const int64_t in = p[l].size(1) - 1;
    h = torch::matmul(h, p[l][e].narrow(0, 0, in)) + p[l][e][in];
    if (l + 1 < p.size()) h = torch::relu(h);
  }
  return tanh_out ? torch::tanh(h) : h;
}

inline double max_abs_diff(const torch::Tensor& a, const torch::Tensor& b) {
  return (a.detach() - b.detach()).abs().max().item<double>();
}

// The tensors `keys` of a learner's checkpoint that it has (IQL's flat buffers, TD3+BC's and
// BC's networks, optimiser moments), flattened into one vector, read back through save().
inline torch::Tensor saved_state(const OfflineLearner& l, std::initializer_list<const char*> keys) {
  torch::serialize::OutputArchive out;
  l.save(out);
  std::stringstream ss;
  out.save_to(ss);
  torch::serialize::InputArchive in;
  in.load_from(ss);
  std::vector<torch::Tensor> parts;
  for (const char* key : keys) {
    torch::Tensor t;
    if (in.try_read(key, t, true)) parts.push_back(t.flatten());
  }
  return torch::cat(parts);
}

}  // namespace relabel::algos::testing
