#include "algos/offline/learner.h"

#include <torch/torch.h>

#include "algos/offline/bc.h"
#include "algos/offline/iql.h"
#include "algos/offline/td3bc.h"
#include "engine/core/error.h"

namespace relabel::algos {

namespace {
void require(bool ok, const std::string& key, const std::string& what) {
  if (!ok) throw Error("offline option '" + key + "': " + what);
}

void validate(const OfflineOptions& o) {
  require(o.algo == "iql" || o.algo == "td3bc" || o.algo == "bc", "algo",
          "unknown '" + o.algo + "' (expected iql, td3bc or bc)");
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
}
}  // namespace

std::unique_ptr<OfflineLearner> make_offline_learner(const OfflineOptions& options,
                                                     GradSync& sync) {
  validate(options);
  if (options.algo == "iql") return std::make_unique<Iql>(options, sync);
  if (options.algo == "td3bc") return std::make_unique<Td3Bc>(options, sync);
  return std::make_unique<Bc>(options, sync);
}

}  // namespace relabel::algos
