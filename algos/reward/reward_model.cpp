#include "algos/reward/reward_model.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include "core/error.h"

namespace relabel::algos {

torch::Tensor RewardModel::relabel(const torch::Tensor& obs, const torch::Tensor& actions,
                                   const torch::Tensor& next_obs, const torch::Tensor&,
                                   const torch::Tensor&) const {
  return annotate(obs, actions, next_obs);
}

void RewardModel::save(torch::serialize::OutputArchive& archive) const {
  // The method's name as bytes: a checkpoint names what it holds whatever is registered.
  const std::string name = method();
  archive.write("method", torch::tensor(std::vector<int64_t>(name.begin(), name.end())));
  save_state(archive);
}

void RewardModel::load(torch::serialize::InputArchive& archive) {
  torch::Tensor stored;
  if (!archive.try_read("method", stored))
    throw Error("reward model archive has no 'method' entry (not a reward model checkpoint)");
  std::string got;
  stored = stored.to(torch::kInt64).contiguous();
  for (int64_t i = 0; i < stored.numel(); ++i) got += static_cast<char>(stored[i].item<int64_t>());
  if (got != method())
    throw Error(fmt::format("reward model archive holds method {}, expected {}", got, method()));
  try {
    load_state(archive);
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    // Missing keys or shape mismatches surface as c10::Error with multi-line context.
    std::string what = e.what();
    throw Error(fmt::format("reward model archive does not match the {} options: {}", method(),
                            what.substr(0, what.find('\n'))));
  }
}

std::unique_ptr<RewardModel> make_reward_model(const RewardOptions& options) {
  const RewardMethodInfo& info = find_reward_method(options.method);
  if (!info.make)
    throw Error(
        fmt::format("reward.method: {} is an online reward (policy.algo = world_model); it "
                    "does not relabel a dataset",
                    info.name));
  RewardOptions resolved = options;
  apply_params(resolved);
  validate(resolved);
  return info.make(resolved);
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
