#pragma once
// Minari datasets (docs/formats.md, "Datasets: Minari (read)"): a directory `<id>/data/` with
// `main_data.hdf5` (one group `episode_<i>` per episode) and `metadata.json` (older versions keep
// the metadata as root attributes of the HDF5 file). Only flat Box observations and actions are
// supported; dict, tuple, discrete and image spaces are refused with an Error.
#include <mpi.h>

#include <string>

#include "io/dataset.h"

namespace relabel::io {

// `path` may be the dataset directory (<id>), its data/ directory, or main_data.hdf5 itself.
// Episode i of T steps becomes T transitions obs[t], actions[t], rewards[t], obs[t+1],
// terminal = terminations[t], timeout = truncations[t], in episode order. The last step of an
// episode that is neither terminated nor truncated (a recording cut short) is marked timeout so
// the episode boundary is kept. info.env is the environment id (env_spec), info.generator
// "minari:<dataset_id>", ref scores when the metadata have them.
Dataset read_minari(const std::string& path);

// Every rank reads the (small) dataset and keeps rows [r*N/P, (r+1)*N/P), like read_d4rl_shard.
// Collective over comm: a failure on any rank is thrown on every rank.
Dataset read_minari_shard(const std::string& path, MPI_Comm comm);

}  // namespace relabel::io
