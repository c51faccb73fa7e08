#pragma once
// Policy learners register themselves here, one RELABEL_REGISTER_POLICY_ALGO in the file that
// defines them, with their [policy] keys beside the code: offline learners (trained on a
// relabelled dataset) and online agents (trained on their own environment steps). The keys
// every learner shares (hidden, layers, lr, gamma, tau, observation normalisation, reward
// scaling) belong to the engine's own schema.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/params.h"
#include "core/registry.h"

namespace relabel::algos {

class OfflineLearner;
struct OfflineOptions;
class GradSync;

struct PolicyAlgoInfo {
  std::string name;             // the policy.algo value
  std::string file;             // the file that registered it (set by the macro)
  std::string doc;              // one line for the configuration reference
  std::string paper;            // where its defaults come from
  std::vector<ConfigKey> keys;  // its own [policy] keys
  bool online = false;          // an online agent (the run steps environments) vs offline
  // policy.reward_scaling = auto resolves to episode_range (1000 / episode-return range) on the
  // locomotion tasks for this learner (IQL's published setting), else none.
  bool episode_range_scaling = false;
  std::function<void(Params&, const DeriveContext&)> derive;  // run-dependent defaults
  // Offline learners: builds it from options (options.params holds the resolved keys).
  std::function<std::unique_ptr<OfflineLearner>(const OfflineOptions&, GradSync&)> make_offline;
};

// relabel::Error "policy.algo: unknown algorithm 'x' (expected …)".
const PolicyAlgoInfo& find_policy_algo(const std::string& name);
std::vector<const PolicyAlgoInfo*> policy_algos();
// `file`: the registering file, named by the startup check (RELABEL_REGISTER_* passes __FILE__).
bool register_policy_algo(PolicyAlgoInfo info, const char* file);

}  // namespace relabel::algos

#define RELABEL_REGISTER_POLICY_ALGO(...)                                                \
  static const bool RELABEL_REGISTRY_CAT(relabel_policy_algo_registered_, __COUNTER__) = \
      ::relabel::algos::register_policy_algo(__VA_ARGS__, __FILE__)
