#include "algos/optim/polyak.h"

#include <torch/torch.h>

#include "algos/optim/fused_cpu.h"
#include "core/error.h"

namespace relabel::algos {

void polyak_update(torch::Tensor& target, const torch::Tensor& source, double tau) {
  if (target.sizes() != source.sizes()) throw Error("polyak_update: shapes differ");
  torch::NoGradGuard no_grad;
  if (target.is_cpu() && source.is_cpu() && target.scalar_type() == torch::kFloat32 &&
      source.scalar_type() == torch::kFloat32 && target.is_contiguous() && source.is_contiguous()) {
    fused::lerp(target.data_ptr<float>(), source.data_ptr<float>(), target.numel(),
                static_cast<float>(tau));
    return;
  }
  target.lerp_(source, tau);
}

}  // namespace relabel::algos
