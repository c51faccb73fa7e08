#pragma once
// Reward methods register themselves here, one RELABEL_REGISTER_REWARD_METHOD in the file that
// defines them, with their [reward] keys (type, default, range, doc, paper) beside the code.
// The config schema, validation, `relabel check --defaults`, the run pipeline's dispatch, the
// method label in reports and the conformance tests all iterate this registry: a new method is
// one new file (tests/run/custom_method_mpitest.cpp shows one defined in a test). What an entry
// must provide is checked when the binary starts (config/registration_check.h).
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/params.h"
#include "core/registry.h"

namespace relabel::algos {

class RewardModel;
class LatentReward;
struct RewardOptions;

struct LatentRewardShape;  // algos/online/world_model_reward.h

struct RewardMethodInfo {
  std::string name;             // the reward.method value
  std::string file;             // the file that registered it (set by the macro)
  std::string doc;              // one line for the configuration reference
  std::string paper;            // the method's reference ("" for baselines)
  std::vector<ConfigKey> keys;  // its [reward] keys; a key several methods share must agree

  // Which runs it serves: offline (relabels a dataset before an offline learner trains on it)
  // and/or online (a reward on the world model's latents, learned with it).
  bool offline = true;
  bool online = false;
  // What the run pipeline gives it: the dataset's own rewards (relabel() reads them), the
  // transitions of the K best expert trajectories (fit() or the online reward), a labelled
  // subset of dataset.label_fraction of the rows.
  bool needs_true_rewards = false;
  bool needs_demonstrations = false;
  bool needs_labelled_subset = false;
  double default_label_fraction = 1.0;  // dataset.label_fraction when not set

  // Defaults that depend on the run (device, task); may be empty.
  std::function<void(Params&, const DeriveContext&)> derive;
  // The method's name in reports ("imputation-labels_only"); empty = name.
  std::function<std::string(const Params&)> label;
  // Builds the offline model from options.params (the resolved [reward] keys; typed fields of
  // RewardOptions are filled from them where the model uses RewardOptions).
  std::function<std::unique_ptr<RewardModel>(const RewardOptions&)> make;
  // Online: the reward on the world model's latents from the resolved [reward] keys; empty for
  // the environment's own reward (ground_truth).
  std::function<std::function<std::unique_ptr<LatentReward>(const LatentRewardShape&)>(
      const Params&)>
      make_latent;
};

// The registry's entry for `name`; relabel::Error "reward.method: unknown method 'x' (known: …)".
const RewardMethodInfo& find_reward_method(const std::string& name);
std::vector<const RewardMethodInfo*> reward_methods();
std::string reward_method_label(const std::string& name, const Params& params);
// `file`: the registering file, named by the startup check (RELABEL_REGISTER_* passes __FILE__).
bool register_reward_method(RewardMethodInfo info, const char* file);

}  // namespace relabel::algos

// RELABEL_REGISTER_REWARD_METHOD(make_info()) in the method's .cpp.
#define RELABEL_REGISTER_REWARD_METHOD(...)                                                \
  static const bool RELABEL_REGISTRY_CAT(relabel_reward_method_registered_, __COUNTER__) = \
      ::relabel::algos::register_reward_method(__VA_ARGS__, __FILE__)
