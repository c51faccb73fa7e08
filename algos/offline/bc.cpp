#include "algos/offline/bc.h"

#include <torch/torch.h>

#include "algos/offline/common.h"
#include "algos/optim/archive_io.h"

namespace relabel::algos {

// Behaviour cloning: the deterministic actor regressed on the dataset's actions (the baseline on
// demonstrations).
RELABEL_REGISTER_POLICY_ALGO([] {
  PolicyAlgoInfo a;
  a.name = "bc";
  a.doc = "behaviour cloning (MSE on the dataset's actions)";
  a.paper = "CORL's BC (Tarasov et al., NeurIPS 2023)";
  a.make_offline = [](const OfflineOptions& o, GradSync& sync) {
    return std::make_unique<Bc>(o, sync);
  };
  return a;
}());

using namespace offline_detail;

Bc::Bc(const OfflineOptions& o, GradSync& sync)
    : o_(o), sync_(sync), actor_({o.obs_dim, o.hidden, o.layers, o.act_dim, 1, true}) {
  params_ = FlatParams(actor_.param_specs("actor."), tensor_options(o));
  actor_.bind(params_, 0);
  actor_.init_uniform(make_generator(o.seed));
  sync_.broadcast_parameters({params_.sync_tensor()});
  adam_ = FlatAdam(params_.values(), params_.grads(), adam_options(o));
  torch_path_ = uses_torch_path(o);
  if (torch_path_) leaves_ = params_.leaves(0, params_.size());
}

Metrics Bc::update(const Batch& batch) {
  check_batch(batch, o_);
  return torch_path_ ? update_torch(batch) : update_fast(batch);
}

void Bc::step_optimiser() {
  sync_.average_gradients({params_.sync_tensor()});
  params_.adopt_synced_grad();
  adam_.step();
  ++steps_;
}

Metrics Bc::update_fast(const Batch& batch) {
  const int64_t B = batch.obs.size(0);
  torch::NoGradGuard no_grad;
  actor_.forward(tape_, batch.obs);
  // pi = max_action * mu; loss = mean over all B * act elements of (pi - a)^2.
  const int64_t n = B * o_.act_dim;
  const float m = static_cast<float>(o_.max_action), scale = 2.f * m / static_cast<float>(n);
  const auto mu = host(tape_.out(0)), a = host(batch.actions), dmu = host(tape_.grad_out(0));
  const float *pmu = mu.data_ptr<float>(), *pa = a.data_ptr<float>();
  float* pdmu = dmu.data_ptr<float>();
  double loss = 0;
  for (int64_t k = 0; k < n; ++k) {
    const float diff = m * pmu[k] - pa[k];
    loss += double(diff) * diff;
    pdmu[k] = scale * diff;
  }
  loss /= n;
  write_back(dmu, tape_.grad_out(0));
  actor_.backward(tape_, 0, 1, /*weight_grads=*/true);
  step_optimiser();
  return {{"actor_loss", loss}};
}

ActorWeights Bc::actor_weights() const {
  return offline_detail::actor_weights_of(actor_, o_.max_action, /*clamp=*/false);
}

torch::Tensor Bc::act(const torch::Tensor& obs) {
  check_obs(obs, o_);
  torch::NoGradGuard no_grad;
  return actor_.infer(obs.to(tensor_options(o_))) * o_.max_action;
}

void Bc::save(torch::serialize::OutputArchive& archive) const {
  save_algo(archive, "bc");
  write_int(archive, "steps", steps_);
  save_values(archive, "actor", params_);
  adam_.save(archive, "adam.");
}

void Bc::load(torch::serialize::InputArchive& archive) {
  check_algo(archive, "bc");
  steps_ = read_int(archive, "steps");
  load_values(archive, "actor", params_);
  adam_.load(archive, "adam.");
}

double Bc::update_flops(int64_t batch) const {
  return actor_.forward_flops(batch) + actor_.backward_flops(batch, true, 0);
}

}  // namespace relabel::algos
