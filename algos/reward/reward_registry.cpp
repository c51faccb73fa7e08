#include "algos/reward/reward_registry.h"

#include <fmt/format.h>

#include "core/error.h"

namespace relabel::algos {

namespace {
Registry<RewardMethodInfo>& registry() { return Registry<RewardMethodInfo>::instance(); }
}  // namespace

bool register_reward_method(RewardMethodInfo info, const char* file) {
  info.file = file;
  return registry().add(std::move(info));
}

const RewardMethodInfo& find_reward_method(const std::string& name) {
  if (const auto* info = registry().find(name)) return *info;
  throw Error(fmt::format("reward.method: unknown method '{}' (expected {})", name,
                          join_or(registry().names())));
}

std::vector<const RewardMethodInfo*> reward_methods() { return registry().entries(); }

std::string reward_method_label(const std::string& name, const Params& params) {
  const auto& info = find_reward_method(name);
  return info.label ? info.label(params) : info.name;
}

}  // namespace relabel::algos
