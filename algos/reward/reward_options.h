#pragma once
// Options of a reward model: the method's name, its resolved [reward] keys (params), and the
// typed fields the ReLOAD and imputation models read (filled from params by apply_params, or
// set directly by tests and benches). Each method declares its keys, defaults and ranges where
// it is defined (RELABEL_REGISTER_REWARD_METHOD); validate() checks against those declarations.
#include <cstdint>
#include <string>

#include "core/params.h"

namespace relabel::algos {

// Imputation baselines run in the same sweep (docs/algorithms.md): labels_only trains the policy
// on the labelled subset alone, full uses every true reward. Neither fits a reward model.
enum class ImputationBaseline { None, LabelsOnly, Full };

struct RewardOptions {
  std::string method = "ground_truth";  // a registered reward.method
  Params params;                        // resolved [reward] keys of the method (may be empty)
  // ReLOAD: r = alpha * exp(-beta * e / e_bar).
  double alpha = 1.0;
  double beta = 1.0;
  int64_t predictor_steps = 2000;
  int64_t embed_dim = 128;  // ReLOAD target/predictor output width
  // Shared by ReLOAD and imputation.
  int64_t hidden = 256;
  double lr = 1e-3;
  int64_t batch_size = 256;  // global batch; each rank draws batch_size / world_size
  // Imputation.
  int64_t reward_steps = 5000;
  double holdout_fraction = 0.1;
  int64_t eval_every = 100;  // held-out evaluation period for early stopping, in steps
  ImputationBaseline baseline = ImputationBaseline::None;

  uint64_t seed = 0;
  std::string device = "cpu";  // torch device string, e.g. "cpu", "cuda:0"
};

// none | labels_only | full; another name throws relabel::Error naming reward.baseline.
ImputationBaseline parse_imputation_baseline(const std::string& name);
std::string to_string(ImputationBaseline baseline);

// Copies the keys present in options.params into the typed fields.
void apply_params(RewardOptions& options);

// Throws relabel::Error naming the first out-of-range key (`reward.beta: must be > 0, got -1.0`),
// by the rules the reward methods declare (the one place ranges are written down).
void validate(const RewardOptions& options);

}  // namespace relabel::algos
