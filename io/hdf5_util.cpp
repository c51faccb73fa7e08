#include "io/hdf5_util.h"

#include <mutex>
#include <stdexcept>

namespace relabel::io::h5 {

void silence_errors() {
  static std::once_flag once;
  std::call_once(once, [] { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); });
  // The setting is per error stack; H5E_DEFAULT is per thread in thread-safe builds.
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

std::string last_error() {
  std::string message;
  auto visit = [](unsigned n, const H5E_error2_t* err, void* data) -> herr_t {
    auto* out = static_cast<std::string*>(data);
    if (n == 0 && err->desc) *out = err->desc;  // walking upward: entry 0 is the innermost
    return 0;
  };
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, visit, &message);
  H5Eclear2(H5E_DEFAULT);
  return message;
}

void Handle::reset() {
  if (id_ < 0) return;
  switch (H5Iget_type(id_)) {
    case H5I_FILE:
      H5Fclose(id_);
      break;
    case H5I_GROUP:
      H5Gclose(id_);
      break;
    case H5I_DATASET:
      H5Dclose(id_);
      break;
    case H5I_DATASPACE:
      H5Sclose(id_);
      break;
    case H5I_DATATYPE:
      H5Tclose(id_);
      break;
    case H5I_ATTR:
      H5Aclose(id_);
      break;
    case H5I_GENPROP_LST:
      H5Pclose(id_);
      break;
    default:
      break;
  }
  id_ = H5I_INVALID_HID;
}

