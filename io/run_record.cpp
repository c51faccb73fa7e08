#include "io/run_record.h"

#include <cmath>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>
#include <variant>

#include "core/error.h"
#include "core/text_file.h"
#include "io/atomic_file.h"

namespace relabel::io {

using nlohmann::json;

bool ParamValue::operator<(const ParamValue& o) const {
  if (number && o.number) return *number < *o.number || (*number == *o.number && text < o.text);
  if (number != o.number) return number.has_value();  // numbers first
  return text < o.text;
}

ParamValue param_value(const json& v) {
  ParamValue p;
  if (v.is_string()) {
    // Older records hold swept values as text ("0.8"): numeric text still orders and plots as a
    // number.
    p.text = v.get<std::string>();
    char* end = nullptr;
    double d = std::strtod(p.text.c_str(), &end);
    if (!p.text.empty() && end == p.text.c_str() + p.text.size() && std::isfinite(d)) p.number = d;
  } else if (v.is_number_integer()) {
    p.number = v.get<double>();
    p.text = v.dump();
  } else if (v.is_number()) {
    p.number = v.get<double>();
    p.text = value_text(ConfigValue(std::in_place_type<double>,
                                    *p.number));  // "3.0", "1e-05": the text the config writes
  } else {
    p.text = v.dump();  // true, false, null
  }
  if (v.is_primitive() && !v.is_null()) p.value = v;
  return p;
}

ParamValue param_value(const ConfigValue& value) {
  if (const auto* d = std::get_if<double>(&value); d && !std::isfinite(*d))
    return param_value(json(value_text(value)));
  return param_value(std::visit([](const auto& x) { return json(x); }, value));
}

json param_json(const ParamValue& value) {
  return value.value.is_null() ? json(value.text) : value.value;
}

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
const std::set<std::string> kStatuses = {"done", "failed", "running", "preempted"};

std::optional<double> get_number(const json& j, const std::string& key, const std::string& path) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  if (!it->is_number()) throw Error(where(path, key) + " must be a number, got " + it->dump());
  double v = it->get<double>();
  if (!std::isfinite(v)) throw Error(where(path, key) + " is not finite");
  return v;
}

// An integer key; a float holding a whole number (1000.0, as other writers may put it) counts.
std::optional<int64_t> get_integer(const json& j, const std::string& key, const std::string& path,
                                   bool required) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    if (required) throw Error(where(path, key) + " is missing");
    return std::nullopt;
  }
  if (it->is_number_integer()) return it->get<int64_t>();
  if (it->is_number_float()) {
    double v = it->get<double>();
    if (std::isfinite(v) && v == std::trunc(v) && std::fabs(v) < 9.0e18)
      return static_cast<int64_t>(v);
  }
  throw Error(where(path, key) + " must be an integer, got " + it->dump());
}

