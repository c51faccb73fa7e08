// D4RL-layout readers: validation of the layout, serial and MPI-IO sharded column reads, the
// reconstruction of next_observations for files without them (see d4rl_file.h for the rules).
#include <sys/stat.h>
#include <torch/torch.h>

#include <climits>
#include <set>

#include "engine/core/error.h"
#include "io/d4rl_file.h"
#include "io/hdf5_util.h"

namespace relabel::io {
namespace {

enum class Kind { kFloat32, kFloat64, kEnum, kInteger, kFloat };  // last three: flag columns

struct Column {
  std::string name;
  bool present = false;
  int64_t rows = 0;
  int64_t cols = 1;  // 1 for per-row columns, after squeezing (N, 1)
  bool matrix = false;
  Kind kind = Kind::kFloat32;
  size_t type_size = 0;
  bool is_signed = true;
};

const char* const kFloatColumns[] = {"observations", "actions", "next_observations", "rewards"};
const char* const kFlagColumns[] = {"terminals", "timeouts"};

bool is_flag(const std::string& name) { return name == "terminals" || name == "timeouts"; }

std::string at(const std::string& path, const std::string& name) {
  return path + ": dataset '" + name + "': ";
}

std::string type_name(hid_t type) {
  size_t bits = H5Tget_size(type) * 8;
  switch (H5Tget_class(type)) {
    case H5T_INTEGER:
      return (H5Tget_sign(type) == H5T_SGN_NONE ? "uint" : "int") + std::to_string(bits);
    case H5T_FLOAT:
      return "float" + std::to_string(bits);
    case H5T_STRING:
      return "string";
    case H5T_ENUM:
      return "enum";
    case H5T_COMPOUND:
      return "compound";
    case H5T_BITFIELD:
      return "bitfield";
    case H5T_OPAQUE:
      return "opaque";
    case H5T_ARRAY:
      return "array";
    case H5T_VLEN:
      return "vlen";
    default:
      return "an unsupported type";
  }
}

// Validates one column's presence, kind, rank and dtype (not its row count).
Column inspect(hid_t file, const std::string& path, const std::string& name, bool required) {
  Column c;
  c.name = name;
  if (!h5::link_exists(file, name)) {
    if (required) throw Error(at(path, name) + "is missing");
    return c;
  }
  H5O_type_t object = h5::object_type(file, name);
  if (object == H5O_TYPE_UNKNOWN) {
    std::string detail = h5::last_error();
    throw Error(at(path, name) + "cannot be read (truncated or corrupt file)" +
                (detail.empty() ? "" : ": " + detail));
  }
  if (object != H5O_TYPE_DATASET)
    throw Error(at(path, name) +
                "is a group, expected a dataset (dict observations are not "
                "supported)");
  h5::Handle dset(H5Dopen2(file, name.c_str(), H5P_DEFAULT));
  if (!dset.valid()) throw Error(at(path, name) + "cannot be opened: " + h5::last_error());
  std::vector<hsize_t> dims = h5::dims_of(dset);
  bool matrix = name == "observations" || name == "actions" || name == "next_observations";
  bool squeezable = dims.size() == 2 && dims[1] == 1;
  if (matrix ? dims.size() != 2 : !(dims.size() == 1 || squeezable)) {
    throw Error(at(path, name) + "has rank " + std::to_string(dims.size()) + ", expected " +
                (matrix ? "2 (rows, dim)" : "1 (rows) or (rows, 1)") +
                (matrix && dims.size() > 2 ? " (image observations are not supported)" : ""));
  }
  c.present = true;
  c.matrix = matrix;
  c.rows = static_cast<int64_t>(dims[0]);
  c.cols = matrix ? static_cast<int64_t>(dims[1]) : 1;
  h5::Handle type(H5Dget_type(dset));
  H5T_class_t cls = H5Tget_class(type);
  c.type_size = H5Tget_size(type);
  if (!is_flag(name)) {
    if (cls != H5T_FLOAT || (c.type_size != 4 && c.type_size != 8))
      throw Error(at(path, name) + "has dtype " + type_name(type) +
                  ", expected float32 (float64 is converted)");
    c.kind = c.type_size == 4 ? Kind::kFloat32 : Kind::kFloat64;
  } else if (cls == H5T_ENUM) {
    h5::Handle base(H5Tget_super(type));
    if (H5Tget_class(base) != H5T_INTEGER || c.type_size > 8)
      throw Error(at(path, name) + "has an enum dtype over " + type_name(base) + ", expected bool");
    c.kind = Kind::kEnum;
    c.is_signed = H5Tget_sign(base) != H5T_SGN_NONE;
  } else if (cls == H5T_INTEGER) {
    c.kind = Kind::kInteger;
  } else if (cls == H5T_FLOAT) {
    c.kind = Kind::kFloat;
  } else {
    throw Error(at(path, name) + "has dtype " + type_name(type) +
                ", expected bool (or integer 0/1)");
  }
  return c;
}

struct Layout {
  int64_t rows = 0;
  std::map<std::string, Column> columns;  // the six D4RL columns, present or not
  const Column& operator[](const std::string& name) const { return columns.at(name); }
  bool has(const std::string& name) const { return columns.at(name).present; }
};

Layout inspect_layout(hid_t file, const std::string& path, bool require_rewards) {
  Layout layout;
  for (const char* name : kFloatColumns) {
    bool required =
        std::string(name) == "rewards" ? require_rewards : std::string(name) != "next_observations";
    layout.columns[name] = inspect(file, path, name, required);
  }
  for (const char* name : kFlagColumns) layout.columns[name] = inspect(file, path, name, true);
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
  h5::read_double_attr(file, "ref_min_score", &info.ref_min_score);
  h5::read_double_attr(file, "ref_max_score", &info.ref_max_score);
  h5::read_int_attr(file, "seed", &info.seed);
  h5::read_string_attr(file, "relabel_version", &info.relabel_version);
  info.source = path;
  return info;
}

h5::Handle open_file(const std::string& path, MPI_Comm comm) {
  h5::silence_errors();
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) throw Error(path + ": no such file");
  if (S_ISDIR(st.st_mode)) throw Error(path + ": is a directory, expected an HDF5 file");
  htri_t is_hdf5 = H5Fis_hdf5(path.c_str());
  if (is_hdf5 == 0) throw Error(path + ": not an HDF5 file");
  h5::Handle fapl(H5Pcreate(H5P_FILE_ACCESS));
  if (comm != MPI_COMM_NULL) H5Pset_fapl_mpio(fapl, comm, MPI_INFO_NULL);
  h5::Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl));
  if (!file.valid()) {
    std::string detail = h5::last_error();
    throw Error(path + ": cannot open as HDF5 (truncated or corrupt file)" +
                (detail.empty() ? "" : ": " + detail));
  }
  return file;
}

