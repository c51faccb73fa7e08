#include "algos/optim/flat_adam.h"

#include <torch/torch.h>

#include <cmath>

#include "algos/optim/archive_io.h"
#include "algos/optim/fused_cpu.h"
#include "core/error.h"

namespace relabel::algos {

FlatAdam::FlatAdam(torch::Tensor params, torch::Tensor grads, Options options,
                   std::vector<Group> groups)
    : options_(options),
      params_(std::move(params)),
      grads_(std::move(grads)),
      groups_(std::move(groups)) {
  const int64_t n = params_.numel();
  if (params_.dim() != 1 || grads_.sizes() != params_.sizes() || !params_.is_contiguous() ||
      !grads_.is_contiguous() || params_.device() != grads_.device())
    throw Error("FlatAdam: params and grads must be contiguous 1-D buffers of equal size");
  if (groups_.empty()) groups_.push_back({0, n, options_.lr});
  int64_t at = 0;
  for (const auto& g : groups_) {
    if (g.begin != at || g.end < g.begin) throw Error("FlatAdam: groups must tile the buffer");
    at = g.end;
  }
  if (at != n) throw Error("FlatAdam: groups must tile the buffer");
  exp_avg_ = torch::zeros_like(params_);
  exp_avg_sq_ = torch::zeros_like(params_);
  denom_ = torch::empty_like(params_);
  for (const auto& g : groups_) {
    p_views_.push_back(params_.narrow(0, g.begin, g.end - g.begin));
    m_views_.push_back(exp_avg_.narrow(0, g.begin, g.end - g.begin));
    d_views_.push_back(denom_.narrow(0, g.begin, g.end - g.begin));
  }
}

void FlatAdam::step() {
  torch::NoGradGuard no_grad;
  ++step_;
  const double b1 = options_.beta1, b2 = options_.beta2;
  const double bias_correction1 = 1 - std::pow(b1, static_cast<double>(step_));
  const double bias_correction2 = 1 - std::pow(b2, static_cast<double>(step_));
  if (options_.fused && params_.is_cpu() && params_.scalar_type() == torch::kFloat32) {
    // One fused pass per group (the buffers are contiguous by construction).
    for (const auto& g : groups_) {
      const fused::AdamScalars s{static_cast<float>(b1),
                                 static_cast<float>(1 - b1),
                                 static_cast<float>(b2),
                                 static_cast<float>(1 - b2),
                                 static_cast<float>(std::sqrt(bias_correction2)),
                                 static_cast<float>(options_.eps),
                                 static_cast<float>(-g.lr / bias_correction1)};
      fused::adam(params_.data_ptr<float>() + g.begin, grads_.data_ptr<float>() + g.begin,
                  exp_avg_.data_ptr<float>() + g.begin, exp_avg_sq_.data_ptr<float>() + g.begin,
                  g.end - g.begin, s);
    }
    return;
  }
  // Other devices: the op sequence of torch::optim::Adam::step (LibTorch 1.13 adam.cpp) over the
  // whole buffer.
  exp_avg_.mul_(b1).add_(grads_, 1 - b1);
  exp_avg_sq_.mul_(b2).addcmul_(grads_, grads_, 1 - b2);
  at::sqrt_out(denom_, exp_avg_sq_);
  denom_.div_(std::sqrt(bias_correction2)).add_(options_.eps);
  for (size_t i = 0; i < groups_.size(); ++i) {
    const double step_size = groups_[i].lr / bias_correction1;
    p_views_[i].addcdiv_(m_views_[i], d_views_[i], -step_size);
  }
}

void FlatAdam::save(torch::serialize::OutputArchive& archive, const std::string& prefix) const {
  write_int(archive, prefix + "step", step_);
  // CPU snapshots: a checkpoint of a device run loads on any machine.
  archive.write(prefix + "exp_avg", exp_avg_.cpu().clone(), /*is_buffer=*/true);
  archive.write(prefix + "exp_avg_sq", exp_avg_sq_.cpu().clone(), /*is_buffer=*/true);
  std::vector<double> lrs;
  for (const auto& g : groups_) lrs.push_back(g.lr);
  archive.write(prefix + "lr", torch::tensor(lrs, torch::kFloat64), /*is_buffer=*/true);
}

void FlatAdam::load(torch::serialize::InputArchive& archive, const std::string& prefix) {
  step_ = read_int(archive, prefix + "step");
  read_into(archive, prefix + "exp_avg", exp_avg_);
  read_into(archive, prefix + "exp_avg_sq", exp_avg_sq_);
  auto lrs = torch::empty({static_cast<int64_t>(groups_.size())}, torch::kFloat64);
  read_into(archive, prefix + "lr", lrs);
  for (size_t i = 0; i < groups_.size(); ++i)
    groups_[i].lr = lrs[static_cast<int64_t>(i)].item<double>();
}

}  // namespace relabel::algos
