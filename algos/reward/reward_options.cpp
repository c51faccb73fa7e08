#include "algos/reward/reward_options.h"

#include <fmt/format.h>

#include <cmath>

#include "engine/core/error.h"

namespace relabel::algos {

RewardMethod parse_reward_method(const std::string& name) {
  if (name == "ground_truth") return RewardMethod::GroundTruth;
  if (name == "zero") return RewardMethod::Zero;
  if (name == "reload") return RewardMethod::Reload;
  if (name == "imputation") return RewardMethod::Imputation;
  throw Error(fmt::format(
      "reward.method: unknown method '{}' (expected ground_truth, zero, reload or imputation)",
      name));
}

std::string to_string(RewardMethod method) {
  switch (method) {
    case RewardMethod::GroundTruth:
      return "ground_truth";
    case RewardMethod::Zero:
      return "zero";
    case RewardMethod::Reload:
      return "reload";
    case RewardMethod::Imputation:
      return "imputation";
  }
  return "unknown";
}

ImputationBaseline parse_imputation_baseline(const std::string& name) {
  if (name == "none") return ImputationBaseline::None;
  if (name == "labels_only") return ImputationBaseline::LabelsOnly;
  if (name == "full") return ImputationBaseline::Full;
  throw Error(fmt::format(
      "reward.baseline: unknown baseline '{}' (expected none, labels_only or full)", name));
}

std::string to_string(ImputationBaseline baseline) {
  switch (baseline) {
    case ImputationBaseline::None:
      return "none";
    case ImputationBaseline::LabelsOnly:
      return "labels_only";
    case ImputationBaseline::Full:
      return "full";
  }
  return "unknown";
}

void validate(const RewardOptions& o) {
  auto fail = [](const char* key, const char* rule, double value) {
    throw Error(fmt::format("reward.{} must be {}, got {}", key, rule, value));
  };
  if (!std::isfinite(o.alpha)) fail("alpha", "finite", o.alpha);
  if (!(o.beta >= 0) || !std::isfinite(o.beta)) fail("beta", ">= 0 and finite", o.beta);
  if (o.predictor_steps < 0) fail("predictor_steps", ">= 0", double(o.predictor_steps));
  if (o.embed_dim < 1) fail("embed_dim", ">= 1", double(o.embed_dim));
  if (o.hidden < 1) fail("hidden", ">= 1", double(o.hidden));
  if (!(o.lr > 0) || !std::isfinite(o.lr)) fail("lr", "> 0 and finite", o.lr);
  if (o.batch_size < 1) fail("batch_size", ">= 1", double(o.batch_size));
  if (o.reward_steps < 0) fail("reward_steps", ">= 0", double(o.reward_steps));
  if (!(o.holdout_fraction >= 0 && o.holdout_fraction < 1))
    fail("holdout_fraction", "in [0, 1)", o.holdout_fraction);
  if (o.eval_every < 1) fail("eval_every", ">= 1", double(o.eval_every));
}

}  // namespace relabel::algos
