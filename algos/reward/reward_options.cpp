#include "algos/reward/reward_options.h"

#include <fmt/format.h>

#include "algos/reward/reward_registry.h"
#include "core/error.h"

namespace relabel::algos {

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

namespace {

// The typed fields as [reward] key values.
Params typed_params(const RewardOptions& o) {
  Params p;
  p.set("alpha", o.alpha);
  p.set("beta", o.beta);
  p.set("predictor_steps", o.predictor_steps);
  p.set("embed_dim", o.embed_dim);
  p.set("hidden", o.hidden);
  p.set("lr", o.lr);
  p.set("batch_size", o.batch_size);
  p.set("reward_steps", o.reward_steps);
  p.set("holdout_fraction", o.holdout_fraction);
  p.set("baseline", to_string(o.baseline));
  return p;
}

void check(const ConfigKey& spec, const ConfigValue& value) {
  ConfigValue converted;
  auto problem = spec.check(value, &converted);
  if (!problem.empty()) throw Error(fmt::format("reward.{}: {}", spec.name, problem));
}

}  // namespace

void apply_params(RewardOptions& o) {
  const Params& p = o.params;
  o.alpha = p.get_or("alpha", o.alpha);
  o.beta = p.get_or("beta", o.beta);
  o.predictor_steps = p.get_or("predictor_steps", o.predictor_steps);
  o.embed_dim = p.get_or("embed_dim", o.embed_dim);
  o.hidden = p.get_or("hidden", o.hidden);
  o.lr = p.get_or("lr", o.lr);
  o.batch_size = p.get_or("batch_size", o.batch_size);
  o.reward_steps = p.get_or("reward_steps", o.reward_steps);
  o.holdout_fraction = p.get_or("holdout_fraction", o.holdout_fraction);
  if (p.has("baseline")) o.baseline = parse_imputation_baseline(p.get<std::string>("baseline"));
}

void validate(const RewardOptions& o) {
  const RewardMethodInfo& method = find_reward_method(o.method);
  const Params typed = typed_params(o);
  // The method's own keys by its rules.
  for (const ConfigKey& spec : method.keys) {
    if (o.params.has(spec.name))
      check(spec, o.params.values().at(spec.name));
    else if (typed.has(spec.name))
      check(spec, typed.values().at(spec.name));
  }
  // The typed fields by the rule of the first method that declares them: options filled field by
  // field are checked even for a method that does not read them.
  for (const auto& [name, value] : typed.values()) {
    bool own = false;
    for (const ConfigKey& spec : method.keys) own = own || spec.name == name;
    if (own) continue;
    for (const RewardMethodInfo* other : reward_methods()) {
      const ConfigKey* rule = nullptr;
      for (const ConfigKey& spec : other->keys)
        if (spec.name == name) rule = &spec;
      if (rule) {
        check(*rule, value);
        break;
      }
    }
  }
  if (o.eval_every < 1)
    throw Error(fmt::format("reward eval_every: must be >= 1, got {}", o.eval_every));
}

}  // namespace relabel::algos