// Every rank of `comm` learns the failure of the lowest failing rank and throws it, so no rank
// is left waiting in a later collective. Serial (MPI_COMM_NULL): throws the local failure.
void agree_on_failure(MPI_Comm comm, const std::string& local_error) {
  if (comm == MPI_COMM_NULL) {
    if (!local_error.empty()) throw Error(local_error);
    return;
  }
  int rank = 0;
  MPI_Comm_rank(comm, &rank);
  int mine = local_error.empty() ? INT_MAX : rank, first = INT_MAX;
  MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, comm);
  if (first == INT_MAX) return;
  std::string message = local_error;
  int length = static_cast<int>(message.size());
  MPI_Bcast(&length, 1, MPI_INT, first, comm);
  message.resize(static_cast<size_t>(length));
  MPI_Bcast(message.data(), length, MPI_CHAR, first, comm);
  throw Error(message);
}

torch::ScalarType int_type(size_t size, bool is_signed) {
  switch (size) {
    case 1:
      return is_signed ? torch::kChar : torch::kByte;
    case 2:
      return torch::kShort;  // unsigned 16/32/64-bit: 0/1 read the same as signed
    case 4:
      return torch::kInt;
    default:
      return torch::kLong;
  }
}

// Reads rows [begin, begin + count) of column `c`; float columns come back float32, flags as
// int64/double/enum-base integers (checked later). Sets `error` (keeps going) on failure so a
// collective transfer is never abandoned by one rank.
torch::Tensor read_column(hid_t file, const std::string& path, const Column& c, hid_t dxpl,
                          int64_t begin, int64_t count, std::string* error) {
  std::vector<int64_t> shape = {count};
  if (c.matrix) shape.push_back(c.cols);
  torch::Tensor out;
  hid_t mem_type = H5T_NATIVE_FLOAT;
  h5::Handle owned_type;
  switch (c.kind) {
    case Kind::kFloat32:
      out = torch::empty(shape, torch::kFloat);
      break;
    case Kind::kFloat64:
      out = torch::empty(shape, torch::kDouble);
      mem_type = H5T_NATIVE_DOUBLE;
      break;
    case Kind::kInteger:
      out = torch::empty(shape, torch::kLong);
      mem_type = H5T_NATIVE_INT64;
      break;
    case Kind::kFloat:
      out = torch::empty(shape, torch::kDouble);
      mem_type = H5T_NATIVE_DOUBLE;
      break;
    case Kind::kEnum: {
      // HDF5 converts enums only to enums: read the native enum and reinterpret its integers.
      out = torch::empty(shape, int_type(c.type_size, c.is_signed));
      break;
    }
  }
  h5::Handle dset(H5Dopen2(file, c.name.c_str(), H5P_DEFAULT));
  if (c.kind == Kind::kEnum && dset.valid()) {
    h5::Handle file_type(H5Dget_type(dset));
    owned_type = h5::Handle(H5Tget_native_type(file_type, H5T_DIR_ASCEND));
    mem_type = owned_type.get();
  }
  if (!dset.valid() || !h5::read_rows(dset, mem_type, dxpl, begin, count, out.data_ptr())) {
    if (error->empty()) {
      std::string detail = h5::last_error();
      *error = at(path, c.name) + "read of rows [" + std::to_string(begin) + ", " +
               std::to_string(begin + count) + ") failed (truncated or corrupt file)" +
               (detail.empty() ? "" : ": " + detail);
    }
  }
  if (c.kind == Kind::kFloat64) out = out.to(torch::kFloat);  // overflow becomes Inf: refused
  return out;
}

