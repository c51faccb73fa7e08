#include "algos/online/world_model_params.h"

#include <torch/torch.h>

#include <cmath>

#include "algos/online/world_model_math.h"
#include "algos/online/world_model_mish.h"
#include "core/error.h"

namespace relabel::algos {

int64_t ParamLayout::add(const std::string& name, std::vector<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  names_.push_back(name);
  shapes_.push_back(std::move(shape));
  offsets_.push_back(total_);
  total_ += n;
  return size() - 1;
}

int64_t ParamLayout::numel(int64_t i) const {
  int64_t n = 1;
  for (int64_t d : shapes_.at(i)) n *= d;
  return n;
}

std::vector<torch::Tensor> ParamLayout::views(const torch::Tensor& flat, int64_t base) const {
  std::vector<torch::Tensor> out(names_.size());
  const int64_t held = flat.numel();
  for (int64_t i = 0; i < size(); ++i) {
    const int64_t begin = offsets_[i] - base, n = numel(i);
    if (begin < 0 || begin + n > held) continue;
    out[i] = flat.narrow(0, begin, n).view(shapes_[i]);
  }
  return out;
}

FlatBuffer::FlatBuffer(const ParamLayout& layout, const torch::TensorOptions& options,
                       bool trainable) {
  torch::NoGradGuard no_grad;
  values = torch::zeros({layout.total()}, options.dtype(torch::kFloat32));
  frozen = layout.views(values);
  if (!trainable) return;
  grads = torch::zeros_like(values);
  sync = values.detach().requires_grad_(true);
  sync.mutable_grad() = grads;
  auto grad_views = layout.views(grads);
  for (int64_t i = 0; i < layout.size(); ++i) {
    auto leaf = frozen[i].detach().requires_grad_(true);
    leaf.mutable_grad() = grad_views[i];
    leaves.push_back(leaf);
  }
}

void FlatBuffer::zero_grad() {
  if (grads.defined()) grads.zero_();
}

void FlatBuffer::adopt_synced_grad() {
  if (!grads.defined()) return;
  const auto& g = sync.grad();
  if (g.defined() && g.data_ptr() == grads.data_ptr()) return;
  torch::NoGradGuard no_grad;
  if (g.defined()) grads.copy_(g);
  sync.mutable_grad() = grads;
}

NetSpec declare_net(ParamLayout& layout, const std::string& name, int64_t members,
                    std::vector<int64_t> sizes, bool simnorm_out, double dropout,
                    int64_t simnorm_group) {
  if (sizes.size() < 2 || members < 1) throw Error("net " + name + ": needs [in, ..., out]");
  if (simnorm_out && sizes.back() % simnorm_group != 0)
    throw Error("net " + name + ": output width " + std::to_string(sizes.back()) +
                " is not a multiple of the SimNorm group " + std::to_string(simnorm_group));
  NetSpec net;
  net.name = name;
  net.members = members;
  net.sizes = std::move(sizes);
  net.simnorm_out = simnorm_out;
  net.simnorm_group = simnorm_group;
  net.dropout = dropout;
  net.first = layout.size();
  const size_t layers = net.sizes.size() - 1;
  for (size_t l = 0; l < layers; ++l) {
    const int64_t in = net.sizes[l], out = net.sizes[l + 1];
    const std::string p = name + "." + std::to_string(l) + ".";
    const bool normed = l + 1 < layers || simnorm_out;
    if (members == 1) {
      layout.add(p + "weight", {in, out});
      layout.add(p + "bias", {out});
      if (normed) layout.add(p + "ln_weight", {out}), layout.add(p + "ln_bias", {out});
    } else {
      layout.add(p + "weight", {members, in, out});
      layout.add(p + "bias", {members, 1, out});
      if (normed)
        layout.add(p + "ln_weight", {members, 1, out}),
            layout.add(p + "ln_bias", {members, 1, out});
    }
  }
  net.last = layout.size();
  return net;
}

torch::Tensor net_forward(const NetSpec& net, const std::vector<torch::Tensor>& params,
                          const torch::Tensor& input, at::Generator* dropout_gen) {
  const size_t layers = net.sizes.size() - 1;
  const bool ensemble = net.members > 1;
  torch::Tensor x = input;
  std::vector<int64_t> lead;  // leading dims of a members = 1 input, restored at the end
  if (!ensemble && x.dim() != 2) {
    lead = x.sizes().vec();
    lead.pop_back();
    x = x.reshape({-1, x.size(-1)});
  }
  if (x.size(-1) != net.in())
    throw Error("net " + net.name + ": input width " + std::to_string(x.size(-1)) + ", expected " +
                std::to_string(net.in()));
  int64_t k = net.first;
  for (size_t l = 0; l < layers; ++l) {
    const auto& w = params[k++];
    const auto& b = params[k++];
    if (!ensemble)
      x = torch::addmm(b, x, w);
    else if (x.dim() == 2)
      x = torch::matmul(x, w) + b;  // (N, in) x (M, in, out) broadcasts to (M, N, out)
    else
      x = torch::baddbmm(b, x, w);
    const bool hidden = l + 1 < layers;
    if (!hidden && !net.simnorm_out) break;
    if (l == 0 && net.dropout > 0.0 && dropout_gen) {
      const double keep = 1.0 - net.dropout;
      // Uniform draws compared with `keep`: several times faster than bernoulli_ on CPU.
      auto mask = torch::empty_like(x).uniform_(0.0, 1.0, *dropout_gen).lt_(keep).div_(keep);
      x = x * mask;
    }
    const auto& g = params[k++];
    const auto& beta = params[k++];
    const int64_t width = net.sizes[l + 1];
    if (!ensemble)
      x = torch::layer_norm(x, {width}, g, beta, 1e-5);
    else
      x = torch::addcmul(beta, torch::layer_norm(x, {width}, {}, {}, 1e-5), g);
    x = hidden ? fast_mish(x) : simnorm(x, net.simnorm_group);
  }
  if (!lead.empty()) {
    lead.push_back(x.size(-1));
    x = x.reshape(lead);
  }
  return x;
}

namespace {

// Orthogonal matrix (rows x cols) times gain: QR of a Gaussian matrix with the signs of R's
// diagonal folded into Q (Saxe et al. 2014, as torch.nn.init.orthogonal_).
torch::Tensor orthogonal(int64_t rows, int64_t cols, double gain, at::Generator& gen) {
  const bool tall = rows >= cols;
  auto a = torch::randn({tall ? rows : cols, tall ? cols : rows}, gen, torch::kFloat32);
  auto qr = torch::linalg_qr(a);
  auto q = std::get<0>(qr) * torch::sign(torch::diagonal(std::get<1>(qr))).unsqueeze(0);
  return (tall ? q : q.t()) * gain;
}

}  // namespace

void init_net(const NetSpec& net, const std::vector<torch::Tensor>& params, NetInit init,
              at::Generator& gen) {
  torch::NoGradGuard no_grad;
  const size_t layers = net.sizes.size() - 1;
  int64_t k = net.first;
  for (size_t l = 0; l < layers; ++l) {
    auto w = params[k++];
    auto b = params[k++];
    const int64_t in = net.sizes[l], out = net.sizes[l + 1];
    for (int64_t m = 0; m < net.members; ++m) {
      auto wm = net.members == 1 ? w : w[m];  // (in, out): y = x W
      auto bm = net.members == 1 ? b : b[m];
      switch (init) {
        case NetInit::TruncNormal:
          wm.copy_(torch::randn({in, out}, gen, torch::kFloat32).mul_(0.02).clamp_(-2.0, 2.0));
          bm.zero_();
          break;
        case NetInit::TorchDefault: {
          const double bound = 1.0 / std::sqrt(static_cast<double>(in));
          wm.uniform_(-bound, bound, gen);
          bm.uniform_(-bound, bound, gen);
          break;
        }
        case NetInit::Orthogonal:
          // torch's (out, in) weight is orthogonal; ours is its transpose.
          wm.copy_(orthogonal(out, in, std::sqrt(2.0), gen).t());
          bm.zero_();
          break;
      }
    }
    if (l + 1 < layers || net.simnorm_out) {
      params[k++].fill_(1.0);
      params[k++].zero_();
    }
  }
}

void zero_output_weight(const NetSpec& net, const std::vector<torch::Tensor>& params) {
  torch::NoGradGuard no_grad;
  // The output layer's weight is its first tensor: the last 2 (plain) or 4 (normed) tensors.
  params[net.last - (net.simnorm_out ? 4 : 2)].zero_();
}

}  // namespace relabel::algos
