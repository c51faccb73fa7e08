#pragma once
// Observation normalisation with statistics over the whole (sharded) dataset
// (docs/algorithms.md, Common data handling: mean/std over the observations, std + 1e-3).
#include <torch/types.h>

#include "comm/collective.h"

namespace relabel::run {

using comm::Collective;

struct ObsNormalizer {
  torch::Tensor mean;  // (obs_dim,) float32
  torch::Tensor std;   // (obs_dim,) float32, already + 1e-3

  // Collective over comm: sums and sums of squares are reduced in float64.
  static ObsNormalizer from_shard(const torch::Tensor& local_obs, Collective& comm);
  static ObsNormalizer identity(int64_t obs_dim);
  torch::Tensor apply(const torch::Tensor& obs) const;
};

}  // namespace relabel::run
