#pragma once
// The content checksum of a dataset (io/dataset_identity.h), folded over the columns as they
// are read: no second pass over the file.
#include <torch/types.h>

#include <cstdint>
#include <string>

namespace relabel::io {

struct Dataset;  // io/dataset.h

// The checksum of rows [first_row, first_row + column.size(0)) of one column: each row's bytes
// hash (FNV-1a, seeded by the column name and the row's global number) and the hashes add up
// modulo 2^64, so the partial sums of shards read by any number of ranks add up to the same
// value as one read of the whole file.
uint64_t column_checksum(const std::string& name, const torch::Tensor& column, int64_t first_row);

// column_checksum over every column of `ds` (rows numbered from ds.row_offset): the checksum of
// a dataset read whole or sliced in memory (Minari), where no file read can fold it in.
uint64_t dataset_checksum(const Dataset& ds);

}  // namespace relabel::io
