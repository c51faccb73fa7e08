#pragma once
// D4RL-layout HDF5 files (docs/formats.md, "Datasets: D4RL HDF5 layout"): serial write, serial
// read, and the sharded read where rank r of P gets rows [r*N/P, (r+1)*N/P) through MPI-IO.
//
// Accepted on read (files written elsewhere, e.g. h5py):
// - observations / actions / next_observations / rewards stored as float32, or float64 (h5py's
//   default for Python floats), which is converted to float32; values that overflow float32 are
//   then refused as Inf. Integer observations/actions are refused (wrong dtype).
// - rewards of shape (N,) or (N, 1) (squeezed).
// - terminals / timeouts as bool (h5py's int8 enum), any integer type, or float, holding 0/1.
// - Missing next_observations (old D4RL files): next_obs[i] = obs[i+1] within an episode, as in
//   D4RL's qlearning_dataset; terminal rows keep obs[i+1] (never bootstrapped from; obs[i]
//   for the file's last row). A non-terminal row without a successor (it ends at a timeout, or is
//   the file's last row) is dropped and the row before it becomes the episode end
//   (timeouts = true), so episode boundaries survive the drop. Global row numbers then count
//   the kept rows.
// - Missing rewards only when ReadOptions::require_rewards is false (unlabelled data).
// - infos/*, metadata/* and any other extra keys are ignored.
// Every validation failure is a relabel::Error of one line naming the file and the dataset.
#include <mpi.h>
#include <torch/types.h>

#include <map>
#include <string>
#include <vector>

#include "io/dataset.h"

namespace relabel::io {

struct D4rlWriteOptions {
  int gzip_level = 4;             // 0 = uncompressed (still chunked)
  int64_t chunk_bytes = 1 << 18;  // target bytes per row chunk; never below 64 KiB
};

struct D4rlReadOptions {
  bool require_rewards = true;
  // Sharded reads: one collective MPI-IO transfer per column (the default, docs/formats.md);
  // false makes each rank read its hyperslab independently (compared in bench_hdf5).
  bool collective = true;
};

// Facts about a file without reading its columns.
struct D4rlFileInfo {
  DatasetInfo info;
  int64_t rows = 0;  // rows stored in the file (before any drop for missing next_observations)
  int64_t obs_dim = 0;
  int64_t act_dim = 0;
  bool has_rewards = false;
  bool has_next_observations = false;
};

// Writes `ds` (every row; the shard numbering is not stored) with root attributes env,
// ref_min_score, ref_max_score, generator, relabel_version (this build's when empty), seed.
// Atomic: a temporary file in the same directory renamed into place.
void write_d4rl(const std::string& path, const Dataset& ds, const D4rlWriteOptions& options = {});

// The whole file on this process.
Dataset read_d4rl(const std::string& path, const D4rlReadOptions& options = {});

// Collective over `comm`: every rank must call it. Rank r of P gets global rows
// [r*N/P, (r+1)*N/P) (row_offset, total_rows set) through one collective MPI-IO hyperslab read
// per column. Validation failures are agreed on, so every rank throws the same Error. With a
// one-rank communicator the result equals read_d4rl.
Dataset read_d4rl_shard(const std::string& path, MPI_Comm comm,
                        const D4rlReadOptions& options = {});

// Attributes, row count and dimensions only.
D4rlFileInfo read_d4rl_info(const std::string& path);

// Whole per-row columns ("rewards", "terminals", "timeouts", or any other column) on this
// process, cheap enough for every rank (global episode statistics of sharded data). Rows are
// numbered like the datasets read_d4rl returns (the same drop applies).
std::map<std::string, torch::Tensor> read_d4rl_columns(const std::string& path,
                                                       const std::vector<std::string>& names);

}  // namespace relabel::io