bool link_exists(hid_t loc, const std::string& name) {
  // Check each path component: H5Lexists fails (rather than returning 0) on a missing parent.
  std::string prefix;
  size_t start = 0;
  while (true) {
    size_t slash = name.find('/', start);
    prefix = name.substr(0, slash);
    if (H5Lexists(loc, prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    if (slash == std::string::npos) return true;
    start = slash + 1;
  }
}

H5O_type_t object_type(hid_t loc, const std::string& name) {
  H5O_info_t info;
  if (H5Oget_info_by_name2(loc, name.c_str(), &info, H5O_INFO_BASIC, H5P_DEFAULT) < 0)
    return H5O_TYPE_UNKNOWN;
  return info.type;
}

std::vector<std::string> member_names(hid_t group) {
  std::vector<std::string> names;
  auto visit = [](hid_t, const char* name, const H5L_info_t*, void* data) -> herr_t {
    static_cast<std::vector<std::string>*>(data)->emplace_back(name);
    return 0;
  };
  H5Literate(group, H5_INDEX_NAME, H5_ITER_INC, nullptr, visit, &names);
  return names;
}

std::vector<hsize_t> dims_of(hid_t dataset) {
  Handle space(H5Dget_space(dataset));
  if (!space.valid()) return {};
  int rank = H5Sget_simple_extent_ndims(space);
  if (rank < 0) return {};
  std::vector<hsize_t> dims(static_cast<size_t>(rank));
  H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  return dims;
}

bool read_rows(hid_t dataset, hid_t mem_type, hid_t dxpl, int64_t begin, int64_t count, void* out) {
  Handle file_space(H5Dget_space(dataset));
  if (!file_space.valid()) return false;
  int rank = H5Sget_simple_extent_ndims(file_space);
  if (rank < 1 || rank > 2) return false;
  hsize_t dims[2] = {0, 1};
  H5Sget_simple_extent_dims(file_space, dims, nullptr);
  hsize_t start[2] = {static_cast<hsize_t>(begin), 0};
  hsize_t cnt[2] = {static_cast<hsize_t>(count), rank == 2 ? dims[1] : 1};
  hsize_t mem_dims[2] = {cnt[0] > 0 ? cnt[0] : 1, cnt[1]};
  Handle mem_space(H5Screate_simple(rank, mem_dims, nullptr));
  if (count > 0) {
    if (H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start, nullptr, cnt, nullptr) < 0)
      return false;
  } else {
    H5Sselect_none(file_space);
    H5Sselect_none(mem_space);
  }
  return H5Dread(dataset, mem_type, mem_space, file_space, dxpl, out) >= 0;
}

namespace {

Handle open_attr(hid_t loc, const std::string& name) {
  if (H5Aexists(loc, name.c_str()) <= 0) return Handle();
  return Handle(H5Aopen(loc, name.c_str(), H5P_DEFAULT));
}

bool scalar_attr(hid_t attr) {
  Handle space(H5Aget_space(attr));
  return space.valid() && H5Sget_simple_extent_npoints(space) == 1;
}

}  // namespace

bool read_string_attr(hid_t loc, const std::string& name, std::string* out) {
  Handle attr = open_attr(loc, name);
  if (!attr.valid() || !scalar_attr(attr)) return false;
  Handle type(H5Aget_type(attr));
  if (H5Tget_class(type) != H5T_STRING) return false;
  Handle mem(H5Tcopy(H5T_C_S1));
  H5Tset_cset(mem, H5Tget_cset(type));
  if (H5Tis_variable_str(type) > 0) {
    H5Tset_size(mem, H5T_VARIABLE);
    char* value = nullptr;
    if (H5Aread(attr, mem, &value) < 0) return false;
    *out = value ? value : "";
    H5free_memory(value);
    return true;
  }
  size_t size = H5Tget_size(type);
  H5Tset_size(mem, size + 1);
  H5Tset_strpad(mem, H5T_STR_NULLTERM);
  std::string buf(size + 1, '\0');
  if (H5Aread(attr, mem, buf.data()) < 0) return false;
  *out = std::string(buf.c_str());
  return true;
}

bool read_double_attr(hid_t loc, const std::string& name, double* out) {
  Handle attr = open_attr(loc, name);
  if (!attr.valid() || !scalar_attr(attr)) return false;
  Handle type(H5Aget_type(attr));
  H5T_class_t cls = H5Tget_class(type);
  if (cls != H5T_FLOAT && cls != H5T_INTEGER) return false;
  return H5Aread(attr, H5T_NATIVE_DOUBLE, out) >= 0;
}

bool attr_exists(hid_t loc, const std::string& name) { return H5Aexists(loc, name.c_str()) > 0; }

bool read_int_attr(hid_t loc, const std::string& name, int64_t* out) {
  Handle attr = open_attr(loc, name);
  if (!attr.valid() || !scalar_attr(attr)) return false;
  Handle type(H5Aget_type(attr));
  if (H5Tget_class(type) == H5T_FLOAT) {
    double v;
    if (H5Aread(attr, H5T_NATIVE_DOUBLE, &v) < 0) return false;
    *out = static_cast<int64_t>(v);
    return true;
  }
  if (H5Tget_class(type) != H5T_INTEGER) return false;
  return H5Aread(attr, H5T_NATIVE_INT64, out) >= 0;
}

namespace {

void write_attr(hid_t loc, const std::string& name, hid_t type, const void* value) {
  if (H5Aexists(loc, name.c_str()) > 0) H5Adelete(loc, name.c_str());
  Handle space(H5Screate(H5S_SCALAR));
  Handle attr(H5Acreate2(loc, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT));
  if (!attr.valid() || H5Awrite(attr, type, value) < 0)
    throw std::runtime_error("cannot write attribute '" + name + "': " + last_error());
}

}  // namespace

void write_string_attr(hid_t loc, const std::string& name, const std::string& value) {
  // Variable-length UTF-8: h5py returns it as str (fixed-length would come back as bytes).
  Handle type(H5Tcopy(H5T_C_S1));
  H5Tset_size(type, H5T_VARIABLE);
  H5Tset_cset(type, H5T_CSET_UTF8);
  const char* ptr = value.c_str();
  write_attr(loc, name, type, &ptr);
}

void write_double_attr(hid_t loc, const std::string& name, double value) {
  write_attr(loc, name, H5T_NATIVE_DOUBLE, &value);
}

void write_int_attr(hid_t loc, const std::string& name, int64_t value) {
  write_attr(loc, name, H5T_NATIVE_INT64, &value);
}

Handle bool_enum_type() {
  Handle type(H5Tenum_create(H5T_NATIVE_INT8));
  int8_t no = 0, yes = 1;
  H5Tenum_insert(type, "FALSE", &no);
  H5Tenum_insert(type, "TRUE", &yes);
  return type;
}

}  // namespace relabel::io::h5
