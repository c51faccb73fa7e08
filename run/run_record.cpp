#include "run/run_record.h"

#include "algos/reward/reward_registry.h"
#include "config/config.h"

namespace relabel::engine {

std::string method_label(const RunConfig& c) {
  return algos::reward_method_label(c.reward.method, c.reward.params) + "+" + c.policy.algo;
}

nlohmann::json curve_to_json(const std::vector<CurvePoint>& curve) {
  auto out = nlohmann::json::array();
  for (const auto& p : curve)
    out.push_back({{"step", p.step}, {"return", p.ret}, {"score", p.score}});
  return out;
}

std::vector<CurvePoint> curve_from_json(const nlohmann::json& j) {
  std::vector<CurvePoint> curve;
  for (const auto& p : j)
    curve.push_back(
        {p.at("step").get<int64_t>(), p.at("return").get<double>(), p.at("score").get<double>()});
  return curve;
}

}  // namespace relabel::engine
