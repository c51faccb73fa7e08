#include "run/run_record.h"

#include "algos/policy_registry.h"
#include "algos/reward/reward_registry.h"
#include "config/config.h"
#include "io/dataset_label.h"

namespace relabel::run {

using config::RunConfig;

std::string method_label(const RunConfig& c) {
  return algos::reward_method_label(c.reward.method, c.reward.params) + "+" + c.policy.algo;
}

std::string dataset_label(const RunConfig& c) {
  const auto& d = c.dataset;
  return io::dataset_label(d.name, d.path, d.expert_path,
                           algos::find_policy_algo(c.policy.algo).online);
}

}  // namespace relabel::run
