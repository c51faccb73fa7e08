#include "report/traces.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

#include "core/error.h"

namespace relabel::report {

Trace read_trace(const std::string& run_dir, const std::vector<std::string>& metrics) {
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

}  // namespace relabel::report
