#pragma once
// Step 4 of a run: fit the reward model data-parallel, annotate this rank's shard, record the
// reward diagnostics, and apply the reward scaling the policy learner expects.
#include <torch/types.h>
#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <vector>

#include "algos/reward/reward_model.h"
#include "algos/sync.h"
#include "comm/collective.h"
#include "config/config.h"
#include "run/offline_data.h"
#include "run/reward_fit_log.h"

namespace torch::serialize {
class InputArchive;
}

namespace relabel::run {

using comm::Collective;
using config::RunConfig;

struct RewardPhase {
  std::unique_ptr<algos::RewardModel> model;
  torch::Tensor rewards;                // (local rows,) what the policy trains on
  std::vector<int64_t> train_universe;  // global rows the policy samples from (empty = all)
  nlohmann::json diagnostics = nlohmann::json::object();
  double fit_seconds = 0.0;
  double annotate_seconds = 0.0;
  double reward_scale = 1.0;  // applied factor (episode_range scaling), 1 when none
  std::optional<io::DatasetIdentity> expert_identity;  // the expert file's (ExpertSet)
};

algos::RewardOptions reward_options(const RunConfig& config);

// Collective. With `saved` the model's state comes from a checkpoint instead of a fit; else
// `fit_log` (when given, on every rank) shows and records the fit's progress.
RewardPhase run_reward_phase(const RunConfig& config, const OfflineData& data,
                             algos::GradSync& sync, Collective& comm,
                             torch::serialize::InputArchive* saved = nullptr,
                             RewardFitLog* fit_log = nullptr);

}  // namespace relabel::run
