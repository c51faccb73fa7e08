#pragma once
// Validated row-oriented HDF5 columns, shared by the D4RL and Minari readers (internal to io/):
// inspect a dataset's rank and dtype, read a row range (serial or collective), check values.
#include <hdf5.h>
#include <mpi.h>
#include <torch/types.h>

#include <string>

#include "io/hdf5_util.h"

namespace relabel::io::h5 {

// kMatrix: (rows, dim) float; kVector: (rows,) or (rows, 1) float; kFlag: (rows,) or (rows, 1)
// holding 0/1 as bool (h5py's enum), any integer type or float.
enum class Role { kMatrix, kVector, kFlag };
enum class Kind { kFloat32, kFloat64, kEnum, kInteger, kFloat };

struct Column {
  std::string name;  // path of the dataset inside the file
  bool present = false;
  Role role = Role::kMatrix;
  int64_t rows = 0;
  int64_t cols = 1;  // 1 for kVector / kFlag
  Kind kind = Kind::kFloat32;
  size_t type_size = 0;
  bool is_signed = true;
};

// "FILE: dataset 'NAME': " — the prefix of every column error.
std::string at(const std::string& path, const std::string& name);

// Opens an HDF5 file read-only (through MPI-IO on `comm` unless MPI_COMM_NULL) or throws a
// relabel::Error naming it: missing, a directory, not HDF5, truncated or corrupt.
Handle open_file(const std::string& path, MPI_Comm comm);

// Validates presence (Error if required and missing), object kind, rank and dtype of `name`.
Column inspect_column(hid_t file, const std::string& path, const std::string& name, Role role,
                      bool required);

// Rows [begin, begin + count) of `c` (count may be 0 inside a collective transfer). Float
// columns come back float32 (float64 converted; overflow becomes Inf and is refused by
// check_values), flags as integers/doubles (checked by check_values). On failure sets `*error`
// (if empty) and returns an unspecified tensor, so that a rank never abandons a collective.
torch::Tensor read_column(hid_t file, const std::string& path, const Column& c, hid_t dxpl,
                          int64_t begin, int64_t count, std::string* error);

// The first NaN/Inf row of a float column or the first non-0/1 row of a flag column, as an
// error message numbering rows from `first_row`; "" when the values are fine.
std::string check_values(const std::string& path, const Column& c, const torch::Tensor& t,
                         int64_t first_row);

// Every rank of `comm` learns the failure of the lowest failing rank and throws it as a
// relabel::Error, so no rank is left waiting in a later collective. With MPI_COMM_NULL it
// throws the local failure, if any.
void agree_on_failure(MPI_Comm comm, const std::string& local_error);

}  // namespace relabel::io::h5
