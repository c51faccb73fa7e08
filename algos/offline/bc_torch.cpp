// Behaviour cloning's torch path (bc.h): MSE(max_action * tanh(MLP(s)), a) through autograd over
// leaves that alias the flat parameter buffer, on any device.
#include <torch/torch.h>

#include "algos/offline/bc.h"
#include "algos/offline/common.h"

namespace relabel::algos {

using namespace offline_detail;

Metrics Bc::update_torch(const Batch& in) {
  const Batch b = on_device(in, tensor_options(o_));
  const auto pi = FastMlp::reference_forward(actor_.shape(), leaves_, b.obs, 0) * o_.max_action;
  const auto loss = (pi - b.actions).pow(2).mean();
  params_.zero_grad();
  loss.backward();
  step_optimiser();
  Metrics m;
  m.set("actor_loss", loss);
  return m;
}

}  // namespace relabel::algos
