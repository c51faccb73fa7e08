#include "run/run_record.h"

#include <fstream>
#include <sstream>

#include "algos/reward/reward_registry.h"
#include "config/config.h"
#include "io/atomic_file.h"

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

void write_run_record(const std::string& dir, const nlohmann::json& record,
                      const std::vector<CurvePoint>& curve) {
  std::ostringstream csv;
  csv << "step,return,score\n";
  csv.precision(10);
  for (const auto& p : curve) csv << p.step << "," << p.ret << "," << p.score << "\n";
  io::write_file_atomic(dir + "/curve.csv", csv.str());
  io::write_json_atomic(dir + "/result.json", record);
}

std::optional<nlohmann::json> read_run_record(const std::string& dir) {
  std::ifstream in(dir + "/result.json");
  if (!in) return std::nullopt;
  auto j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  return j;
}

}  // namespace relabel::engine
