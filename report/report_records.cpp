#include "report/report_records.h"

#include <fmt/format.h>
#include <toml++/toml.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "core/error.h"
#include "core/text_file.h"
#include "io/dataset_label.h"
#include "io/observed_status.h"

namespace relabel::report {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Not finished: running, preempted, or pending.
bool pending(const RunRecord& r) { return !r.done() && !r.failed(); }

using io::get_string;
using io::where;

// A record without a seed takes the number of its "seed" param.
void seed_from_params(RunRecord& r) {
  if (r.seed) return;
  if (auto p = r.params.find("seed"); p != r.params.end() && p->second.number)
    r.seed = static_cast<int64_t>(*p->second.number);
}

// What a run directory without result.json tells about itself through its config.toml.
void fill_from_config(RunRecord& r, const fs::path& config) {
  try {
    auto tbl = toml::parse_file(config.string());
    if (auto v = tbl["task"]["name"].value<std::string>()) r.task = *v;
    if (auto d = tbl["dataset"].as_table())  // labelled as the run's record will be
      r.dataset = io::dataset_label_guess((*d)["name"].value_or(std::string()),
                                          (*d)["path"].value_or(std::string()),
                                          (*d)["expert_path"].value_or(std::string()));
    auto reward = tbl["reward"]["method"].value<std::string>();
    auto policy = tbl["policy"]["algo"].value<std::string>();
    if (reward && policy) r.method = *reward + "+" + *policy;
    if (auto s = tbl["seed"].value<int64_t>()) r.seed = *s;
  } catch (const toml::parse_error&) {
    // A half-written config of a pending run only loses its attribution.
  }
}

// The base config's task, dataset and method (a TOML file that does not parse gives nothing).
SweepBase read_sweep_base(const fs::path& config) {
  SweepBase b;
  try {
    auto tbl = toml::parse_file(config.string());
    b.read = true;
    b.task = tbl["task"]["name"].value_or(std::string());
    b.dataset_name = tbl["dataset"]["name"].value_or(std::string());
    b.dataset_path = tbl["dataset"]["path"].value_or(std::string());
    b.dataset_expert_path = tbl["dataset"]["expert_path"].value_or(std::string());
    b.reward_method = tbl["reward"]["method"].value_or(std::string());
    b.policy_algo = tbl["policy"]["algo"].value_or(std::string());
  } catch (const toml::parse_error&) {
  }
  return b;
}

// Whether it read the list of runs (all of it).
bool read_sweep_json(const fs::path& p, std::map<std::string, RunRecord>& runs,
                     const std::set<std::string>& malformed_ids, RunSet& set) {
  json j;
  try {
    j = json::parse(read_text_file(p.string()));
    if (!j.is_object()) throw Error(p.string() + ": must be a JSON object");
    // docs/formats.md: older sweeps name the list "expansion"; the scheduler writes "runs" with a
    // status each.
    const char* list_key = j.contains("expansion") ? "expansion" : "runs";
    auto exp = j.find(list_key);
    if (exp == j.end()) return false;
    if (!exp->is_array()) throw Error(where(p.string(), list_key) + " must be an array");
    // Per-run status may be an {id: status} object next to the expansion or a field of each entry.
    json status_map = j.value("status", json::object());
    // The sweep's base config (relative to its spec) names what the params leave out: the task of
    // a spec that sweeps only datasets and methods, for example.
    if (j.contains("base") && j["base"].is_string() && j.contains("spec_path") &&
        j["spec_path"].is_string()) {
      fs::path b(j["base"].get<std::string>());
      if (b.is_relative()) b = fs::path(j["spec_path"].get<std::string>()).parent_path() / b;
      std::error_code ec;
      if (fs::is_regular_file(b, ec)) set.base = read_sweep_base(b);
    }
    for (size_t i = 0; i < exp->size(); ++i) {
      const auto& e = (*exp)[i];
      std::string at = p.string() + " " + list_key + "[" + std::to_string(i) + "]";
      if (!e.is_object()) throw Error(at + " must be an object {id, params}");
      std::string id = get_string(e, "id", at, true);
      set.sweep_ids.insert(id);
      if (malformed_ids.count(id)) continue;  // already listed as malformed
      auto it = runs.find(id);
      // A finished record keeps what it holds; one that holds no labels or params (a run that
      // failed before its first record: status, error, finished_at) takes them from here.
      const bool finished = it != runs.end() && !pending(it->second);
      RunRecord& r = runs[id];
      r.id = id;
      if (r.status.empty()) {
        r.status = "pending";
        r.error = "listed in sweep.json, no run directory yet";
      }
      const bool keep_params = finished && !r.params.empty();
      if (auto pr = e.find("params"); pr != e.end() && pr->is_object() && !keep_params)
        for (auto& [k, v] : pr->items()) r.params[k] = io::param_value(v);
      if (finished) seed_from_params(r);
      // The sweep writes the labels result.json will carry (docs/formats.md); they win over
      // what a started run's config.toml gives (its raw reward.method, without the label a
      // method derives from its keys, e.g. "imputation-labels_only"), not over a record's own.
      const bool recorded = set.run_dirs.count(id) > 0;  // a result.json (running, preempted)
      for (auto [key, field] : {std::pair{"task", &r.task}, std::pair{"dataset", &r.dataset},
                                std::pair{"method", &r.method}})
        if (std::string v = get_string(e, key, at, false);
            !v.empty() && (!recorded || field->empty()))
          *field = v;
      if (finished) continue;
      std::string st =
          e.contains("status") && e["status"].is_string()
              ? e["status"].get<std::string>()
              : (status_map.is_object() && status_map.contains(id) && status_map[id].is_string()
                     ? status_map[id].get<std::string>()
                     : "");
      if (!st.empty() && st != "pending") r.error += " (sweep.json says " + st + ")";
    }
    return true;
  } catch (const json::exception& e) {
    set.malformed.push_back({p.string(), e.what()});
  } catch (const Error& e) {
    set.malformed.push_back({p.string(), e.what()});
  }
  return false;
}

// Runs are grouped by dataset label; when one label (a path, a suite name) held different
// content across runs, each content gets its own label ("NAME (data 1a2b3c4d)", the checksum's
// first digits), so scores of different data never share a cell. Records without an identity
// (older ones) keep the plain label.
void split_datasets_by_content(std::vector<RunRecord>& runs) {
  std::map<std::pair<std::string, std::string>, std::set<std::string>> contents;
  auto content = [](const RunRecord& r) {
    return std::to_string(r.dataset_identity->rows) + ":" + r.dataset_identity->checksum;
  };
  for (const auto& r : runs)
    if (r.dataset_identity) contents[{r.task, r.dataset}].insert(content(r));
  for (auto& r : runs) {
    if (!r.dataset_identity || contents[{r.task, r.dataset}].size() < 2) continue;
    const std::string& sum = r.dataset_identity->checksum;
    const auto colon = sum.rfind(':');
    std::string digits = colon == std::string::npos ? sum : sum.substr(colon + 1);
    r.dataset += " (data " + digits.substr(0, 8) + ", " + std::to_string(r.dataset_identity->rows) +
                 " rows)";
  }
}

// Scores normalised with different reference returns are not comparable: where one dataset
// label's runs recorded several (R_random, R_expert) pairs (an edited file attribute, a
// task.ref_*_score override on some runs), each pair gets its own label "NAME (refs LO..HI)".
// Records without them (older ones) keep the plain label.
void split_datasets_by_references(std::vector<RunRecord>& runs) {
  auto has = [](const RunRecord& r) { return r.ref_random && r.ref_expert; };
  std::map<std::pair<std::string, std::string>, std::set<std::pair<double, double>>> refs;
  for (const auto& r : runs)
    if (has(r)) refs[{r.task, r.dataset}].insert({*r.ref_random, *r.ref_expert});
  for (auto& r : runs)
    if (has(r) && refs[{r.task, r.dataset}].size() > 1)
      r.dataset += fmt::format(" (refs {:.6g}..{:.6g})", *r.ref_random, *r.ref_expert);
}

// See read_run_directory.
void split_methods_by_config(std::vector<RunRecord>& runs, const std::set<std::string>& listed) {
  auto cell = [](const RunRecord& r) {
    return r.task + '\x1f' + r.dataset + '\x1f' + r.method + '\x1f' + params_signature(r);
  };
  std::map<std::string, std::set<std::string>> configs, listed_configs;
  for (const auto& r : runs) {
    if (r.config_hash_without_seed.empty()) continue;
    configs[cell(r)].insert(r.config_hash_without_seed);
    if (listed.count(r.id)) listed_configs[cell(r)].insert(r.config_hash_without_seed);
  }
  for (auto& r : runs) {
    const std::string c = cell(r);
    if (r.config_hash_without_seed.empty() || configs[c].size() < 2) continue;
    const auto& home = listed_configs[c];
    if (home.size() == 1 && home.count(r.config_hash_without_seed)) continue;
    r.method += " (config " + r.config_hash_without_seed.substr(0, 8) + ")";
  }
}

}  // namespace

