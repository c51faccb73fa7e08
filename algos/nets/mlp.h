#pragma once
// MLP builder shared by every learner (algos.md notation MLP[a, b, c]: Linear layers with an
// activation between them). Options cover the TD-MPC2-style block (Linear -> LayerNorm -> Mish)
// and a first-layer dropout used by the world model's Q ensemble.
#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/pimpl.h>

#include <string>
#include <vector>

namespace relabel::algos {

enum class Activation { ReLU, Mish, Tanh, None };

struct MlpOptions {
  std::vector<int64_t> sizes;  // [in, hidden..., out], at least [in, out]
  Activation activation = Activation::ReLU;
  bool layer_norm = false;               // Linear -> LayerNorm -> activation on hidden layers
  double first_dropout = 0.0;            // dropout after the first hidden block (TD-MPC2 Q heads)
  Activation output = Activation::None;  // applied to the last layer's output
};

class MlpImpl : public torch::nn::Module {
 public:
  explicit MlpImpl(MlpOptions options);
  torch::Tensor forward(const torch::Tensor& x);
  const MlpOptions& options() const { return options_; }

 private:
  MlpOptions options_;
  torch::nn::ModuleList linears_;
  torch::nn::ModuleList norms_;
};
TORCH_MODULE(Mlp);

// Convenience: MLP[in, hidden x layers, out] with ReLU, as most offline learners use.
Mlp make_mlp(int64_t in, int64_t hidden, int64_t layers, int64_t out,
             Activation output = Activation::None);

torch::Tensor activate(const torch::Tensor& x, Activation a);

}  // namespace relabel::algos
