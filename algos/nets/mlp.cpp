#include "algos/nets/mlp.h"

#include <torch/torch.h>

#include "core/error.h"

namespace relabel::algos {

torch::Tensor activate(const torch::Tensor& x, Activation a) {
  switch (a) {
    case Activation::ReLU:
      return torch::relu(x);
    case Activation::Mish:
      return x * torch::tanh(torch::softplus(x));
    case Activation::Tanh:
      return torch::tanh(x);
    case Activation::None:
      return x;
  }
  return x;
}

MlpImpl::MlpImpl(MlpOptions options) : options_(std::move(options)) {
  if (options_.sizes.size() < 2) throw Error("MLP needs at least input and output sizes");
  linears_ = register_module("linears", torch::nn::ModuleList());
  norms_ = register_module("norms", torch::nn::ModuleList());
  for (size_t i = 0; i + 1 < options_.sizes.size(); ++i) {
    linears_->push_back(torch::nn::Linear(options_.sizes[i], options_.sizes[i + 1]));
    bool hidden = i + 2 < options_.sizes.size();
    if (hidden && options_.layer_norm)
      norms_->push_back(torch::nn::LayerNorm(torch::nn::LayerNormOptions({options_.sizes[i + 1]})));
  }
}

torch::Tensor MlpImpl::forward(const torch::Tensor& input) {
  torch::Tensor x = input;
  const size_t n = linears_->size();
  for (size_t i = 0; i < n; ++i) {
    x = linears_[i]->as<torch::nn::Linear>()->forward(x);
    if (i + 1 == n) break;
    if (options_.layer_norm) x = norms_[i]->as<torch::nn::LayerNorm>()->forward(x);
    x = activate(x, options_.activation);
    if (i == 0 && options_.first_dropout > 0.0)
      x = torch::dropout(x, options_.first_dropout, is_training());
  }
  return activate(x, options_.output);
}

Mlp make_mlp(int64_t in, int64_t hidden, int64_t layers, int64_t out, Activation output) {
  MlpOptions o;
  o.sizes.push_back(in);
  for (int64_t i = 0; i < layers; ++i) o.sizes.push_back(hidden);
  o.sizes.push_back(out);
  o.output = output;
  return Mlp(o);
}

}  // namespace relabel::algos
