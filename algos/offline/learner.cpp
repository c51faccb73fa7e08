#include "algos/offline/learner.h"

#include <torch/torch.h>

#include "core/error.h"

namespace relabel::algos {

namespace {
void require(bool ok, const std::string& key, const std::string& what) {
  if (!ok) throw Error("offline option '" + key + "': " + what);
}

void validate(const OfflineOptions& o) {
  require(o.obs_dim > 0, "obs_dim", "must be positive");
  require(o.act_dim > 0, "act_dim", "must be positive");
  require(o.max_action > 0, "max_action", "must be positive");
  require(o.hidden > 0, "hidden", "must be positive");
  require(o.layers >= 1, "layers", "must be at least 1");
  require(o.lr > 0, "lr", "must be positive");
  require(o.gamma >= 0 && o.gamma <= 1, "gamma", "must be in [0, 1]");
  require(o.tau > 0 && o.tau <= 1, "tau", "must be in (0, 1]");
  require(o.expectile > 0 && o.expectile < 1, "expectile", "must be in (0, 1)");
  require(o.temperature >= 0, "temperature", "must be non-negative");
  require(o.max_weight > 0, "max_weight", "must be positive");
  require(o.total_steps > 0, "total_steps", "must be positive");
  require(o.alpha >= 0, "alpha", "must be non-negative");
  require(o.policy_noise >= 0, "policy_noise", "must be non-negative");
  require(o.noise_clip >= 0, "noise_clip", "must be non-negative");
  require(o.policy_delay >= 1, "policy_delay", "must be at least 1");
  try {
    torch::Device d(o.device);
    (void)d;
  } catch (const std::exception&) {
    throw Error("offline option 'device': unknown device '" + o.device + "'");
  }
  require(o.kernels == "auto" || o.kernels == "fast" || o.kernels == "torch", "kernels",
          "must be auto, fast or torch, got '" + o.kernels + "'");
  // The fast kernels' loss loops read host memory: on a device every update would wait for it.
  require(o.kernels != "fast" || torch::Device(o.device).is_cpu(), "kernels",
          "fast runs on the CPU only (device '" + o.device + "'); use torch or auto");
  if (torch::Device(o.device).is_cuda() && !torch::cuda::is_available())
    throw Error("offline option 'device': '" + o.device +
                "' but no CUDA device is usable: this LibTorch is CPU-only or no GPU is visible "
                "(README, GPU build)");
}
}  // namespace

ActorWeights OfflineLearner::actor_weights() const {
  // The caller names the learner (run/policy_export.cpp): the base class does not know it.
  throw Error(
      "this policy learner has no exportable MLP actor: it does not implement "
      "OfflineLearner::actor_weights, which relabel export and relabel eval need");
}

std::unique_ptr<OfflineLearner> make_offline_learner(const OfflineOptions& options,
                                                     GradSync& sync) {
  std::vector<std::string> offline;
  const PolicyAlgoInfo* info = nullptr;
  for (const PolicyAlgoInfo* a : policy_algos()) {
    if (!a->make_offline) continue;
    offline.push_back(a->name);
    if (a->name == options.algo) info = a;
  }
  require(info != nullptr, "algo",
          "unknown '" + options.algo + "' (expected " + join_or(offline) + ")");
  OfflineOptions resolved = options;
  apply_params(resolved);
  validate(resolved);
  return info->make_offline(resolved, sync);
}

bool uses_torch_path(const OfflineOptions& o) {
  return o.kernels == "torch" || (o.kernels == "auto" && !torch::Device(o.device).is_cpu());
}

void apply_params(OfflineOptions& o) {
  const Params& p = o.params;
  o.expectile = p.get_or("expectile", o.expectile);
  o.temperature = p.get_or("temperature", o.temperature);
  o.max_weight = p.get_or("max_weight", o.max_weight);
  o.deterministic_actor = p.get_or("deterministic_actor", o.deterministic_actor);
  o.actor_cosine = p.get_or("actor_cosine", o.actor_cosine);
  o.alpha = p.get_or("alpha", o.alpha);
  o.policy_noise = p.get_or("policy_noise", o.policy_noise);
  o.noise_clip = p.get_or("noise_clip", o.noise_clip);
  o.policy_delay = p.get_or("policy_delay", o.policy_delay);
}

}  // namespace relabel::algos
