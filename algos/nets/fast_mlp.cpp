#include "algos/nets/fast_mlp.h"

#include <torch/torch.h>

#include <cmath>

#include "engine/core/error.h"

namespace relabel::algos {

FastMlp::FastMlp(FastMlpShape shape) : shape_(shape) {
  if (shape_.in <= 0 || shape_.out <= 0 || shape_.hidden <= 0 || shape_.layers < 0 ||
      shape_.ensemble <= 0)
    throw Error("FastMlp: sizes must be positive (in " + std::to_string(shape_.in) + ", hidden " +
                std::to_string(shape_.hidden) + ", layers " + std::to_string(shape_.layers) +
                ", out " + std::to_string(shape_.out) + ")");
}

int64_t FastMlp::width(int64_t layer) const {
  return layer + 1 == num_layers() ? shape_.out : shape_.hidden;
}

int64_t FastMlp::fan_in(int64_t layer) const { return layer == 0 ? shape_.in : shape_.hidden; }

std::vector<ParamSpec> FastMlp::param_specs(const std::string& prefix) const {
  std::vector<ParamSpec> specs;
  for (int64_t l = 0; l < num_layers(); ++l) {
    const std::string name = prefix + "l" + std::to_string(l);
    specs.push_back({name + ".weight", {shape_.ensemble, fan_in(l), width(l)}});
    specs.push_back({name + ".bias", {shape_.ensemble, width(l)}});
  }
  return specs;
}

void FastMlp::bind(const FlatParams& flat, size_t first) {
  const int64_t L = num_layers(), E = shape_.ensemble;
  w_.assign(L, {});
  wt_.assign(L, {});
  b_.assign(L, {});
  gw_.assign(L, {});
  gb_.assign(L, {});
  const bool grads = flat.grads().defined();
  for (int64_t l = 0; l < L; ++l) {
    const size_t iw = first + 2 * l, ib = iw + 1;
    if (flat.param(iw).sizes() != torch::IntArrayRef({E, fan_in(l), width(l)}) ||
        flat.param(ib).sizes() != torch::IntArrayRef({E, width(l)}))
      throw Error("FastMlp::bind: parameter '" + flat.spec(iw).name + "' has the wrong shape");
    for (int64_t e = 0; e < E; ++e) {
      w_[l].push_back(flat.param(iw)[e]);
      wt_[l].push_back(w_[l].back().t());
      b_[l].push_back(flat.param(ib)[e]);
      if (grads) {
        gw_[l].push_back(flat.grad(iw)[e]);
        gb_[l].push_back(flat.grad(ib)[e]);
      }
    }
  }
}

void FastMlp::init_uniform(at::Generator gen) {
  torch::NoGradGuard no_grad;
  for (int64_t e = 0; e < shape_.ensemble; ++e)
    for (int64_t l = 0; l < num_layers(); ++l) {
      const double bound = 1.0 / std::sqrt(static_cast<double>(fan_in(l)));
      // Drawn on the CPU so every device gets the same numbers from the same seed.
      w_[l][e].copy_(torch::empty(w_[l][e].sizes()).uniform_(-bound, bound, gen));
      b_[l][e].copy_(torch::empty(b_[l][e].sizes()).uniform_(-bound, bound, gen));
    }
}

void FastMlp::ensure(Tape& tape, int64_t batch, const torch::TensorOptions& options) const {
  if (tape.batch_ == batch) return;
  const int64_t L = num_layers(), E = shape_.ensemble;
  tape.act_.assign(L, {});
  tape.grad_.assign(L, {});
  for (int64_t l = 0; l < L; ++l) {
    auto acts = torch::empty({E, batch, width(l)}, options);
    auto grads = torch::empty({E, batch, width(l)}, options);
    for (int64_t e = 0; e < E; ++e) {
      tape.act_[l].push_back(acts[e]);
      tape.grad_[l].push_back(grads[e]);
    }
  }
  tape.batch_ = batch;
}

void FastMlp::forward(Tape& tape, const torch::Tensor& x, int64_t e0, int64_t e1) const {
  ensure(tape, x.size(0), x.options());
  tape.input_ = x;
  const int64_t L = num_layers();
  for (int64_t e = e0; e < e1; ++e) {
    const torch::Tensor* h = &x;
    for (int64_t l = 0; l < L; ++l) {
      auto& z = tape.act_[l][e];
      at::addmm_out(z, b_[l][e], *h, w_[l][e]);
      if (l + 1 < L)
        z.relu_();
      else if (shape_.tanh_output)
        z.tanh_();
      h = &z;
    }
  }
}

void FastMlp::backward(Tape& tape, int64_t e0, int64_t e1, bool weight_grads,
                       const torch::Tensor& input_grad, int64_t col0) const {
  const int64_t L = num_layers();
  torch::Tensor dx = input_grad;  // shallow handle: the _out ops need a non-const reference
  if (weight_grads && gw_.empty()) throw Error("FastMlp::backward: network has no gradients");
  for (int64_t e = e0; e < e1; ++e) {
    auto& g_out = tape.grad_[L - 1][e];
    if (shape_.tanh_output) at::tanh_backward_out(g_out, g_out, tape.act_[L - 1][e]);
    for (int64_t l = L - 1; l >= 0; --l) {
      const auto& g = tape.grad_[l][e];  // dLoss/d(pre-activation) of layer l
      const auto& a_in = l == 0 ? tape.input_ : tape.act_[l - 1][e];
      if (weight_grads) {
        at::mm_out(gw_[l][e], a_in.t(), g);
        at::sum_out(gb_[l][e], g, 0);
      }
      if (l > 0) {
        auto& g_in = tape.grad_[l - 1][e];
        at::mm_out(g_in, g, wt_[l][e]);
        at::threshold_backward_out(g_in, g_in, a_in, 0);  // ReLU: a_in > 0 iff pre-act > 0
      } else if (dx.defined()) {
        const auto wt_cols = w_[0][e].narrow(0, col0, dx.size(1)).t();
        if (e == e0)
          at::mm_out(dx, g, wt_cols);
        else
          dx.addmm_(g, wt_cols);
      }
    }
  }
}

torch::Tensor FastMlp::infer(const torch::Tensor& x, int64_t e) const {
  torch::NoGradGuard no_grad;
  torch::Tensor h = x;
  const int64_t L = num_layers();
  for (int64_t l = 0; l < L; ++l) {
    h = at::addmm(b_[l][e], h, w_[l][e]);
    if (l + 1 < L)
      h.relu_();
    else if (shape_.tanh_output)
      h.tanh_();
  }
  return h;
}

torch::Tensor FastMlp::reference_forward(const FastMlpShape& shape,
                                         const std::vector<torch::Tensor>& params,
                                         const torch::Tensor& x, int64_t e) {
  const int64_t L = shape.layers + 1;
  torch::Tensor h = x;
  for (int64_t l = 0; l < L; ++l) {
    h = torch::addmm(params[2 * l + 1][e], h, params[2 * l][e]);
    if (l + 1 < L)
      h = torch::relu(h);
    else if (shape.tanh_output)
      h = torch::tanh(h);
  }
  return h;
}

double FastMlp::forward_flops(int64_t batch) const {
  double f = 0;
  for (int64_t l = 0; l < num_layers(); ++l) f += 2.0 * batch * fan_in(l) * width(l);
  return f;
}

double FastMlp::backward_flops(int64_t batch, bool weight_grads, int64_t input_cols) const {
  double f = 0;
  for (int64_t l = 0; l < num_layers(); ++l) {
    if (weight_grads) f += 2.0 * batch * fan_in(l) * width(l);
    if (l > 0) f += 2.0 * batch * fan_in(l) * width(l);
  }
  f += 2.0 * batch * input_cols * width(0);
  return f;
}

}  // namespace relabel::algos
