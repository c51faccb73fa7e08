#include "algos/nets/fast_mlp.h"

#include <torch/torch.h>

#include <cmath>

#include "core/error.h"

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
  for (int64_t l = 0; l < num_layers(); ++l)
    specs.push_back({prefix + "l" + std::to_string(l), {shape_.ensemble, fan_in(l) + 1, width(l)}});
  return specs;
}

void FastMlp::bind(const FlatParams& flat, size_t first) {
  const int64_t L = num_layers(), E = shape_.ensemble;
  for (auto* v : {&wb_, &wb_vec_, &w_, &wt_, &wb_row_, &b_, &gwb_, &gwb_vec_}) v->assign(L, {});
  const bool grads = flat.grads().defined();
  for (int64_t l = 0; l < L; ++l) {
    const size_t i = first + l;
    const int64_t in = fan_in(l), w = width(l);
    if (i >= flat.size() || flat.param(i).sizes() != torch::IntArrayRef({E, in + 1, w}))
      throw Error("FastMlp::bind: parameter " + std::to_string(i) + " has the wrong shape");
    for (int64_t e = 0; e < E; ++e) {
      const auto wb = flat.param(i)[e];
      wb_[l].push_back(wb);
      w_[l].push_back(wb.narrow(0, 0, in));
      wt_[l].push_back(w_[l].back().t());
      b_[l].push_back(wb[in]);
      if (w == 1) {
        wb_vec_[l].push_back(wb.view({in + 1}));
        wb_row_[l].push_back(wb.view({1, in + 1}));
      }
      if (grads) {
        gwb_[l].push_back(flat.grad(i)[e]);
        if (w == 1) gwb_vec_[l].push_back(gwb_[l].back().view({in + 1}));
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
  tape.input_ = torch::ones({batch, shape_.in + 1}, options);
  tape.aug_.assign(L - 1, {});
  tape.grad_aug_.assign(L - 1, {});
  tape.act_.assign(L, {});
  tape.grad_.assign(L, {});
  tape.out_.clear();
  tape.out_vec_.clear();
  tape.grad_vec_.clear();
  for (int64_t l = 0; l < L; ++l) {
    const bool last = l + 1 == L;
    // Hidden layers keep a trailing column in both buffers so that every element-wise pass
    // (ReLU, its mask, the outer product) runs over one contiguous block: relu(1) = 1 keeps the
    // ones column; the gradient's extra column is never read by a GEMM.
    const int64_t cols = last ? width(l) : width(l) + 1;
    auto acts =
        last ? torch::empty({E, batch, cols}, options) : torch::ones({E, batch, cols}, options);
    auto grads = torch::zeros({E, batch, cols}, options);
    for (int64_t e = 0; e < E; ++e) {
      if (!last) {
        tape.aug_[l].push_back(acts[e]);
        tape.grad_aug_[l].push_back(grads[e]);
      }
      tape.act_[l].push_back(last ? acts[e] : acts[e].narrow(1, 0, width(l)));
      tape.grad_[l].push_back(last ? grads[e] : grads[e].narrow(1, 0, width(l)));
    }
  }
  for (int64_t e = 0; e < E; ++e) {
    tape.out_.push_back(tape.act_.back()[e]);
    if (shape_.out == 1) {
      tape.out_vec_.push_back(tape.act_.back()[e].view({batch}));
      tape.grad_vec_.push_back(tape.grad_.back()[e].view({batch}));
    }
  }
  tape.batch_ = batch;
}

void FastMlp::forward(Tape& tape, at::TensorList parts, int64_t e0, int64_t e1) const {
  const int64_t B = parts[0].size(0);
  ensure(tape, B, parts[0].options());
  int64_t col = 0;
  for (const auto& p : parts) {
    tape.input_.narrow(1, col, p.size(1)).copy_(p);
    col += p.size(1);
  }
  TORCH_CHECK(col == shape_.in, "FastMlp::forward: input has ", col, " columns, expected ",
              shape_.in);
  const int64_t L = num_layers();
  for (int64_t e = e0; e < e1; ++e) {
    const torch::Tensor* h = &tape.input_;
    for (int64_t l = 0; l < L; ++l) {
      auto& z = tape.act_[l][e];
      if (l + 1 < L) {
        at::mm_out(z, *h, wb_[l][e]);  // z: strided view, the ones column stays intact
        h = &tape.aug_[l][e];
        h->relu_();
      } else if (shape_.out == 1) {
        at::mv_out(tape.out_vec_[e], *h, wb_vec_[l][e]);
        if (shape_.tanh_output) z.tanh_();
      } else {
        at::mm_out(z, *h, wb_[l][e]);
        if (shape_.tanh_output) z.tanh_();
      }
    }
  }
}

void FastMlp::backward(Tape& tape, int64_t e0, int64_t e1, bool weight_grads,
                       const torch::Tensor& input_grad, int64_t col0) const {
  const int64_t L = num_layers();
  torch::Tensor dx = input_grad;  // shallow handle: the _out ops need a non-const reference
  if (weight_grads && gwb_.empty()) throw Error("FastMlp::backward: network has no gradients");
  for (int64_t e = e0; e < e1; ++e) {
    auto& g_out = tape.grad_[L - 1][e];
    if (shape_.tanh_output) at::tanh_backward_out(g_out, g_out, tape.act_[L - 1][e]);
    for (int64_t l = L - 1; l >= 0; --l) {
      auto& g = tape.grad_[l][e];  // dLoss/d(pre-activation) of layer l
      const auto& a_in = l == 0 ? tape.input_ : tape.aug_[l - 1][e];  // with the ones column
      const bool narrow_out = width(l) == 1;
      if (weight_grads) {
        if (narrow_out)
          at::mv_out(gwb_vec_[l][e], a_in.t(), tape.grad_vec_[e]);
        else
          at::mm_out(gwb_[l][e], a_in.t(), g);
      }
      if (l > 0) {
        auto& g_in_aug = tape.grad_aug_[l - 1][e];
        if (narrow_out)
          at::mul_out(g_in_aug, g, wb_row_[l][e]);  // outer product g [W; b]^T (last col unused)
        else
          at::mm_out(tape.grad_[l - 1][e], g, wt_[l][e]);
        at::threshold_backward_out(g_in_aug, g_in_aug, tape.aug_[l - 1][e], 0);  // ReLU mask
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

std::vector<torch::Tensor> FastMlp::copy_layers(int64_t e) const {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> layers;
  for (int64_t l = 0; l < num_layers(); ++l)
    layers.push_back(wb_[l][e].to(torch::kCPU).contiguous().clone());
  return layers;
}

torch::Tensor FastMlp::reference_forward(const FastMlpShape& shape,
                                         const std::vector<torch::Tensor>& params,
                                         const torch::Tensor& x, int64_t e) {
  const int64_t L = shape.layers + 1;
  torch::Tensor h = x;
  for (int64_t l = 0; l < L; ++l) {
    const auto& p = params[l][e];
    const int64_t in = p.size(0) - 1;
    h = torch::addmm(p[in], h, p.narrow(0, 0, in));
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
