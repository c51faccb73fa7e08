#include "config/config.h"

#include <cmath>

#include "config/config_schema.h"

namespace relabel::config {

bool operator==(const RunConfig& a, const RunConfig& b) {
  if (a.reward.method != b.reward.method || a.policy.algo != b.policy.algo) return false;
  for (const auto& key : run_schema()) {
    if (!key_in_use(key, a)) continue;
    ConfigValue x = key.get(a), y = key.get(b);
    if (key.type == ValueType::kFloat && std::isnan(std::get<double>(x)) &&
        std::isnan(std::get<double>(y)))
      continue;
    if (x != y) return false;
  }
  return true;
}

}  // namespace relabel::config
