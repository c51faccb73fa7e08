#pragma once
// Small pieces every rank needs (expert trajectories, the labelled subset) live spread over the
// ranks' shards; these helpers replicate them (docs/architecture.md, data flow of a run).
#include <torch/types.h>

#include <vector>

#include "comm/collective.h"

namespace relabel::run {

using comm::Collective;

// `local` holds this rank's rows, global ids [row_offset, row_offset + local.size(0)).
// Returns, on every rank, the rows with the given sorted global ids, in that order.
// Collective over comm; every rank must pass the same ids.
torch::Tensor gather_rows(const torch::Tensor& local, int64_t row_offset,
                          const std::vector<int64_t>& global_ids, Collective& comm);

// Concatenates every rank's tensor along dim 0 (different row counts allowed), on every rank.
torch::Tensor all_gather_rows(const torch::Tensor& local, Collective& comm);

}  // namespace relabel::run
