// D4RL-layout readers: validation of the layout, serial and MPI-IO sharded column reads, the
// reconstruction of next_observations for files without them (see d4rl_file.h for the rules).
#include <torch/torch.h>

#include <cmath>
#include <set>

#include "core/error.h"
#include "io/d4rl_file.h"
#include "io/dataset_checksum.h"
#include "io/dataset_identity.h"
#include "io/h5_column.h"

namespace relabel::io {
namespace {

using h5::at;
using h5::Column;

const char* const kFloatColumns[] = {"observations", "actions", "next_observations", "rewards"};
const char* const kFlagColumns[] = {"terminals", "timeouts"};

bool is_flag(const std::string& name) { return name == "terminals" || name == "timeouts"; }

struct Layout {
  int64_t rows = 0;
  std::map<std::string, Column> columns;  // the six D4RL columns, present or not
  const Column& operator[](const std::string& name) const { return columns.at(name); }
  bool has(const std::string& name) const { return columns.at(name).present; }
};

Layout inspect_layout(hid_t file, const std::string& path, bool require_rewards) {
  Layout layout;
  for (const char* name : kFloatColumns) {
    std::string n = name;
    bool required = n == "rewards" ? require_rewards : n != "next_observations";
    h5::Role role = n == "rewards" ? h5::Role::kVector : h5::Role::kMatrix;
    layout.columns[name] = h5::inspect_column(file, path, name, role, required);
  }
  for (const char* name : kFlagColumns)
    layout.columns[name] = h5::inspect_column(file, path, name, h5::Role::kFlag, true);
  const Column& obs = layout["observations"];
  layout.rows = obs.rows;
  if (obs.rows == 0) throw Error(at(path, "observations") + "has 0 rows (empty dataset)");
  if (obs.cols == 0) throw Error(at(path, "observations") + "has 0 columns");
  if (layout["actions"].cols == 0) throw Error(at(path, "actions") + "has 0 columns");
  for (const auto& [name, c] : layout.columns) {
    if (!c.present) continue;
    if (c.rows != obs.rows)
      throw Error(at(path, name) + "has " + std::to_string(c.rows) + " rows, 'observations' has " +
                  std::to_string(obs.rows));
  }
  const Column& next = layout["next_observations"];
  if (next.present && next.cols != obs.cols)
    throw Error(at(path, "next_observations") + "has " + std::to_string(next.cols) +
                " columns, 'observations' has " + std::to_string(obs.cols));
  return layout;
}

DatasetInfo read_info(hid_t file, const std::string& path) {
  DatasetInfo info;
  h5::read_string_attr(file, "env", &info.env);
  h5::read_string_attr(file, "generator", &info.generator);
  // Reference returns normalise every score of a run: an attribute that is there but not a
  // number (or infinite) is a damaged file, not an absent value (the registry's would be used).
  // NaN is "unset": relabel's writer stores it for a file without references.
  for (auto [name, out] : {std::pair{"ref_min_score", &info.ref_min_score},
                           std::pair{"ref_max_score", &info.ref_max_score}}) {
    if (!h5::attr_exists(file, name)) continue;
    if (!h5::read_double_attr(file, name, out) || std::isinf(*out))
      throw Error(path + ": attribute " + name +
                  " must be a number (a reference return; NaN or absent: unset)");
  }
  h5::read_int_attr(file, "seed", &info.seed);
  h5::read_string_attr(file, "relabel_version", &info.relabel_version);
  info.source = path;
  return info;
}

struct Loaded {
  std::map<std::string, torch::Tensor> columns;
  int64_t row_offset = 0;
  int64_t total_rows = 0;
  uint64_t checksum = 0;  // this rank's part (io/dataset_identity.h)
  DatasetInfo info;
};

// Reads `wanted` columns of this rank's rows; comm == MPI_COMM_NULL reads everything serially.
Loaded load(const std::string& path, MPI_Comm comm, std::set<std::string> wanted,
            const D4rlReadOptions& options) {
  int rank = 0, ranks = 1;
  if (comm != MPI_COMM_NULL) {
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &ranks);
  }
  h5::Handle file = h5::open_file(path, comm);
  Layout layout = inspect_layout(file, path, options.require_rewards);
  for (const std::string& name : wanted)
    if (!layout.columns.count(name))
      throw Error(at(path, name) +
                  "is not a D4RL column (observations, actions, rewards, "
                  "next_observations, terminals, timeouts)");
  if (!layout.has("rewards")) wanted.erase("rewards");
  const int64_t n = layout.rows;
  const int64_t begin = n * rank / ranks, end = n * (rank + 1) / ranks, count = end - begin;
  const bool rebuild = !layout.has("next_observations");
  // Without next_observations a row's fate depends on its successor: read one row past the end.
  const int64_t extended = rebuild && count > 0 && end < n ? count + 1 : count;
  if (rebuild) {
    wanted.insert({"terminals", "timeouts"});
    if (wanted.count("next_observations")) wanted.insert("observations");
  }

  h5::Handle dxpl(H5Pcreate(H5P_DATASET_XFER));
  if (comm != MPI_COMM_NULL)
    H5Pset_dxpl_mpio(dxpl, options.collective ? H5FD_MPIO_COLLECTIVE : H5FD_MPIO_INDEPENDENT);
  std::string error;
  std::map<std::string, torch::Tensor> raw;
  // Same order on every rank: one collective transfer per column.
  for (const auto& [name, c] : layout.columns) {
    if (!c.present || !wanted.count(name)) continue;
    raw[name] = h5::read_column(file, path, c, dxpl, begin, rebuild ? extended : count, &error);
  }
  if (error.empty()) {
    for (const auto& [name, t] : raw) {
      error = h5::check_values(path, layout[name], t, begin);
      if (!error.empty()) break;
    }
  }
  h5::agree_on_failure(comm, error);

