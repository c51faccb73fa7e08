#include "algos/policy_registry.h"

#include <fmt/format.h>

#include "core/error.h"

namespace relabel::algos {

namespace {
Registry<PolicyAlgoInfo>& registry() { return Registry<PolicyAlgoInfo>::instance(); }
}  // namespace

bool register_policy_algo(PolicyAlgoInfo info, const char* file) {
  info.file = file;
  return registry().add(std::move(info));
}

const PolicyAlgoInfo& find_policy_algo(const std::string& name) {
  if (const auto* info = registry().find(name)) return *info;
  throw Error(fmt::format("policy.algo: unknown algorithm '{}' (expected {})", name,
                          join_or(registry().names())));
}

std::vector<const PolicyAlgoInfo*> policy_algos() { return registry().entries(); }

}  // namespace relabel::algos
