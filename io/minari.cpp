#include "io/minari.h"

#include <torch/torch.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "io/h5_column.h"
#include "io/hdf5_util.h"

namespace relabel::io {
namespace {

namespace fs = std::filesystem;

struct Location {
  std::string hdf5;      // main_data.hdf5
  std::string metadata;  // metadata.json, "" when absent (root attributes then)
};

Location locate(const std::string& path) {
  Location loc;
  fs::path p(path);
  std::error_code ec;
  if (!fs::exists(p, ec)) throw Error(path + ": no such Minari dataset directory");
  fs::path data_dir;
  if (fs::is_regular_file(p, ec)) {
    loc.hdf5 = p.string();
    data_dir = p.parent_path();
  } else if (fs::exists(p / "data" / "main_data.hdf5", ec)) {
    data_dir = p / "data";
  } else if (fs::exists(p / "main_data.hdf5", ec)) {
    data_dir = p;
  } else {
    throw Error(path + ": not a Minari dataset directory (no data/main_data.hdf5)");
  }
  if (loc.hdf5.empty()) loc.hdf5 = (data_dir / "main_data.hdf5").string();
  for (const fs::path& candidate :
       {data_dir / "metadata.json", data_dir.parent_path() / "metadata.json"}) {
    if (fs::is_regular_file(candidate, ec)) {
      loc.metadata = candidate.string();
      break;
    }
  }
  return loc;
}

// Minari stores spaces and env_spec as JSON strings inside the metadata; accept objects too.
nlohmann::json as_json(const nlohmann::json& value) {
  if (value.is_string()) {
    auto parsed = nlohmann::json::parse(value.get<std::string>(), nullptr, false);
    return parsed.is_discarded() ? nlohmann::json() : parsed;
  }
  return value;
}

nlohmann::json read_metadata(const Location& loc, hid_t file) {
  nlohmann::json meta = nlohmann::json::object();
  if (!loc.metadata.empty()) {
    std::ifstream in(loc.metadata);
    meta = nlohmann::json::parse(in, nullptr, false);
    if (meta.is_discarded() || !meta.is_object()) throw Error(loc.metadata + ": not a JSON object");
    return meta;
  }
  // Older Minari: the same keys as root attributes of main_data.hdf5.
  for (const char* key :
       {"dataset_id", "env_spec", "observation_space", "action_space", "algorithm_name"}) {
    std::string value;
    if (h5::read_string_attr(file, key, &value)) meta[key] = value;
  }
  for (const char* key : {"ref_min_score", "ref_max_score"}) {
    double value;
    if (h5::read_double_attr(file, key, &value)) meta[key] = value;
  }
  return meta;
}

// Refuses dict/tuple/discrete/image spaces named in the metadata (the data check below catches
// files without metadata).
void check_space(const std::string& where, const nlohmann::json& meta, const char* key) {
  if (!meta.contains(key)) return;
  nlohmann::json space = as_json(meta[key]);
  if (!space.is_object() || !space.contains("type")) return;
  std::string type = space["type"].is_string() ? space["type"].get<std::string>() : "";
  if (type != "Box")
    throw Error(where + ": " + key + " is a " + type +
                " space; only flat Box spaces are supported (dict/image observations are out of "
                "scope)");
  if (space.contains("shape") && space["shape"].is_array() && space["shape"].size() != 1)
    throw Error(where + ": " + key + " has shape " + space["shape"].dump() +
                "; only flat (1-D) Box spaces are supported (image observations are out of "
                "scope)");
}

DatasetInfo make_info(const std::string& path, const nlohmann::json& meta) {
  DatasetInfo info;
  info.source = path;
  std::string id = meta.value("dataset_id", std::string());
  if (meta.contains("env_spec")) {
    nlohmann::json spec = as_json(meta["env_spec"]);
    if (spec.is_object() && spec.contains("id") && spec["id"].is_string())
      info.env = spec["id"].get<std::string>();
  }
  if (info.env.empty()) info.env = id;
  info.generator = "minari:" + id;
  if (meta.contains("algorithm_name") && meta["algorithm_name"].is_string())
    info.generator += " (" + meta["algorithm_name"].get<std::string>() + ")";
  if (meta.contains("ref_min_score") && meta["ref_min_score"].is_number())
    info.ref_min_score = meta["ref_min_score"].get<double>();
  if (meta.contains("ref_max_score") && meta["ref_max_score"].is_number())
    info.ref_max_score = meta["ref_max_score"].get<double>();
  return info;
}

std::vector<std::pair<int64_t, std::string>> episode_groups(hid_t file, const std::string& path) {
  std::vector<std::pair<int64_t, std::string>> groups;
  for (const std::string& name : h5::member_names(file)) {
    if (name.rfind("episode_", 0) != 0) continue;
    std::string digits = name.substr(8);
    if (digits.empty() || !std::all_of(digits.begin(), digits.end(), ::isdigit)) continue;
    groups.emplace_back(std::stoll(digits), name);
  }
  std::sort(groups.begin(), groups.end());  // numeric order: episode_10 after episode_9
  if (groups.empty()) throw Error(path + ": no episode_<i> groups (not a Minari main_data.hdf5)");
  return groups;
}

torch::Tensor read_whole(hid_t file, const std::string& path, const h5::Column& c) {
  std::string error;
  torch::Tensor t = h5::read_column(file, path, c, H5P_DEFAULT, 0, c.rows, &error);
  if (error.empty()) error = h5::check_values(path, c, t, 0);
  if (!error.empty()) throw Error(error);
  return c.role == h5::Role::kFlag
             ? t.to(torch::kBool)
             : t.reshape(c.role == h5::Role::kMatrix ? std::vector<int64_t>{c.rows, c.cols}
                                                     : std::vector<int64_t>{c.rows});
}

}  // namespace

Dataset read_minari(const std::string& path) {
  Location loc = locate(path);
  h5::Handle file = h5::open_file(loc.hdf5, MPI_COMM_NULL);
  nlohmann::json meta = read_metadata(loc, file);
  std::string meta_where = loc.metadata.empty() ? loc.hdf5 : loc.metadata;
  check_space(meta_where, meta, "observation_space");
  check_space(meta_where, meta, "action_space");

  std::vector<torch::Tensor> obs, next, act, rew, term, tout;
  int64_t obs_dim = -1, act_dim = -1;
  for (const auto& [index, group] : episode_groups(file, loc.hdf5)) {
    auto column = [&](const char* name, h5::Role role) {
      return h5::inspect_column(file, loc.hdf5, group + "/" + name, role, true);
    };
    h5::Column o = column("observations", h5::Role::kMatrix);
    h5::Column a = column("actions", h5::Role::kMatrix);
    h5::Column r = column("rewards", h5::Role::kVector);
    h5::Column te = column("terminations", h5::Role::kFlag);
    h5::Column tr = column("truncations", h5::Role::kFlag);
    int64_t steps = a.rows;
    if (o.rows != steps + 1)
      throw Error(h5::at(loc.hdf5, o.name) + "has " + std::to_string(o.rows) + " rows, expected " +
                  std::to_string(steps + 1) + " ('actions' has " + std::to_string(steps) +
                  " steps; observations include the first one)");
    for (const h5::Column* c : {&r, &te, &tr})
      if (c->rows != steps)
        throw Error(h5::at(loc.hdf5, c->name) + "has " + std::to_string(c->rows) +
                    " rows, 'actions' has " + std::to_string(steps));
    if (obs_dim < 0) {
      obs_dim = o.cols;
      act_dim = a.cols;
    } else if (o.cols != obs_dim || a.cols != act_dim) {
      throw Error(h5::at(loc.hdf5, o.cols != obs_dim ? o.name : a.name) + "has " +
                  std::to_string(o.cols != obs_dim ? o.cols : a.cols) +
                  " columns, earlier episodes have " +
                  std::to_string(o.cols != obs_dim ? obs_dim : act_dim));
    }
    if (steps == 0) continue;
    torch::Tensor episode_obs = read_whole(file, loc.hdf5, o);
    obs.push_back(episode_obs.slice(0, 0, steps));
    next.push_back(episode_obs.slice(0, 1, steps + 1));
    act.push_back(read_whole(file, loc.hdf5, a));
    rew.push_back(read_whole(file, loc.hdf5, r));
    torch::Tensor terminal = read_whole(file, loc.hdf5, te);
    torch::Tensor timeout = read_whole(file, loc.hdf5, tr);
    if (!(terminal[steps - 1].item<bool>() || timeout[steps - 1].item<bool>()))
      timeout[steps - 1] = true;  // keep the episode boundary (see minari.h)
    term.push_back(terminal);
    tout.push_back(timeout);
  }
  if (obs.empty()) throw Error(loc.hdf5 + ": every episode is empty (0 steps)");
  Dataset ds;
  ds.observations = torch::cat(obs).contiguous();
  ds.next_observations = torch::cat(next).contiguous();
  ds.actions = torch::cat(act).contiguous();
  ds.rewards = torch::cat(rew).contiguous();
  ds.terminals = torch::cat(term).contiguous();
  ds.timeouts = torch::cat(tout).contiguous();
  ds.info = make_info(path, meta);
  ds.total_rows = ds.size();
  ds.check(path);
  return ds;
}

Dataset read_minari_shard(const std::string& path, MPI_Comm comm) {
  std::string error;
  Dataset ds;
  try {
    ds = read_minari(path);
  } catch (const Error& e) {
    error = e.what();
  }
  h5::agree_on_failure(comm, error);
  int rank = 0, ranks = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &ranks);
  int64_t n = ds.size();
  return ds.slice(n * rank / ranks, n * (rank + 1) / ranks);
}

}  // namespace relabel::io
