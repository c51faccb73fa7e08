#include "algos/nets/flat_params.h"

#include <torch/torch.h>

#include "core/error.h"

namespace relabel::algos {

namespace {
constexpr int64_t kAlign = 16;  // floats: 64 bytes, a cache line / one AVX-512 vector

int64_t numel_of(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}
}  // namespace

FlatParams::FlatParams(std::vector<ParamSpec> specs, const torch::TensorOptions& options,
                       bool with_grad)
    : specs_(std::move(specs)) {
  int64_t total = 0;
  for (const auto& s : specs_) {
    offsets_.push_back(total);
    total += (numel_of(s.shape) + kAlign - 1) / kAlign * kAlign;
  }
  torch::NoGradGuard no_grad;
  auto opts = options.dtype(torch::kFloat32);
  values_ = torch::zeros({total}, opts);
  sync_ = values_.detach();  // same storage; the autograd-visible handle for GradSync
  if (with_grad) {
    grads_ = torch::zeros({total}, opts);
    sync_.requires_grad_(true);
    sync_.mutable_grad() = grads_;
  }
  for (size_t i = 0; i < specs_.size(); ++i) {
    const int64_t n = numel_of(specs_[i].shape);
    params_.push_back(values_.narrow(0, offsets_[i], n).view(specs_[i].shape));
    if (with_grad) grad_views_.push_back(grads_.narrow(0, offsets_[i], n).view(specs_[i].shape));
  }
}

void FlatParams::adopt_synced_grad() {
  if (!grads_.defined()) return;
  const auto& g = sync_.grad();
  if (g.defined() && g.data_ptr() == grads_.data_ptr()) return;
  torch::NoGradGuard no_grad;
  if (g.defined()) grads_.copy_(g);
  sync_.mutable_grad() = grads_;
}

int64_t FlatParams::end(size_t i) const { return offsets_[i] + params_[i].numel(); }

size_t FlatParams::index(const std::string& name) const {
  for (size_t i = 0; i < specs_.size(); ++i)
    if (specs_[i].name == name) return i;
  throw Error("no parameter named '" + name + "'");
}

void FlatParams::zero_grad() {
  if (grads_.defined()) grads_.zero_();
}

std::vector<torch::Tensor> FlatParams::leaves(size_t first, size_t count) const {
  if (!grads_.defined()) throw Error("FlatParams::leaves: these parameters have no gradients");
  if (first + count > size()) throw Error("FlatParams::leaves: range past the last parameter");
  std::vector<torch::Tensor> out;
  for (size_t i = first; i < first + count; ++i) {
    auto leaf = params_[i].detach().requires_grad_(true);
    leaf.mutable_grad() = grad_views_[i];
    out.push_back(leaf);
  }
  return out;
}

}  // namespace relabel::algos
