#include "algos/reward/reward_model.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include "algos/reward/ground_truth_reward.h"
#include "algos/reward/imputation_reward.h"
#include "algos/reward/reload_reward.h"
#include "algos/reward/zero_reward.h"
#include "engine/core/error.h"

namespace relabel::algos {

torch::Tensor RewardModel::relabel(const torch::Tensor& obs, const torch::Tensor& actions,
                                   const torch::Tensor& next_obs, const torch::Tensor&,
                                   const torch::Tensor&) const {
  return annotate(obs, actions, next_obs);
}

void RewardModel::save(torch::serialize::OutputArchive& archive) const {
  archive.write("method", torch::tensor({static_cast<int64_t>(method())}));
  save_state(archive);
}

void RewardModel::load(torch::serialize::InputArchive& archive) {
  torch::Tensor stored;
  if (!archive.try_read("method", stored))
    throw Error("reward model archive has no 'method' entry (not a reward model checkpoint)");
  const auto got = static_cast<RewardMethod>(stored.item<int64_t>());
  if (got != method())
    throw Error(fmt::format("reward model archive holds method {}, expected {}", to_string(got),
                            to_string(method())));
  try {
    load_state(archive);
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    // Missing keys or shape mismatches surface as c10::Error with multi-line context.
    std::string what = e.what();
    throw Error(fmt::format("reward model archive does not match the {} options: {}",
                            to_string(method()), what.substr(0, what.find('\n'))));
  }
}

std::unique_ptr<RewardModel> make_reward_model(const RewardOptions& options) {
  validate(options);
  switch (options.method) {
    case RewardMethod::GroundTruth:
      return std::make_unique<GroundTruthReward>(RewardMethod::GroundTruth, false);
    case RewardMethod::Zero:
      return std::make_unique<ZeroReward>();
    case RewardMethod::Reload:
      return std::make_unique<ReloadReward>(options);
    case RewardMethod::Imputation:
      if (options.baseline == ImputationBaseline::None)
        return std::make_unique<ImputationReward>(options);
      return std::make_unique<GroundTruthReward>(
          RewardMethod::Imputation, options.baseline == ImputationBaseline::LabelsOnly);
  }
  throw Error("reward.method: unsupported method");
}

torch::Tensor impute(const torch::Tensor& rewards, const torch::Tensor& labelled_mask,
                     const torch::Tensor& predicted) {
  if (!rewards.defined() || !labelled_mask.defined() || !predicted.defined())
    throw Error("impute: rewards, labelled mask and predictions are all required");
  if (rewards.dim() != 1 || labelled_mask.sizes() != rewards.sizes() ||
      predicted.sizes() != rewards.sizes())
    throw Error(fmt::format(
        "impute: rewards ({}), labelled mask ({}) and predictions ({}) must be equal-length "
        "vectors",
        fmt::join(rewards.sizes(), "x"), fmt::join(labelled_mask.sizes(), "x"),
        fmt::join(predicted.sizes(), "x")));
  torch::Tensor mask = labelled_mask.to(predicted.device(), torch::kBool);
  return torch::where(mask, rewards.to(predicted.device(), torch::kFloat32),
                      predicted.to(torch::kFloat32));
}

}  // namespace relabel::algos