// First problem in a float column (NaN/Inf) or flag column (not 0/1) among local rows, as a
// message with the global row number `first_row + i`; "" when clean.
std::string check_values(const std::string& path, const Column& c, const torch::Tensor& t,
                         int64_t first_row) {
  if (t.numel() == 0) return "";
  if (is_flag(c.name)) {
    torch::Tensor bad = (t != 0) & (t != 1);
    if (!bad.any().item<bool>()) return "";
    int64_t i = bad.nonzero()[0][0].item<int64_t>();
    return at(path, c.name) + "row " + std::to_string(first_row + i) + " has value " +
           std::to_string(t[i].item<double>()) + ", expected 0 or 1";
  }
  torch::Tensor finite = torch::isfinite(t);
  if (finite.all().item<bool>()) return "";
  torch::Tensor bad_rows = c.matrix ? (~finite).any(1) : ~finite;
  int64_t i = bad_rows.nonzero()[0][0].item<int64_t>();
  torch::Tensor row = t[i];
  bool nan = torch::isnan(row).any().item<bool>();
  return at(path, c.name) + "row " + std::to_string(first_row + i) + " contains " +
         (nan ? "NaN" : "Inf") +
         (c.kind == Kind::kFloat64 && !nan ? " (after float32 conversion)" : "");
}

struct Loaded {
  std::map<std::string, torch::Tensor> columns;
  int64_t row_offset = 0;
  int64_t total_rows = 0;
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
  h5::Handle file = open_file(path, comm);
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
  if (comm != MPI_COMM_NULL) H5Pset_dxpl_mpio(dxpl, H5FD_MPIO_COLLECTIVE);
  std::string error;
  std::map<std::string, torch::Tensor> raw;
  // Same order on every rank: one collective transfer per column.
  for (const auto& [name, c] : layout.columns) {
    if (!c.present || !wanted.count(name)) continue;
    raw[name] = read_column(file, path, c, dxpl, begin, rebuild ? extended : count, &error);
  }
  if (error.empty()) {
    for (const auto& [name, t] : raw) {
      error = check_values(path, layout[name], t, begin);
      if (!error.empty()) break;
    }
  }
  agree_on_failure(comm, error);

  Loaded out;
  out.info = read_info(file, path);
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
  h5::Handle file = open_file(path, MPI_COMM_NULL);
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
