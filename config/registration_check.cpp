#include "config/registration_check.h"

#include <fmt/format.h>

#include <cmath>
#include <map>
#include <set>

#include "algos/policy_registry.h"
#include "algos/reward/reward_registry.h"
#include "config/config_schema.h"
#include "core/error.h"
#include "core/registry.h"
#include "envs/registry.h"

namespace relabel::config {

namespace {

// __FILE__ is absolute in this build: shown relative to the source tree.
std::string source_file(const std::string& file) {
  const std::string root = std::string(RELABEL_SOURCE_DIR) + "/";
  return file.compare(0, root.size(), root) == 0 ? file.substr(root.size()) : file;
}

std::string named(const char* kind, const std::string& name, const std::string& file) {
  return fmt::format("{} '{}' ({})", kind, name, source_file(file));
}

// A name registered twice: "… is registered twice, in a.cpp and in b.cpp".
template <class Entry>
std::string duplicate(const char* kind, const std::vector<const Entry*>& entries) {
  std::map<std::string, const Entry*> first;
  for (const Entry* e : entries) {
    auto [it, fresh] = first.emplace(e->name, e);
    if (!fresh)
      return fmt::format(
          "{} '{}' is registered twice, in {} and in {}: rename one (which of them a run gets "
          "would depend on the link order)",
          kind, e->name, source_file(it->second->file), source_file(e->file));
  }
  return "";
}

template <class Entry>
std::string unnamed(const char* kind, const Entry& e) {
  return e.name.empty()
             ? fmt::format("a {} registered in {} has no name", kind, source_file(e.file))
             : "";
}

// The keys an entry declares for [section]: named, documented, once each, and each default
// valid under the key's own rule (else only `relabel run` would find it, after loading data).
std::string key_problem(const std::string& owner, const std::string& section,
                        const std::vector<ConfigKey>& keys) {
  std::set<std::string> seen;
  for (const ConfigKey& k : keys) {
    const std::string path = section + "." + k.name;
    if (k.name.empty()) return owner + " declares a key without a name";
    if (!seen.insert(k.name).second) return fmt::format("{} declares {} twice", owner, path);
    if (k.doc.empty())
      return fmt::format("{} declares {} without a doc (one line for the configuration reference)",
                         owner, path);
    ConfigValue out;
    // A neutral value no run can hold would leave the key in every hash, silently.
    if (k.hash_neutral)
      if (auto why = k.check(*k.hash_neutral, &out); !why.empty())
        return fmt::format(
            "{} declares {} added_later({}), a value its own rule refuses: {} (the neutral value "
            "is the one with which a run computes what runs did before the key)",
            owner, path, toml_literal(*k.hash_neutral), why);
    const auto* x = std::get_if<double>(&k.default_value);
    if (k.optional && x && std::isnan(*x)) continue;  // unset by default, as maybe_unset() means
    if (auto why = k.check(k.default_value, &out); !why.empty())
      return fmt::format("{} declares {} with default {}, which its own rule refuses: {}", owner,
                         path, toml_literal(k.default_value), why);
  }
  return "";
}

// What each kind of method needs, from how runs use it: an offline run builds the model with
// make (algos/reward/reward_model.cpp); an online run trains the world model on make_latent's
// reward, or on the environment's own reward when make_latent is empty (run/online_run.cpp),
// which is right only for a method that means the true reward (ground_truth).
std::string method_problem(const algos::RewardMethodInfo& m) {
  if (auto p = unnamed("reward method", m); !p.empty()) return p;
  const std::string owner = describe(m);
  if (m.doc.empty())
    return owner + " has no doc: set doc, one line for the configuration reference";
  if (!m.offline && !m.online)
    return owner +
           " serves no run: set offline (it relabels a dataset) and/or online (a reward on the "
           "world model's latents)";
  if (m.offline && !m.make)
    return owner +
           " is offline (the default) but has no make: set make, the factory of its RewardModel "
           "(or offline = false for an online-only method)";
  if (!m.offline && m.make)
    return owner + " sets make but offline = false: only offline runs use make";
  if (m.online && !m.make_latent && !m.needs_true_rewards)
    return owner +
           " is online but has no make_latent: set make_latent, the factory of its LatentReward "
           "(without it the world model learns the environment's own reward, which only a "
           "method that reads the true reward, like ground_truth, means)";
  if (!m.online && m.make_latent)
    return owner + " sets make_latent but online = false: only online runs use make_latent";
  return key_problem(owner, "reward", m.keys);
}

// An offline run builds the learner with make_offline (algos/offline/learner.cpp); an online
// run is the world model's whatever policy.algo names (run/run_pipeline.cpp, online_run.cpp).
std::string learner_problem(const algos::PolicyAlgoInfo& a) {
  if (auto p = unnamed("policy learner", a); !p.empty()) return p;
  const std::string owner = describe(a);
  if (a.doc.empty())
    return owner + " has no doc: set doc, one line for the configuration reference";
  if (!a.online && !a.make_offline)
    return owner +
           " is offline (the default) but has no make_offline: set make_offline, the factory of "
           "its OfflineLearner";
  if (a.online && a.make_offline)
    return owner + " sets make_offline but online = true: only offline runs use make_offline";
  if (a.online && a.name != "world_model")
    return owner +
           " is online, but the engine's one online agent is world_model (an online run trains "
           "it whatever policy.algo names): register an offline learner (make_offline)";
  return key_problem(owner, "policy", a.keys);
}

std::string task_problem(const envs::TaskInfo& t) {
  if (auto p = unnamed("task", t); !p.empty()) return p;
  const std::string owner = describe(t);
  if (!t.make) return owner + " has no make: set make, the factory of its Env";
  if (t.obs_dim < 1 || t.act_dim < 1 || t.max_episode_steps < 1)
    return fmt::format("{} has obs_dim {}, act_dim {} and max_episode_steps {}: each must be >= 1",
                       owner, t.obs_dim, t.act_dim, t.max_episode_steps);
  return "";
}

}  // namespace

std::string describe(const algos::RewardMethodInfo& m) {
  return named("reward method", m.name, m.file);
}
std::string describe(const algos::PolicyAlgoInfo& a) {
  return named("policy learner", a.name, a.file);
}
std::string describe(const envs::TaskInfo& t) { return named("task", t.name, t.file); }

std::string registration_problem(const Registrations& r) {
  for (const auto& p : {duplicate("reward method", r.reward_methods),
                        duplicate("policy learner", r.policy_algos), duplicate("task", r.tasks)})
    if (!p.empty()) return p;
  for (const auto* m : r.reward_methods)
    if (auto p = method_problem(*m); !p.empty()) return p;
  for (const auto* a : r.policy_algos)
    if (auto p = learner_problem(*a); !p.empty()) return p;
  for (const auto* t : r.tasks)
    if (auto p = task_problem(*t); !p.empty()) return p;
  // Engine keys redeclared, shared keys of different types: found where the schema merges them.
  try {
    build_schema(r.reward_methods, r.policy_algos);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

namespace {
template <class Entry>
std::vector<const Entry*> with_duplicates(const Registry<Entry>& registry) {
  auto out = registry.entries();
  for (const Entry& e : registry.duplicates()) out.push_back(&e);
  return out;
}
}  // namespace

Registrations registered() {
  return {with_duplicates(Registry<algos::RewardMethodInfo>::instance()),
          with_duplicates(Registry<algos::PolicyAlgoInfo>::instance()),
          with_duplicates(Registry<envs::TaskInfo>::instance())};
}

void check_registrations() {
  if (auto problem = registration_problem(registered()); !problem.empty()) throw Error(problem);
}

}  // namespace relabel::config