std::vector<Attempt> parse_attempts(const json& j, const std::string& path) {
  if (!j.is_array()) throw Error(where(path, "attempts") + " must be an array");
  std::vector<Attempt> out;
  for (size_t i = 0; i < j.size(); ++i) {
    const auto& e = j[i];
    std::string at = "attempts[" + std::to_string(i) + "]";
    if (!e.is_object())
      throw Error(where(path, at) + " must be an object {started_at, start_step, ranks, status, " +
                  "end_step}");
    const std::string in = path + " " + at;
    Attempt a;
    a.started_at = get_string(e, "started_at", in, true);
    a.start_step = *get_integer(e, "start_step", in, true);
    a.ranks = static_cast<int>(*get_integer(e, "ranks", in, true));
    a.status = get_string(e, "status", in, false);
    a.end_step = get_integer(e, "end_step", in, false);
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace

std::vector<CurvePoint> curve_from_json(const json& j, const std::string& path) {
  if (!j.is_array()) throw Error(where(path, "curve") + " must be an array");
  std::vector<CurvePoint> out;
  out.reserve(j.size());
  for (size_t i = 0; i < j.size(); ++i) {
    const auto& e = j[i];
    std::string at = "curve[" + std::to_string(i) + "]";
    if (!e.is_object()) throw Error(where(path, at) + " must be an object {step, return, score}");
    auto step = get_number(e, "step", path + " " + at);
    auto score = get_number(e, "score", path + " " + at);
    if (!step || !score) throw Error(where(path, at) + " needs numeric 'step' and 'score'");
    out.push_back({*get_integer(e, "step", path + " " + at, true),
                   get_number(e, "return", path + " " + at).value_or(kNaN), *score});
  }
  return out;
}

json curve_to_json(const std::vector<CurvePoint>& curve) {
  json out = json::array();
  for (const auto& p : curve) {
    json e = {{"step", p.step}, {"score", p.score}};
    if (!std::isnan(p.ret)) e["return"] = p.ret;  // omitted, not null: it reads back as NaN
    out.push_back(std::move(e));
  }
  return out;
}

// The messages below are those `relabel report` has always given ("FILE: key 'K' ..."), so
// warnings about malformed runs read the same.
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

json to_json(const RunRecord& r) {
  json j = {{"id", r.id},
            {"status", r.status},
            {"task", r.task},
            {"dataset", r.dataset},
            {"method", r.method}};
  if (r.dataset_identity) j["dataset_identity"] = to_json(*r.dataset_identity);
  if (r.expert_identity) j["expert_identity"] = to_json(*r.expert_identity);
  json params = json::object();
  for (const auto& [k, v] : r.params) params[k] = param_json(v);
  j["params"] = std::move(params);
  if (r.seed) j["seed"] = *r.seed;
  if (r.ranks) j["ranks"] = *r.ranks;
  auto put = [&](const char* key, const std::string& v) {
    if (!v.empty()) j[key] = v;
  };
  put("config_hash", r.config_hash);
  put("config_hash_without_seed", r.config_hash_without_seed);
  put("relabel_version", r.relabel_version);
  put("started_at", r.started_at);
  put("finished_at", r.finished_at);
  put("error", r.error);
  json attempts = json::array();
  for (const auto& a : r.attempts) {
    json e = {{"started_at", a.started_at}, {"start_step", a.start_step}, {"ranks", a.ranks}};
    if (!a.status.empty()) e["status"] = a.status;
    if (a.end_step) e["end_step"] = *a.end_step;
    attempts.push_back(std::move(e));
  }
  j["attempts"] = std::move(attempts);
  j["curve"] = curve_to_json(r.curve);
  if (r.final_score) j["final_score"] = *r.final_score;
  if (r.final_return) j["final_return"] = *r.final_return;
  if (r.ref_random) j["ref_random"] = *r.ref_random;
  if (r.ref_expert) j["ref_expert"] = *r.ref_expert;
  if (r.best_score) j["best_score"] = *r.best_score;
  json timing = json::object();
  for (const auto& [k, v] : r.timing) timing[k] = v;
  j["timing"] = std::move(timing);
  if (!r.reward_diagnostics.is_null()) j["reward_diagnostics"] = r.reward_diagnostics;
  return j;
}

RunRecord run_record_from_json(const json& j, const std::string& path) {
  if (!j.is_object()) throw Error(path + ": must be a JSON object");
  // The keys `relabel report` has always checked come first, in its order, so a record with
  // several faults is reported by the same first one.
  RunRecord r;
  r.id = get_string(j, "id", path, false);
  r.status = get_string(j, "status", path, true);
  if (!kStatuses.count(r.status))
    throw Error(where(path, "status") + ": '" + r.status +
                "' is not one of done, failed, running, preempted");
  r.error = get_string(j, "error", path, false);
  // run/run_pipeline.cpp records a failure before the run's first record as
  // {status, error, finished_at} alone.
  const bool attributed = !r.failed();
  r.task = get_string(j, "task", path, attributed);
  r.dataset = get_string(j, "dataset", path, false);
  r.method = get_string(j, "method", path, attributed);
  if (auto it = j.find("dataset_identity"); it != j.end() && !it->is_null())
    r.dataset_identity = dataset_identity_from_json(*it, path);
  if (auto it = j.find("expert_identity"); it != j.end() && !it->is_null())
    r.expert_identity = dataset_identity_from_json(*it, path);
  if (auto it = j.find("params"); it != j.end() && !it->is_null()) {
    if (!it->is_object()) throw Error(where(path, "params") + " must be an object");
    for (auto& [k, v] : it->items()) {
      if (v.is_object() || v.is_array())
        throw Error(where(path, "params." + k) + " must be a number, string or bool");
      r.params[k] = param_value(v);
    }
  }
  if (auto it = j.find("seed"); it != j.end() && !it->is_null()) {
    if (!it->is_number_integer()) throw Error(where(path, "seed") + " must be an integer");
    r.seed = it->get<int64_t>();
  }
  r.final_score = get_number(j, "final_score", path);
  r.best_score = get_number(j, "best_score", path);
  r.final_return = get_number(j, "final_return", path);
  r.ref_random = get_number(j, "ref_random", path);
  r.ref_expert = get_number(j, "ref_expert", path);
  if (r.done() && !r.final_score)
    throw Error(where(path, "final_score") + " is missing for a done run");
  if (auto it = j.find("curve"); it != j.end() && !it->is_null())
    r.curve = curve_from_json(*it, path);

  if (auto ranks = get_integer(j, "ranks", path, false)) r.ranks = static_cast<int>(*ranks);
  r.config_hash = get_string(j, "config_hash", path, false);
  r.config_hash_without_seed = get_string(j, "config_hash_without_seed", path, false);
  r.relabel_version = get_string(j, "relabel_version", path, false);
  r.started_at = get_string(j, "started_at", path, false);
  r.finished_at = get_string(j, "finished_at", path, false);
  if (auto it = j.find("attempts"); it != j.end() && !it->is_null())
    r.attempts = parse_attempts(*it, path);
  if (auto it = j.find("timing"); it != j.end() && !it->is_null()) {
    if (!it->is_object()) throw Error(where(path, "timing") + " must be an object");
    for (auto& [k, v] : it->items()) {
      // A non-finite value is written as null by nlohmann::json; it reads back as NaN.
      if (!v.is_number() && !v.is_null())
        throw Error(where(path, "timing." + k) + " must be a number, got " + v.dump());
      r.timing[k] = v.is_null() ? kNaN : v.get<double>();
    }
  }
  if (auto it = j.find("reward_diagnostics"); it != j.end() && !it->is_null()) {
    if (!it->is_object()) throw Error(where(path, "reward_diagnostics") + " must be an object");
    r.reward_diagnostics = *it;
  }
  return r;
}

RunRecord parse_run_record(const std::string& text, const std::string& path) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    throw Error(path + ": invalid JSON (" + e.what() + ")");
  }
  return run_record_from_json(j, path);
}