  Loaded out;
  out.info = read_info(file, path);
  // The content checksum, folded over the bytes as read (no second pass over the file): this
  // rank's own rows of every column, numbered globally, so the ranks' parts add up.
  for (const auto& [name, t] : raw)
    out.checksum += column_checksum(name, t.slice(0, 0, count), begin);
  auto local = [&](const std::string& name) { return raw.at(name).slice(0, 0, count); };
  int64_t kept = count;
  torch::Tensor keep;
  if (rebuild) {
    torch::Tensor term = raw.at("terminals").to(torch::kBool);
    torch::Tensor tout = raw.at("timeouts").to(torch::kBool);
    torch::Tensor global = torch::arange(begin, begin + extended, torch::kLong);
    // A non-terminal row without a successor in its episode is dropped (see d4rl_file.h).
    torch::Tensor dropped = ~term & (tout | (global == n - 1));
    torch::Tensor successor_dropped = torch::zeros({count}, torch::kBool);
    if (extended > 1) successor_dropped.slice(0, 0, extended - 1) = dropped.slice(0, 1, extended);
    keep = ~dropped.slice(0, 0, count);
    torch::Tensor new_end = keep & ~term.slice(0, 0, count) & successor_dropped;
    raw["timeouts"] = tout.slice(0, 0, count) | new_end;
    raw["terminals"] = term;
    if (wanted.count("next_observations")) {
      torch::Tensor obs = raw.at("observations");
      torch::Tensor next_index = torch::clamp_max(torch::arange(1, count + 1), extended - 1);
      raw["next_observations"] = obs.index_select(0, next_index);
    }
    kept = keep.sum().item<int64_t>();
  }
  for (const std::string& name : wanted) {
    torch::Tensor t = name == "next_observations" && rebuild ? raw.at(name) : local(name);
    if (is_flag(name)) t = t.to(torch::kBool);
    if (name == "rewards") t = t.reshape({count});
    if (rebuild) t = t.index({keep});
    out.columns[name] = t.contiguous();
  }
  out.total_rows = kept;
  if (comm != MPI_COMM_NULL) {
    int64_t offset = 0, total = 0;
    MPI_Exscan(&kept, &offset, 1, MPI_INT64_T, MPI_SUM, comm);
    MPI_Allreduce(&kept, &total, 1, MPI_INT64_T, MPI_SUM, comm);
    out.row_offset = rank == 0 ? 0 : offset;  // MPI_Exscan leaves rank 0's result undefined
    out.total_rows = total;
  }
  return out;
}

const std::set<std::string> kAllColumns = {"observations",      "actions",   "rewards",
                                           "next_observations", "terminals", "timeouts"};

Dataset to_dataset(Loaded loaded, const std::string& path) {
  Dataset ds;
  auto take = [&](const char* name) {
    auto it = loaded.columns.find(name);
    return it == loaded.columns.end() ? torch::Tensor() : it->second;
  };
  ds.observations = take("observations");
  ds.actions = take("actions");
  ds.rewards = take("rewards");
  ds.next_observations = take("next_observations");
  ds.terminals = take("terminals");
  ds.timeouts = take("timeouts");
  ds.info = std::move(loaded.info);
  ds.row_offset = loaded.row_offset;
  ds.total_rows = loaded.total_rows;
  ds.checksum = loaded.checksum;
  ds.check(path);
  return ds;
}

}  // namespace

Dataset read_d4rl(const std::string& path, const D4rlReadOptions& options) {
  Dataset ds = to_dataset(load(path, MPI_COMM_NULL, kAllColumns, options), path);
  if (ds.size() == 0)
    throw Error(at(path, "observations") +
                "no transitions left (every row "
                "ends an episode)");
  return ds;
}

Dataset read_d4rl_shard(const std::string& path, MPI_Comm comm, const D4rlReadOptions& options) {
  Dataset ds = to_dataset(load(path, comm, kAllColumns, options), path);
  if (ds.total_rows == 0)
    throw Error(at(path, "observations") +
                "no transitions left (every "
                "row ends an episode)");
  return ds;
}

D4rlFileInfo read_d4rl_info(const std::string& path) {
  h5::Handle file = h5::open_file(path, MPI_COMM_NULL);
  Layout layout = inspect_layout(file, path, /*require_rewards=*/false);
  D4rlFileInfo info;
  info.info = read_info(file, path);
  info.rows = layout.rows;
  info.obs_dim = layout["observations"].cols;
  info.act_dim = layout["actions"].cols;
  info.has_rewards = layout.has("rewards");
  info.has_next_observations = layout.has("next_observations");
  return info;
}

std::map<std::string, torch::Tensor> read_d4rl_columns(const std::string& path,
                                                       const std::vector<std::string>& names) {
  std::set<std::string> wanted(names.begin(), names.end());
  D4rlReadOptions options;
  options.require_rewards = wanted.count("rewards") > 0;
  Loaded loaded = load(path, MPI_COMM_NULL, wanted, options);
  std::map<std::string, torch::Tensor> out;
  for (const std::string& name : names) out[name] = loaded.columns.at(name);
  return out;
}

}  // namespace relabel::io
