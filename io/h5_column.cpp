#include "io/h5_column.h"

#include <sys/stat.h>
#include <torch/torch.h>

#include <climits>

#include "core/error.h"

namespace relabel::io::h5 {
namespace {

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

// The first filter in `dset`'s pipeline that this HDF5 library cannot apply, as "'NAME' (filter
// id N)"; "" when all are available. h5py's lzf is such a filter: h5py registers it in its own
// process only, so outside it every chunk read fails with HDF5's generic "can't read data",
// which looks like a damaged file.
std::string unavailable_filter(hid_t dset) {
  Handle plist(H5Dget_create_plist(dset));
  if (!plist.valid()) return "";
  const int n = H5Pget_nfilters(plist);
  for (int i = 0; i < n; ++i) {
    unsigned flags = 0, config = 0;
    size_t values = 0;
    char name[128] = {0};
    const H5Z_filter_t id = H5Pget_filter2(plist, static_cast<unsigned>(i), &flags, &values,
                                           nullptr, sizeof name, name, &config);
    if (id < 0 || H5Zfilter_avail(id) > 0) continue;
    const std::string number = "filter id " + std::to_string(id);
    return name[0] ? "'" + std::string(name) + "' (" + number + ")" : number;
  }
  return "";
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

}  // namespace

std::string at(const std::string& path, const std::string& name) {
  return path + ": dataset '" + name + "': ";
}

Handle open_file(const std::string& path, MPI_Comm comm) {
  silence_errors();
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) throw Error(path + ": no such file");
  if (S_ISDIR(st.st_mode)) throw Error(path + ": is a directory, expected an HDF5 file");
  htri_t is_hdf5 = H5Fis_hdf5(path.c_str());
  if (is_hdf5 == 0) throw Error(path + ": not an HDF5 file");
  Handle fapl(H5Pcreate(H5P_FILE_ACCESS));
  if (comm != MPI_COMM_NULL) H5Pset_fapl_mpio(fapl, comm, MPI_INFO_NULL);
  Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl));
  if (!file.valid()) {
    std::string detail = last_error();
    throw Error(path + ": cannot open as HDF5 (truncated or corrupt file)" +
                (detail.empty() ? "" : ": " + detail));
  }
  return file;
}

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

// Validates one column's presence, kind, rank and dtype (not its row count).
Column inspect_column(hid_t file, const std::string& path, const std::string& name, Role role,
                      bool required) {
  Column c;
  c.name = name;
  if (!link_exists(file, name)) {
    if (required) throw Error(at(path, name) + "is missing");
    return c;
  }
  H5O_type_t object = object_type(file, name);
  if (object == H5O_TYPE_UNKNOWN) {
    std::string detail = last_error();
    throw Error(at(path, name) + "cannot be read (truncated or corrupt file)" +
                (detail.empty() ? "" : ": " + detail));
  }
  if (object != H5O_TYPE_DATASET)
    throw Error(at(path, name) +
                "is a group, expected a dataset (dict observations are not "
                "supported)");
  Handle dset(H5Dopen2(file, name.c_str(), H5P_DEFAULT));
  if (!dset.valid()) throw Error(at(path, name) + "cannot be opened: " + last_error());
  if (std::string filter = unavailable_filter(dset); !filter.empty())
    throw Error(at(path, name) + "is compressed with the HDF5 filter " + filter +
                ", which this build cannot read; rewrite the file with gzip or no compression "
                "(h5py: compression=\"gzip\", or no compression argument)");
  std::vector<hsize_t> dims = dims_of(dset);
  const bool matrix = role == Role::kMatrix;
  bool squeezable = dims.size() == 2 && dims[1] == 1;
  if (matrix ? dims.size() != 2 : !(dims.size() == 1 || squeezable)) {
    throw Error(at(path, name) + "has rank " + std::to_string(dims.size()) + ", expected " +
                (matrix ? "2 (rows, dim)" : "1 (rows) or (rows, 1)") +
                (matrix && dims.size() > 2 ? " (image observations are not supported)" : ""));
  }
  c.present = true;
  c.role = role;
  c.rows = static_cast<int64_t>(dims[0]);
  c.cols = matrix ? static_cast<int64_t>(dims[1]) : 1;
  Handle type(H5Dget_type(dset));
  H5T_class_t cls = H5Tget_class(type);
  c.type_size = H5Tget_size(type);
  if (role != Role::kFlag) {
    if (cls != H5T_FLOAT || (c.type_size != 4 && c.type_size != 8))
      throw Error(at(path, name) + "has dtype " + type_name(type) +
                  ", expected float32 (float64 is converted)");
    c.kind = c.type_size == 4 ? Kind::kFloat32 : Kind::kFloat64;
  } else if (cls == H5T_ENUM) {
    Handle base(H5Tget_super(type));
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

torch::Tensor read_column(hid_t file, const std::string& path, const Column& c, hid_t dxpl,
                          int64_t begin, int64_t count, std::string* error) {
  std::vector<int64_t> shape = {count};
  if (c.role == Role::kMatrix) shape.push_back(c.cols);
  torch::Tensor out;
  hid_t mem_type = H5T_NATIVE_FLOAT;
  Handle owned_type;
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
  Handle dset(H5Dopen2(file, c.name.c_str(), H5P_DEFAULT));
  if (c.kind == Kind::kEnum && dset.valid()) {
    Handle file_type(H5Dget_type(dset));
    owned_type = Handle(H5Tget_native_type(file_type, H5T_DIR_ASCEND));
    mem_type = owned_type.get();
  }
  if (!dset.valid() || !read_rows(dset, mem_type, dxpl, begin, count, out.data_ptr())) {
    if (error->empty()) {
      std::string detail = last_error();
      *error = at(path, c.name) + "read of rows [" + std::to_string(begin) + ", " +
               std::to_string(begin + count) + ") failed (truncated or corrupt file)" +
               (detail.empty() ? "" : ": " + detail);
    }
  }
  if (c.kind == Kind::kFloat64) out = out.to(torch::kFloat);  // overflow becomes Inf: refused
  return out;
}

std::string check_values(const std::string& path, const Column& c, const torch::Tensor& t,
                         int64_t first_row) {
  if (t.numel() == 0) return "";
  if (c.role == Role::kFlag) {
    torch::Tensor bad = (t != 0) & (t != 1);
    if (!bad.any().item<bool>()) return "";
    int64_t i = bad.nonzero()[0][0].item<int64_t>();
    return at(path, c.name) + "row " + std::to_string(first_row + i) + " has value " +
           std::to_string(t[i].item<double>()) + ", expected 0 or 1";
  }
  torch::Tensor finite = torch::isfinite(t);
  if (finite.all().item<bool>()) return "";
  torch::Tensor bad_rows = c.role == Role::kMatrix ? (~finite).any(1) : ~finite;
  int64_t i = bad_rows.nonzero()[0][0].item<int64_t>();
  torch::Tensor row = t[i];
  bool nan = torch::isnan(row).any().item<bool>();
  return at(path, c.name) + "row " + std::to_string(first_row + i) + " contains " +
         (nan ? "NaN" : "Inf") +
         (c.kind == Kind::kFloat64 && !nan ? " (after float32 conversion)" : "");
}

}  // namespace relabel::io::h5
