#include "run/run_record.h"

#include "algos/reward/reward_registry.h"
#include "config/config.h"

namespace relabel::run {

using config::RunConfig;

std::string method_label(const RunConfig& c) {
  return algos::reward_method_label(c.reward.method, c.reward.params) + "+" + c.policy.algo;
}

}  // namespace relabel::run
