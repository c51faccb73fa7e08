#include "run/row_gather.h"

#include <torch/torch.h>

#include <algorithm>

#include "core/error.h"

namespace relabel::run {

using comm::Collective;

torch::Tensor all_gather_rows(const torch::Tensor& local, Collective& comm) {
  return comm.host().all_gather(local.contiguous());  // uneven row counts are fine
}

torch::Tensor gather_rows(const torch::Tensor& local, int64_t row_offset,
                          const std::vector<int64_t>& global_ids, Collective& comm) {
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

}  // namespace relabel::run
