#pragma once
// Episode structure of a dataset and the subsets built from it (expert trajectories, the
// labelled fraction). An episode ends at a terminal, at a timeout, or at the last row.
#include <torch/types.h>

#include <cstdint>
#include <vector>

#include "io/dataset.h"

namespace relabel::io {

struct Episode {
  int64_t begin = 0;  // first row
  int64_t end = 0;    // one past the last row
  int64_t length() const { return end - begin; }
};

// Episodes of rows 0..N-1 of the flag columns (bool or 0/1, length N), in row order.
std::vector<Episode> split_episodes(const torch::Tensor& terminals, const torch::Tensor& timeouts);
// Episodes of a dataset's rows (local row numbers; on a shard the first and last episode may
// continue on neighbouring ranks: use read_d4rl_columns for global episodes).
std::vector<Episode> split_episodes(const Dataset& ds);

// Undiscounted return of each episode (float64, one per episode) from a reward column.
torch::Tensor episode_returns(const torch::Tensor& rewards, const std::vector<Episode>& episodes);

// True unless the last of `episodes` ends without a terminal or timeout (a file cut mid-episode):
// that tail is not a trajectory to rank by its return (with negative rewards a short fragment
// would beat every whole episode).
bool last_episode_complete(const torch::Tensor& terminals, const torch::Tensor& timeouts,
                           const std::vector<Episode>& episodes);

// The K complete episodes with the highest return (ties: the earlier episode), concatenated in
// their original row order; a standalone dataset. Throws relabel::Error if K < 1, K exceeds the
// number of complete episodes, or the dataset has no rewards.
Dataset select_best_trajectories(const Dataset& ds, int64_t k);

// Sorted global row indices (int64) of the labelled subset of a dataset of `n` rows: the first
// max(1, round(fraction * n)) rows of a permutation seeded by `seed` (the same on every rank
// and platform). With by_trajectory, whole episodes (of `episodes`, which must cover rows
// 0..n-1) are taken in seeded random order until at least that many rows are chosen.
// fraction must lie in (0, 1].
torch::Tensor labelled_subset(int64_t n, double fraction, uint64_t seed, bool by_trajectory = false,
                              const std::vector<Episode>& episodes = {});

// A seeded permutation of 0..n-1 that does not depend on the standard library's
// distributions (Fisher-Yates over a SplitMix64 stream), so every rank and platform agree.
std::vector<int64_t> seeded_permutation(int64_t n, uint64_t seed);

}  // namespace relabel::io
