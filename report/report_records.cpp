#include "report/report_records.h"

#include <toml++/toml.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "core/error.h"

namespace relabel::report {

namespace fs = std::filesystem;
using nlohmann::json;

bool ParamValue::operator<(const ParamValue& o) const {
  if (number && o.number) return *number < *o.number || (*number == *o.number && text < o.text);
  if (number != o.number) return number.has_value();  // numbers first
  return text < o.text;
}

namespace {

const std::set<std::string> kStatuses = {"done", "failed", "running", "preempted"};

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw Error(p.string() + ": cannot read");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

ParamValue to_param(const json& v) {
  ParamValue p;
  if (v.is_string()) {
    // Swept values may be recorded as text ("0.8"): numeric text still orders and plots as a
    // number.
    p.text = v.get<std::string>();
    char* end = nullptr;
    double d = std::strtod(p.text.c_str(), &end);
    if (!p.text.empty() && end == p.text.c_str() + p.text.size() && std::isfinite(d)) p.number = d;
  } else if (v.is_number()) {
    p.number = v.get<double>();
    p.text = v.dump();
  } else {
    p.text = v.dump();
  }
  return p;
}

std::string where(const std::string& path, const std::string& key) {
  return path + ": key '" + key + "'";
}

std::string get_string(const json& j, const std::string& key, const std::string& path,
                       bool required) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    if (required) throw Error(where(path, key) + " is missing");
    return "";
  }
  if (!it->is_string()) throw Error(where(path, key) + " must be a string, got " + it->dump());
  return it->get<std::string>();
}

std::optional<double> get_number(const json& j, const std::string& key, const std::string& path) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  if (!it->is_number()) throw Error(where(path, key) + " must be a number, got " + it->dump());
  double v = it->get<double>();
  if (!std::isfinite(v)) throw Error(where(path, key) + " is not finite");
  return v;
}

std::vector<CurvePoint> parse_curve(const json& j, const std::string& path) {
  if (!j.is_array()) throw Error(where(path, "curve") + " must be an array");
  std::vector<CurvePoint> out;
  for (size_t i = 0; i < j.size(); ++i) {
    const auto& e = j[i];
    std::string at = "curve[" + std::to_string(i) + "]";
    if (!e.is_object()) throw Error(where(path, at) + " must be an object {step, return, score}");
    auto step = get_number(e, "step", path + " " + at);
    auto score = get_number(e, "score", path + " " + at);
    if (!step || !score) throw Error(where(path, at) + " needs numeric 'step' and 'score'");
    out.push_back({*step, get_number(e, "return", path + " " + at).value_or(NAN), *score});
  }
  return out;
}

// curve.csv (step,return,score), used when result.json carries no curve.
std::vector<CurvePoint> read_curve_csv(const fs::path& p) {
  std::ifstream in(p);
  std::string line;
  if (!std::getline(in, line)) return {};
  std::vector<std::string> header;
  std::stringstream hs(line);
  for (std::string c; std::getline(hs, c, ',');) header.push_back(c);
  auto col = [&](const std::string& name) {
    auto it = std::find(header.begin(), header.end(), name);
    return it == header.end() ? -1 : static_cast<int>(it - header.begin());
  };
  int cs = col("step"), cr = col("return"), cc = col("score");
  if (cs < 0 || cc < 0) throw Error(p.string() + ": header must name 'step' and 'score'");
  std::vector<CurvePoint> out;
  int row = 1;
  while (std::getline(in, line)) {
    ++row;
    if (line.empty()) continue;
    std::vector<std::string> cells;
    std::stringstream ls(line);
    for (std::string c; std::getline(ls, c, ',');) cells.push_back(c);
    auto num = [&](int c) {
      if (c < 0) return static_cast<double>(NAN);
      if (c >= static_cast<int>(cells.size()))
        throw Error(p.string() + ": row " + std::to_string(row) + " has too few columns");
      try {
        return std::stod(cells[c]);
      } catch (const std::exception&) {
        throw Error(p.string() + ": row " + std::to_string(row) + ": '" + cells[c] +
                    "' is not a number");
      }
    };
    out.push_back({num(cs), num(cr), num(cc)});
  }
  return out;
}

// What a run directory without result.json tells about itself through its config.toml.
void fill_from_config(RunRecord& r, const fs::path& config) {
  try {
    auto tbl = toml::parse_file(config.string());
    if (auto v = tbl["task"]["name"].value<std::string>()) r.task = *v;
    if (auto v = tbl["dataset"]["name"].value<std::string>())
      r.dataset = *v;
    else if (auto p = tbl["dataset"]["path"].value<std::string>())
      r.dataset = *p;
    auto reward = tbl["reward"]["method"].value<std::string>();
    auto policy = tbl["policy"]["algo"].value<std::string>();
    if (reward && policy) r.method = *reward + "+" + *policy;
    if (auto s = tbl["seed"].value<long long>()) r.seed = *s;
    r.source = config.string();
  } catch (const toml::parse_error&) {
    // A half-written config of a pending run only loses its attribution.
  }
}

