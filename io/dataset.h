#pragma once
// The in-memory offline dataset (docs/architecture.md, io/): one shard of transitions as CPU column
// tensors.
#include <torch/types.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

namespace relabel::io {

// Dataset-level metadata; in a D4RL-layout file these are root attributes (docs/formats.md).
struct DatasetInfo {
  std::string env;        // task name, e.g. "hopper"
  std::string generator;  // policy kind and steps that produced the data
  double ref_min_score = std::numeric_limits<double>::quiet_NaN();  // D4RL normalisation
  double ref_max_score = std::numeric_limits<double>::quiet_NaN();
  int64_t seed = -1;
  std::string relabel_version;  // version that wrote the file (empty when written elsewhere)
  std::string source;           // the file or directory read from (set by the readers)
};

// Columns (N rows): observations (N, obs_dim) f32, actions (N, act_dim) f32, rewards (N) f32
// (undefined when the data carry no reward, see has_rewards), next_observations (N, obs_dim)
// f32, terminals (N) bool, timeouts (N) bool. A shard holds global rows
// [row_offset, row_offset + size()) of a dataset of total_rows rows.
struct Dataset {
  torch::Tensor observations;
  torch::Tensor actions;
  torch::Tensor rewards;
  torch::Tensor next_observations;
  torch::Tensor terminals;
  torch::Tensor timeouts;
  DatasetInfo info;
  int64_t row_offset = 0;
  int64_t total_rows = 0;
  // This shard's part of the content checksum (io/dataset_identity.h), set by the readers;
  // the parts of all shards add up to the file's. Derived datasets (slice, select) hold 0.
  uint64_t checksum = 0;

  int64_t size() const { return observations.defined() ? observations.size(0) : 0; }
  int64_t obs_dim() const { return observations.defined() ? observations.size(1) : 0; }
  int64_t act_dim() const { return actions.defined() ? actions.size(1) : 0; }
  bool has_rewards() const { return rewards.defined(); }
  bool is_shard() const { return row_offset != 0 || total_rows != size(); }

  // Rows [begin, end) (views, no copy). Keeps the global numbering: row_offset += begin.
  Dataset slice(int64_t begin, int64_t end) const;
  // Rows at `index` (int64, any order, repeats allowed), copied. The result is a standalone
  // dataset (row_offset 0, total_rows = its size).
  Dataset select(const torch::Tensor& index) const;
  // Rows of a followed by rows of b. Two adjacent shards of one dataset keep the global
  // numbering; anything else becomes standalone.
  static Dataset concat(const Dataset& a, const Dataset& b);

  // Throws relabel::Error (naming `what`) unless every column has the documented shape and
  // dtype and all have size() rows.
  void check(const std::string& what = "dataset") const;
};

// Builds a standalone dataset from columns (rewards may be undefined), converting float columns
// to float32 and flags to bool, then check()s it.
Dataset make_dataset(torch::Tensor observations, torch::Tensor actions, torch::Tensor rewards,
                     torch::Tensor next_observations, torch::Tensor terminals,
                     torch::Tensor timeouts, DatasetInfo info = {});

}  // namespace relabel::io
