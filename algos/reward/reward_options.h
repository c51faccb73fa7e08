#pragma once
// Options of every reward model (docs/algorithms.md, ReLOAD reward and Reward imputation). Defaults
// are the published ones; the engine fills this from the run config's [reward] table.
#include <cstdint>
#include <string>

namespace relabel::algos {

enum class RewardMethod { GroundTruth, Zero, Reload, Imputation };

// Imputation baselines run in the same sweep (docs/algorithms.md): labels_only trains the policy on
// the labelled subset alone, full uses every true reward. Neither fits a reward model.
enum class ImputationBaseline { None, LabelsOnly, Full };

struct RewardOptions {
  RewardMethod method = RewardMethod::GroundTruth;
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

// Config spellings: ground_truth | zero | reload | imputation, and none | labels_only | full.
// Unknown names throw relabel::Error naming the key (`reward.method`, `reward.baseline`).
RewardMethod parse_reward_method(const std::string& name);
std::string to_string(RewardMethod method);
ImputationBaseline parse_imputation_baseline(const std::string& name);
std::string to_string(ImputationBaseline baseline);

// Throws relabel::Error naming the first out-of-range key (`reward.beta must be >= 0, got -1`).
void validate(const RewardOptions& options);

}  // namespace relabel::algos
