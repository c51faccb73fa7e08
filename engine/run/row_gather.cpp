#include "engine/run/row_gather.h"

#include <torch/torch.h>

#include <algorithm>

#include "engine/core/error.h"

namespace relabel::engine {

torch::Tensor all_gather_rows(const torch::Tensor& local_in, MPI_Comm comm) {
  int size = 1;
  MPI_Comm_size(comm, &size);
  auto local = local_in.contiguous();
  if (size == 1) return local.clone();
  auto shape = local.sizes().vec();
  int64_t width = 1;
  for (size_t i = 1; i < shape.size(); ++i) width *= shape[i];
  const int64_t elem = static_cast<int64_t>(local.element_size());
  int64_t my_bytes = local.size(0) * width * elem;
  std::vector<int64_t> bytes(size);
  MPI_Allgather(&my_bytes, 1, MPI_INT64_T, bytes.data(), 1, MPI_INT64_T, comm);
  std::vector<int> counts(size), displs(size);
  int64_t total = 0;
  for (int r = 0; r < size; ++r) {
    if (total + bytes[r] > INT32_MAX)
      throw RunError("all_gather_rows: more than 2 GiB to replicate");
    counts[r] = static_cast<int>(bytes[r]);
    displs[r] = static_cast<int>(total);
    total += bytes[r];
  }
  shape[0] = total / (width * elem);
  auto out = torch::empty(shape, local.options());
  MPI_Allgatherv(local.data_ptr(), static_cast<int>(my_bytes), MPI_BYTE, out.data_ptr(),
                 counts.data(), displs.data(), MPI_BYTE, comm);
  return out;
}

torch::Tensor gather_rows(const torch::Tensor& local, int64_t row_offset,
                          const std::vector<int64_t>& global_ids, MPI_Comm comm) {
  // Ids are sorted, and shards are contiguous and ordered by rank, so concatenating each
  // rank's matching rows in rank order yields the rows in id order.
  const int64_t end = row_offset + local.size(0);
  auto lo = std::lower_bound(global_ids.begin(), global_ids.end(), row_offset);
  auto hi = std::lower_bound(global_ids.begin(), global_ids.end(), end);
  std::vector<int64_t> mine;
  mine.reserve(hi - lo);
  for (auto it = lo; it != hi; ++it) mine.push_back(*it - row_offset);
  auto idx = torch::from_blob(mine.data(), {static_cast<int64_t>(mine.size())}, torch::kInt64);
  return all_gather_rows(local.index_select(0, idx), comm);
}

}  // namespace relabel::engine
