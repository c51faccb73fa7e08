#include "io/dataset_checksum.h"

#include <utility>

#include "core/seeding.h"
#include "io/dataset.h"

namespace relabel::io {

namespace {

constexpr uint64_t kFnvPrime = 0x100000001b3ULL;

}  // namespace

uint64_t column_checksum(const std::string& name, const torch::Tensor& column, int64_t first_row) {
  if (!column.defined() || column.numel() == 0) return 0;
  const torch::Tensor c = column.contiguous();
  const int64_t rows = c.size(0);
  const int64_t row_bytes = static_cast<int64_t>(c.nbytes()) / rows;
  const auto* bytes = static_cast<const unsigned char*>(c.data_ptr());
  const uint64_t column_seed = fnv1a64(name);
  uint64_t sum = 0;
  for (int64_t i = 0; i < rows; ++i) {
    uint64_t h = splitmix64(column_seed + static_cast<uint64_t>(first_row + i));
    const unsigned char* row = bytes + i * row_bytes;
    for (int64_t b = 0; b < row_bytes; ++b) h = (h ^ row[b]) * kFnvPrime;
    sum += splitmix64(h);  // mixed, so that the sum of rows does not cancel structure
  }
  return sum;
}

uint64_t dataset_checksum(const Dataset& ds) {
  uint64_t sum = 0;
  const std::pair<const char*, const torch::Tensor*> columns[] = {
      {"observations", &ds.observations}, {"actions", &ds.actions},
      {"rewards", &ds.rewards},           {"next_observations", &ds.next_observations},
      {"terminals", &ds.terminals},       {"timeouts", &ds.timeouts}};
  for (const auto& [name, column] : columns) sum += column_checksum(name, *column, ds.row_offset);
  return sum;
}

}  // namespace relabel::io