std::vector<std::string> run_directory_names(const std::string& runs_dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(runs_dir)) {
    std::string name = e.path().filename().string();
    std::error_code ec;  // an entry that does not resolve (a symbolic link loop) is no directory
    if (e.is_directory(ec) && name.front() != '.') names.push_back(std::move(name));
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::optional<std::set<std::string>> sweep_run_ids(const std::string& dir) {
  try {
    const json j = json::parse(read_text_file(dir + "/sweep.json"));
    std::set<std::string> ids;
    for (const auto& e : j.at(j.contains("expansion") ? "expansion" : "runs"))
      ids.insert(e.at("id").get<std::string>());
    return ids;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::vector<std::string> unlisted_run_folders(const std::string& dir,
                                              const std::set<std::string>& listed) {
  std::vector<std::string> folders;
  std::error_code ec;
  if (!fs::is_directory(dir + "/runs", ec)) return folders;
  for (const auto& name : run_directory_names(dir + "/runs"))
    if (!listed.count(name) &&
        fs::exists(fs::symlink_status(dir + "/runs/" + name + "/result.json", ec)))
      folders.push_back(name);
  return folders;
}

std::string unlisted_warning(const std::string& dir, const std::vector<std::string>& folders) {
  const size_t kNamed = 10;
  std::string names;
  for (size_t i = 0; i < folders.size() && i < kNamed; ++i) names += (i ? ", " : "") + folders[i];
  if (folders.size() > kNamed) names += fmt::format(" and {} more", folders.size() - kNamed);
  return fmt::format(
      "{}/runs: {} folder{} with a result.json that {}/sweep.json does not list, left out (not "
      "runs of this sweep): {}",
      dir, folders.size(), folders.size() == 1 ? "" : "s", dir, names);
}

std::string params_signature(const RunRecord& r, bool method_only) {
  static const std::set<std::string> data_keys = {"task.name", "task", "dataset.name",
                                                  "dataset.path", "dataset"};
  std::string s;
  for (const auto& [k, v] : r.params)
    if (k != "seed" && !(method_only && data_keys.count(k))) s += k + '\x1e' + v.text + '\x1f';
  return s;
}

RunSet read_run_directory(const std::string& dir) {
  fs::path root(dir);
  std::error_code ec;
  if (!fs::is_directory(root, ec)) throw Error("report: " + dir + ": no such directory");
  RunSet set;
  set.dir = dir;
  std::map<std::string, RunRecord> runs;
  std::set<std::string> malformed_ids;
  std::set<std::string> unrecorded;  // run directories without result.json

  auto read_run = [&](const fs::path& run_dir) {
    std::string id = run_dir.filename().string();
    fs::path result = run_dir / "result.json";
    bool recorded = false;
    try {
      recorded = io::run_record_present(run_dir.string());
    } catch (const Error& e) {  // not a readable file: malformed, as a record that does not parse
      set.malformed.push_back({result.string(), e.what()});
      malformed_ids.insert(id);
      return;
    }
    if (recorded) {
      try {
        RunRecord r = io::load_run_record(run_dir.string());
        if (r.id.empty()) r.id = id;
        seed_from_params(r);
        // A sweep refused this run: its record belongs to another config or to other data and
        // must not be aggregated with the sweep's runs (io/observed_status.h).
        if (auto reason = io::refusal_reason(run_dir.string())) {
          r.status = "refused";
          r.error = "refused by the sweep: " + *reason;
        } else if (r.status == "running") {
          // As relabel status shows it: a writer that died without a word is "interrupted".
          r.status = io::observed_status(run_dir.string(), r);
        }
        // Two folders holding one run's record (a folder copied beside its original) would
        // count one seed twice, or, keyed by id, lose one of them without a word: the first in
        // name order is read, the other is named as skipped.
        if (auto first = set.run_dirs.find(r.id); first != set.run_dirs.end()) {
          set.malformed.push_back(
              {result.string(),
               fmt::format("its run id {} is also that of {}/result.json: the same run twice (a "
                           "copied folder?); read once, from there",
                           r.id, first->second)});
          malformed_ids.insert(id);
          return;
        }
        set.run_dirs[r.id] = run_dir.string();
        runs[r.id] = std::move(r);
      } catch (const Error& e) {
        set.malformed.push_back({result.string(), e.what()});
        malformed_ids.insert(id);
      }
      return;
    }
    // As relabel status shows it: running while a process holds the directory's lock,
    // interrupted when its writer died before the first record, else pending.
    RunRecord r;
    r.id = id;
    r.status = io::observed_status(run_dir.string(), std::nullopt);
    if (r.status == "refused")
      r.error = "refused by the sweep: " + io::refusal_reason(run_dir.string()).value_or("");
    else if (r.status == "interrupted")
      r.error = "no result.json; its writer died before writing one";
    else
      r.error = "no result.json yet";
    if (fs::exists(run_dir / "config.toml", ec)) fill_from_config(r, run_dir / "config.toml");
    unrecorded.insert(id);
    runs[id] = std::move(r);
  };

  bool found = false;
  // With a sweep.json, its runs are the sweep's runs: a folder it does not list is not read, so
  // a record copied in from elsewhere is never mixed into the tables (named in `unlisted`).
  const auto listed = sweep_run_ids(dir);
  if (fs::is_directory(root / "runs", ec)) {
    found = true;
    for (const auto& name : run_directory_names((root / "runs").string()))
      if (!listed || listed->count(name)) read_run(root / "runs" / name);
    if (listed) set.unlisted = unlisted_run_folders(dir, *listed);
  } else if (fs::exists(fs::symlink_status(root / "result.json", ec))) {
    found = true;
    read_run(root);
  }
  if (fs::exists(fs::symlink_status(root / "sweep.json", ec))) {  // read_sweep_json names errors
    found = true;
    // A directory sweep.json does not list is not a run of the sweep (a notebook's checkpoints,
    // a stray folder, a run copied in). Read above when sweep.json's list did not parse.
    if (read_sweep_json(root / "sweep.json", runs, malformed_ids, set))
      for (const auto& id : unrecorded)
        if (!set.sweep_ids.count(id)) runs.erase(id);
  }
  if (!found)
    throw Error("report: " + dir + ": holds neither runs/ nor sweep.json nor result.json");
  for (auto& [id, r] : runs) set.runs.push_back(std::move(r));
  split_datasets_by_content(set.runs);
  split_datasets_by_references(set.runs);
  split_methods_by_config(set.runs, set.sweep_ids);
  return set;
}

}  // namespace relabel::report
