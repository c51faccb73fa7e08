#include "run/run_record.h"

#include <filesystem>

#include "algos/policy_registry.h"
#include "algos/reward/reward_registry.h"
#include "config/config.h"

namespace relabel::run {

using config::RunConfig;

std::string method_label(const RunConfig& c) {
  return algos::reward_method_label(c.reward.method, c.reward.params) + "+" + c.policy.algo;
}

std::string dataset_label(const RunConfig& c) {
  const auto& d = c.dataset;
  if (!d.name.empty()) return d.name;
  auto stem = [](const std::string& path) { return std::filesystem::path(path).stem().string(); };
  if (!algos::find_policy_algo(c.policy.algo).online) return stem(d.path);
  if (!d.expert_path.empty()) return stem(d.expert_path);
  if (!d.path.empty()) return stem(d.path);
  return "online";
}

}  // namespace relabel::run
