#pragma once
// Parameter storage of the world model: every trainable tensor is a view into ONE flat leaf
// tensor, so the optimiser, gradient clipping, the data-parallel all-reduce and Polyak
// averaging are a few vectorised ops instead of loops over dozens of small tensors (the update
// runs on CPU in tests and small experiments). Networks are functional: forward() takes the
// parameter views, so the same code runs with trainable, detached (frozen for the policy loss)
// or target (Polyak copy) weights.
#include <ATen/core/Generator.h>
#include <torch/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace relabel::algos {

// Named tensor shapes laid out back to back in a flat float buffer.
class ParamLayout {
 public:
  // Appends a tensor; returns its index.
  int64_t add(const std::string& name, std::vector<int64_t> shape);
  int64_t size() const { return static_cast<int64_t>(names_.size()); }
  int64_t total() const { return total_; }  // floats
  int64_t offset(int64_t i) const { return offsets_.at(i); }
  int64_t numel(int64_t i) const;
  const std::string& name(int64_t i) const { return names_.at(i); }
  const std::vector<int64_t>& shape(int64_t i) const { return shapes_.at(i); }

  // Views of tensors [0, size()) into `flat`, which holds the layout's floats starting at
  // layout offset `base` (a sub-range copy such as the target Q networks uses base > 0; views
  // of tensors outside the held range are left undefined).
  std::vector<torch::Tensor> views(const torch::Tensor& flat, int64_t base = 0) const;

 private:
  std::vector<std::string> names_;
  std::vector<std::vector<int64_t>> shapes_;
  std::vector<int64_t> offsets_;
  int64_t total_ = 0;
};

// The values of a layout in one flat buffer. Trainable leaves are separate autograd leaves
// that alias slices of `values`, with their .grad() pre-set to the matching slices of `grads`:
// backward accumulates in place into the flat gradient (no full-size per-view gradients), and
// optimiser, clipping and all-reduce work on the two flat tensors.
struct FlatBuffer {
  torch::Tensor values;  // (total,) float32, no autograd
  torch::Tensor grads;   // (total,), when trainable
  torch::Tensor sync;    // autograd handle on `values` whose .grad() is `grads` (for GradSync)
  std::vector<torch::Tensor> leaves;  // trainable leaves (undefined when not trainable)
  std::vector<torch::Tensor> frozen;  // plain views of `values`: no gradient flows to them

  FlatBuffer() = default;
  FlatBuffer(const ParamLayout& layout, const torch::TensorOptions& options, bool trainable);
  void zero_grad();
  // After GradSync::average_gradients({sync}) replaced sync.grad(), copies it into `grads`.
  void adopt_synced_grad();
};

// How a network's weights start (the inits of the reference implementations).
enum class NetInit {
  TruncNormal,   // TD-MPC2: weights N(0, 0.02), biases 0
  TorchDefault,  // PyTorch Linear default: weights and biases U(±1/sqrt(fan_in))
  Orthogonal,    // orthogonal weights with gain sqrt(2), biases 0 (CDRED predictors)
};

// An MLP of TD-MPC2 blocks: hidden layers Linear -> LayerNorm -> Mish (dropout, when set, on
// the first hidden layer between Linear and LayerNorm, as TD-MPC2's NormedLinear); the output
// layer is plain Linear, or Linear -> LayerNorm -> SimNorm. With members > 1 it is an ensemble
// of independent MLPs evaluated together by batched matrix products.
struct NetSpec {
  std::string name;
  int64_t members = 1;
  std::vector<int64_t> sizes;  // [in, hidden..., out]
  bool simnorm_out = false;
  int64_t simnorm_group = 8;
  double dropout = 0.0;
  int64_t first = 0;  // index of the first tensor in the layout
  int64_t last = 0;   // one past the last
  int64_t in() const { return sizes.front(); }
  int64_t out() const { return sizes.back(); }
};

// Declares the net's tensors in `layout` (weights (in, out), or (members, in, out)).
NetSpec declare_net(ParamLayout& layout, const std::string& name, int64_t members,
                    std::vector<int64_t> sizes, bool simnorm_out = false, double dropout = 0.0,
                    int64_t simnorm_group = 8);

// x: (..., in) for members = 1 -> (..., out). For an ensemble: (N, in) shared by all members or
// (members, N, in) -> (members, N, out). Dropout only when `dropout_gen` is given (training).
torch::Tensor net_forward(const NetSpec& net, const std::vector<torch::Tensor>& params,
                          const torch::Tensor& x, at::Generator* dropout_gen = nullptr);

// Writes initial values into the net's views (no autograd), drawing from `gen`.
void init_net(const NetSpec& net, const std::vector<torch::Tensor>& params, NetInit init,
              at::Generator& gen);
// Zeroes the output layer's weight (TD-MPC2 starts the reward and Q heads at zero).
void zero_output_weight(const NetSpec& net, const std::vector<torch::Tensor>& params);

}  // namespace relabel::algos
