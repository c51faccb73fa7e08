#pragma once
// Small RAII and error helpers over the HDF5 C API, shared by the D4RL and Minari readers.
// Internal to io/: other modules use d4rl_file.h / minari.h.
#include <hdf5.h>

#include <cstdint>
#include <string>
#include <vector>

namespace relabel::io::h5 {

// Turns off HDF5's automatic printing of its error stack (once per process): failures become
// relabel::Error messages instead of pages of HDF5 traces on stderr.
void silence_errors();

// The innermost message of the current HDF5 error stack ("" when empty), e.g.
// "truncated file: eof = 4096, sblock->base_addr = 0, stored_eof = 80000".
std::string last_error();

// An owned hid_t closed with the matching H5?close.
class Handle {
 public:
  Handle() = default;
  explicit Handle(hid_t id) : id_(id) {}
  ~Handle() { reset(); }
  Handle(Handle&& o) noexcept : id_(o.id_) { o.id_ = H5I_INVALID_HID; }
  Handle& operator=(Handle&& o) noexcept {
    if (this != &o) {
      reset();
      id_ = o.id_;
      o.id_ = H5I_INVALID_HID;
    }
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  hid_t get() const { return id_; }
  operator hid_t() const { return id_; }
  bool valid() const { return id_ >= 0; }
  hid_t release() {
    hid_t id = id_;
    id_ = H5I_INVALID_HID;
    return id;
  }
  void reset();

 private:
  hid_t id_ = H5I_INVALID_HID;
};

bool link_exists(hid_t loc, const std::string& name);
// H5O_TYPE_GROUP / H5O_TYPE_DATASET / ... of an existing link.
H5O_type_t object_type(hid_t loc, const std::string& name);
std::vector<std::string> member_names(hid_t group);

std::vector<hsize_t> dims_of(hid_t dataset);

// Reads rows [begin, begin + count) of a rank-1 or rank-2 dataset as raw bytes in the memory
// type `mem_type` (row size = columns * H5Tget_size(mem_type)). count may be 0 (the rank still
// takes part in a collective transfer). Returns false on an HDF5 failure.
bool read_rows(hid_t dataset, hid_t mem_type, hid_t dxpl, int64_t begin, int64_t count, void* out);

// Root/group attributes; `found` is false when the attribute is absent. Strings may be
// fixed-length or variable-length; numbers any integer or float type.
bool read_string_attr(hid_t loc, const std::string& name, std::string* out);
bool read_double_attr(hid_t loc, const std::string& name, double* out);
bool attr_exists(hid_t loc, const std::string& name);
bool read_int_attr(hid_t loc, const std::string& name, int64_t* out);
void write_string_attr(hid_t loc, const std::string& name, const std::string& value);
void write_double_attr(hid_t loc, const std::string& name, double value);
void write_int_attr(hid_t loc, const std::string& name, int64_t value);

// The enum type h5py uses for numpy bool (int8 with FALSE = 0, TRUE = 1).
Handle bool_enum_type();

}  // namespace relabel::io::h5