bool run_record_present(const std::string& dir) {
  namespace fs = std::filesystem;
  const std::string path = dir + "/result.json";
  std::error_code ec;
  if (!fs::exists(fs::symlink_status(path, ec))) return false;  // the name itself is absent
  const auto status = fs::status(path, ec);
  if (ec) throw Error(path + ": cannot read: " + ec.message());
  if (!fs::is_regular_file(status))
    throw Error(path + (fs::is_directory(status) ? ": is a directory" : ": not a regular file"));
  return true;
}

std::optional<RunRecord> read_run_record(const std::string& dir) {
  const std::string path = dir + "/result.json";
  std::ifstream in(path);
  if (!in) return std::nullopt;
  auto j = json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return std::nullopt;
  try {
    return run_record_from_json(j, path);
  } catch (const Error&) {
    return std::nullopt;
  }
}

RunRecord load_run_record(const std::string& dir) {
  const std::string path = dir + "/result.json";
  RunRecord r = parse_run_record(read_text_file(path), path);
  if (r.curve.empty()) {
    const std::string csv = dir + "/curve.csv";
    if (std::ifstream(csv)) r.curve = read_curve_csv(csv);
  }
  return r;
}

std::vector<CurvePoint> read_curve_csv(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error(path + ": cannot read");
  std::string line;
  if (!std::getline(in, line)) return {};
  std::vector<std::string> header;
  std::stringstream hs(line);
  for (std::string c; std::getline(hs, c, ',');) header.push_back(c);
  auto col = [&](const std::string& name) {
    for (size_t i = 0; i < header.size(); ++i)
      if (header[i] == name) return static_cast<int>(i);
    return -1;
  };
  const int cs = col("step"), cr = col("return"), cc = col("score");
  if (cs < 0 || cc < 0) throw Error(path + ": header must name 'step' and 'score'");
  std::vector<CurvePoint> out;
  int row = 1;
  while (std::getline(in, line)) {
    ++row;
    if (line.empty()) continue;
    std::vector<std::string> cells;
    std::stringstream ls(line);
    for (std::string c; std::getline(ls, c, ',');) cells.push_back(c);
    const std::string at = path + ": row " + std::to_string(row);
    auto num = [&](int c) {
      if (c < 0) return kNaN;
      if (c >= static_cast<int>(cells.size())) throw Error(at + " has too few columns");
      try {
        return std::stod(cells[c]);
      } catch (const std::exception&) {
        throw Error(at + ": '" + cells[c] + "' is not a number");
      }
    };
    const double step = num(cs);
    if (step != std::trunc(step) || std::fabs(step) >= 9.0e18)
      throw Error(at + ": step '" + cells[cs] + "' is not an integer");
    out.push_back({static_cast<int64_t>(step), num(cr), num(cc)});
  }
  return out;
}

void write_run_record(const std::string& dir, const RunRecord& record) {
  std::ostringstream csv;
  csv << "step,return,score\n";
  csv.precision(10);
  for (const auto& p : record.curve) csv << p.step << "," << p.ret << "," << p.score << "\n";
  write_file_atomic(dir + "/curve.csv", csv.str());
  write_json_atomic(dir + "/result.json", to_json(record));
}

std::string utc_now() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace relabel::io