void read_sweep_json(const fs::path& p, std::map<std::string, RunRecord>& runs,
                     const std::set<std::string>& malformed_ids, RunSet& set) {
  json j;
  try {
    j = json::parse(read_text(p));
    if (!j.is_object()) throw Error(p.string() + ": must be a JSON object");
    // docs/formats.md: older sweeps name the list "expansion"; the scheduler writes "runs" with a
    // status each.
    const char* list_key = j.contains("expansion") ? "expansion" : "runs";
    auto exp = j.find(list_key);
    if (exp == j.end()) return;
    if (!exp->is_array()) throw Error(where(p.string(), list_key) + " must be an array");
    // Per-run status may be an {id: status} object next to the expansion or a field of each entry.
    json status_map = j.value("status", json::object());
    for (size_t i = 0; i < exp->size(); ++i) {
      const auto& e = (*exp)[i];
      std::string at = p.string() + " " + list_key + "[" + std::to_string(i) + "]";
      if (!e.is_object()) throw Error(at + " must be an object {id, params}");
      std::string id = get_string(e, "id", at, true);
      if (malformed_ids.count(id)) continue;  // already listed as malformed
      auto it = runs.find(id);
      if (it != runs.end() && !it->second.pending()) continue;  // result.json wins
      RunRecord& r = runs[id];
      r.id = id;
      if (r.status.empty()) {
        r.status = "pending";
        r.error = "listed in sweep.json, no run directory yet";
        r.source = p.string();
      }
      if (auto pr = e.find("params"); pr != e.end() && pr->is_object())
        for (auto& [k, v] : pr->items()) r.params[k] = to_param(v);
      if (r.task.empty()) r.task = get_string(e, "task", at, false);
      if (r.dataset.empty()) r.dataset = get_string(e, "dataset", at, false);
      if (r.method.empty()) r.method = get_string(e, "method", at, false);
      std::string st =
          e.contains("status") && e["status"].is_string()
              ? e["status"].get<std::string>()
              : (status_map.is_object() && status_map.contains(id) && status_map[id].is_string()
                     ? status_map[id].get<std::string>()
                     : "");
      if (!st.empty() && st != "pending") r.error += " (sweep.json says " + st + ")";
    }
  } catch (const json::exception& e) {
    set.malformed.push_back({p.string(), e.what()});
  } catch (const Error& e) {
    set.malformed.push_back({p.string(), e.what()});
  }
}

}  // namespace

RunRecord parse_result_record(const std::string& text, const std::string& path,
                              const std::string& fallback_id) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    throw Error(path + ": invalid JSON (" + e.what() + ")");
  }
  if (!j.is_object()) throw Error(path + ": must be a JSON object");
  RunRecord r;
  r.source = path;
  r.id = get_string(j, "id", path, false);
  if (r.id.empty()) r.id = fallback_id;
  r.status = get_string(j, "status", path, true);
  if (!kStatuses.count(r.status))
    throw Error(where(path, "status") + ": '" + r.status +
                "' is not one of done, failed, running, preempted");
  r.error = get_string(j, "error", path, false);
  r.task = get_string(j, "task", path, true);
  r.dataset = get_string(j, "dataset", path, false);
  r.method = get_string(j, "method", path, true);
  if (auto it = j.find("params"); it != j.end() && !it->is_null()) {
    if (!it->is_object()) throw Error(where(path, "params") + " must be an object");
    for (auto& [k, v] : it->items()) {
      if (v.is_object() || v.is_array())
        throw Error(where(path, "params." + k) + " must be a number, string or bool");
      r.params[k] = to_param(v);
    }
  }
  if (auto it = j.find("seed"); it != j.end() && !it->is_null()) {
    if (!it->is_number_integer()) throw Error(where(path, "seed") + " must be an integer");
    r.seed = it->get<long long>();
  } else if (auto p = r.params.find("seed"); p != r.params.end() && p->second.number) {
    r.seed = static_cast<long long>(*p->second.number);
  }
  r.final_score = get_number(j, "final_score", path);
  r.best_score = get_number(j, "best_score", path);
  r.final_return = get_number(j, "final_return", path);
  if (r.done() && !r.final_score)
    throw Error(where(path, "final_score") + " is missing for a done run");
  if (auto it = j.find("curve"); it != j.end() && !it->is_null()) r.curve = parse_curve(*it, path);
  return r;
}

RunSet read_run_directory(const std::string& dir) {
  fs::path root(dir);
  std::error_code ec;
  if (!fs::is_directory(root, ec)) throw Error("report: " + dir + ": no such directory");
  RunSet set;
  set.dir = dir;
  std::map<std::string, RunRecord> runs;
  std::set<std::string> malformed_ids;

  auto read_run = [&](const fs::path& run_dir) {
    std::string id = run_dir.filename().string();
    fs::path result = run_dir / "result.json";
    if (fs::exists(result)) {
      try {
        RunRecord r = parse_result_record(read_text(result), result.string(), id);
        if (r.curve.empty() && fs::exists(run_dir / "curve.csv"))
          r.curve = read_curve_csv(run_dir / "curve.csv");
        runs[r.id] = std::move(r);
      } catch (const Error& e) {
        set.malformed.push_back({result.string(), e.what()});
        malformed_ids.insert(id);
      }
      return;
    }
    RunRecord r;
    r.id = id;
    r.status = "pending";
    r.error = "no result.json yet";
    r.source = run_dir.string();
    if (fs::exists(run_dir / "config.toml")) fill_from_config(r, run_dir / "config.toml");
    runs[id] = std::move(r);
  };

  bool found = false;
  if (fs::is_directory(root / "runs", ec)) {
    found = true;
    std::vector<fs::path> dirs;
    for (const auto& e : fs::directory_iterator(root / "runs"))
      if (e.is_directory()) dirs.push_back(e.path());
    std::sort(dirs.begin(), dirs.end());
    for (const auto& d : dirs) read_run(d);
  } else if (fs::exists(root / "result.json")) {
    found = true;
    read_run(root);
  }
  if (fs::exists(root / "sweep.json")) {
    found = true;
    read_sweep_json(root / "sweep.json", runs, malformed_ids, set);
  }
  if (!found)
    throw Error("report: " + dir + ": holds neither runs/ nor sweep.json nor result.json");
  for (auto& [id, r] : runs) set.runs.push_back(std::move(r));
  return set;
}

}  // namespace relabel::report
