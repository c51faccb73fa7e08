#include "report/traces.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

#include "core/error.h"

namespace relabel::report {

Trace read_trace(const std::string& run_dir, const std::vector<std::string>& metrics,
                 std::set<std::string>* logged) {
  Trace trace;
  const std::string path = run_dir + "/metrics.jsonl";
  std::ifstream in(path);
  if (!in) return trace;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.empty()) continue;
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception&) {
      // A run killed mid-write leaves a partial last line; an earlier one is damage.
      if (in.peek() == std::char_traits<char>::eof()) break;
      throw Error(path + ":" + std::to_string(number) + ": not a JSON record");
    }
    if (!j.is_object() || j.value("type", "") != "train") continue;
    auto step = j.find("step");
    if (step == j.end() || !step->is_number()) continue;
    const double at = step->get<double>();
    if (logged)
      for (const auto& [key, value] : j.items())
        if (value.is_number() && key != "step") logged->insert(key);
    for (const auto& m : metrics) {
      auto v = j.find(m);
      if (v == j.end() || !v->is_number()) continue;
      // A resumed attempt logs again the steps after its checkpoint that the killed one had
      // logged: the later records stand.
      auto& points = trace[m];
      while (!points.empty() && points.back().first >= at) points.pop_back();
      points.emplace_back(at, v->get<double>());
    }
  }
  return trace;
}

std::string non_metric_field(const std::string& name) {
  // The fields of the other record types (core/progress.cpp, run/reward_fit_log.cpp) and the
  // two every record has.
  static const std::map<std::string, std::string> kFields = {
      {"step", "the x axis of every trace (the training step)"},
      {"type", "the type of each metrics.jsonl record"},
      {"total", "a field of the progress and reward_fit records (the steps to make)"},
      {"steps_per_s", "a field of the progress and reward_fit records (training speed)"},
      {"eta_s", "a field of the progress and reward_fit records (time left)"},
      {"time", "a field of the progress and reward_fit records (seconds since the start)"},
      {"score",
       "a field of the progress records (the latest evaluation; the learning curves plot it)"},
      {"loss", "a field of the reward_fit records (the reward model's loss while it fits)"},
      {"heldout_mse", "a field of the reward_fit records (imputation's held-out error)"},
  };
  auto it = kFields.find(name);
  return it == kFields.end() ? "" : it->second;
}

}  // namespace relabel::report
