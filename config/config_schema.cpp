#include "config/config_schema.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "algos/policy_registry.h"
#include "algos/reward/reward_registry.h"
#include "config/registration_check.h"
#include "core/error.h"

namespace relabel::config {

namespace {

template <class T>
struct Id {
  using type = T;
};

template <class T>
constexpr ValueType value_type_of() {
  if constexpr (std::is_same_v<T, bool>) return ValueType::kBool;
  if constexpr (std::is_same_v<T, int64_t>) return ValueType::kInt;
  if constexpr (std::is_same_v<T, double>) return ValueType::kFloat;
  return ValueType::kString;
}

// Fluent setters for one row of the table.
class Row {
 public:
  Row(std::vector<KeySpec>& keys, size_t index) : keys_(keys), index_(index) {}
  Row& in(double lo, double hi, bool lo_open = false, bool hi_open = false) {
    k().in(lo, hi, lo_open, hi_open);
    return *this;
  }
  Row& at_least(double lo) {
    k().at_least(lo);
    return *this;
  }
  Row& positive() {
    k().positive();
    return *this;
  }
  Row& one_of(std::vector<std::string> choices) {
    k().one_of(std::move(choices));
    return *this;
  }
  Row& optional() {
    k().maybe_unset();
    return *this;
  }
  Row& derived(std::string how) {
    k().derived_as(std::move(how));
    return *this;
  }
  Row& not_hashed() {
    k().hashed = false;
    return *this;
  }
  Row& wide() {
    k().wide = true;
    return *this;
  }
  Row& added_later() {
    k().added_later();
    return *this;
  }

 private:
  KeySpec& k() { return keys_[index_]; }
  std::vector<KeySpec>& keys_;
  size_t index_;
};

template <class Entry>
std::vector<std::string> algos_names(const std::vector<const Entry*>& entries) {
  std::vector<std::string> out;
  for (const auto* e : entries) out.push_back(e->name);
  return out;
}

class Table {
 public:
  template <class T>
  Row top(const char* path, T RunConfig::*field, typename Id<T>::type def, const char* doc) {
    KeySpec k = base<T>(path, def, doc);
    k.get = [field](const RunConfig& c) { return ConfigValue(c.*field); };
    k.set = [field](RunConfig& c, const ConfigValue& v) { c.*field = std::get<T>(v); };
    return push(std::move(k));
  }
  template <class S, class T>
  Row key(const char* path, S RunConfig::*section, T S::*field, typename Id<T>::type def,
          const char* doc) {
    KeySpec k = base<T>(path, def, doc);
    k.get = [section, field](const RunConfig& c) { return ConfigValue((c.*section).*field); };
    k.set = [section, field](RunConfig& c, const ConfigValue& v) {
      (c.*section).*field = std::get<T>(v);
    };
    return push(std::move(k));
  }
  // The keys `owner` (a reward method or learner) declares for [section]: one schema key per
  // name; a name several owners declare must have one type, and keeps its range only where
  // their rules agree (resolution applies the selected owner's rule).
  // `label` names the owner in errors ("reward method 'cdred' (algos/reward/cdred_reward.cpp)").
  template <class S>
  void declared(const char* section, const char* selector, const std::string& owner,
                const std::string& label, const std::vector<ConfigKey>& specs, S RunConfig::*sec) {
    for (const ConfigKey& p : specs) {
      const std::string path = std::string(section) + "." + p.name;
      auto it = find(path);
      if (it != keys.end() && it->selector.empty()) engine_key_taken(*it, label);
      if (it == keys.end()) {
        first_label[path] = label;
        KeySpec k;
        static_cast<ConfigKey&>(k) = p;
        k.path = path;
        k.selector = selector;
        k.used_by = {owner};
        k.rules = {p};
        std::string name = p.name;
        const ConfigValue def = p.default_value;
        k.get = [sec, name, def](const RunConfig& c) {
          const Params& params = (c.*sec).params;
          return params.has(name) ? params.values().at(name) : def;
        };
        k.set = [sec, name](RunConfig& c, const ConfigValue& v) { (c.*sec).params.set(name, v); };
        keys.push_back(std::move(k));
        continue;
      }
      const std::string owners = it->selector == "reward.method" ? "methods" : "learners";
      if (it->type != p.type)
        throw Error(fmt::format(
            "{} is declared as {} by {} and as {} by {}: a key several {} "
            "declare must have one type",
            path, type_name(it->type), first_label[path], type_name(p.type), label, owners));
      // A run's hash must not depend on which owner's declaration was merged first.
      if (it->hash_neutral != p.hash_neutral)
        throw Error(
            fmt::format("{} is declared added_later() differently by {} and by {}: a key "
                        "several {} declare must leave the config hash at one value",
                        path, first_label[path], label, owners));
      it->used_by.push_back(owner);
      it->rules.push_back(p);
      if (!it->same_rule(p)) {
        // Differing rules: the merged key checks the type only and documents each owner's.
        it->choices.clear();
        it->lo.reset(), it->hi.reset();
        it->lo_open = it->hi_open = false;
        std::string how = "per " + std::string(selector) + ":";
        for (size_t i = 0; i < it->used_by.size(); ++i) {
          const ConfigKey& r = it->rules[i];
          auto c = r.constraint();
          how += fmt::format("{} {} {}{}", i ? ";" : "", it->used_by[i],
                             toml_literal(r.default_value), c.empty() ? "" : " (" + c + ")");
        }
        it->derived = how;
      }
    }
  }
  std::vector<KeySpec> keys;

 private:
  std::vector<KeySpec>::iterator find(const std::string& path) {
    return std::find_if(keys.begin(), keys.end(), [&](const KeySpec& k) { return k.path == path; });
  }
  // A declared key merged into an engine key would lose the engine's rule and never apply the
  // owner's default: refused.
  [[noreturn]] static void engine_key_taken(const KeySpec& engine, const std::string& label) {
    const std::string owners = engine.section() == "reward" ? "reward method" : "learner";
    const bool selector = engine.path == "reward.method" || engine.path == "policy.algo";
    throw Error(fmt::format("{} declares {}, which is {}: rename the key", label, engine.path,
                            selector
                                ? "the engine's selector of the " + owners
                                : "the engine's own key (the one every " + owners + " shares)"));
  }
  std::map<std::string, std::string> first_label;  // path -> the first owner declaring it
  template <class T>
  static KeySpec base(const char* path, const T& def, const char* doc) {
    KeySpec k;
    k.path = path;
    k.name = k.leaf();
    k.type = value_type_of<T>();
    k.default_value = ConfigValue(def);
    k.doc = doc;
    return k;
  }
  Row push(KeySpec k) {
    // An engine key placed after the declared keys of its section could meet one.
    if (auto it = find(k.path); it != keys.end()) {
      if (it->selector.empty()) throw Error(k.path + " is declared twice by the engine");
      engine_key_taken(k, first_label[k.path]);
    }
    keys.push_back(std::move(k));
    return Row(keys, keys.size() - 1);
  }
};

const double kNaN = std::numeric_limits<double>::quiet_NaN();

}  // namespace

// Defaults: docs/algorithms.md (CORL for IQL/TD3+BC, the ReLOAD, imputation and CDRED papers,
// TD-MPC2 for the world model). Keep the rows in documentation order.
std::vector<KeySpec> build_schema(const std::vector<const algos::RewardMethodInfo*>& methods,
                                  const std::vector<const algos::PolicyAlgoInfo*>& learners) {
  using R = RunConfig;
  Table t;
  t.top("name", &R::name, std::string(), "run name, used for runs/<name>")
      .derived("the config file's stem (\"run\" when the configuration has no file)");
  t.top("seed", &R::seed, 0, "global seed; each rank seeds from (seed, rank)").at_least(0).wide();

  // [task]
  t.key("task.name", &R::task, &TaskConfig::name, std::string("pendulum"),
        "environment name in the task registry (docs/envs.md)");
  t.key("task.ref_min_score", &R::task, &TaskConfig::ref_min_score, kNaN,
        "override of R_random for the normalised score; unset = dataset/registry value")
      .optional();
  t.key("task.ref_max_score", &R::task, &TaskConfig::ref_max_score, kNaN,
        "override of R_expert for the normalised score; unset = dataset/registry value")
      .optional();

  // [dataset]
  t.key("dataset.name", &R::dataset, &DatasetConfig::name, std::string(),
        "named suite '<task>-<kind>' from the data cache ($RELABEL_DATA); or set path");
  t.key("dataset.generate", &R::dataset, &DatasetConfig::generate, false,
        "generate a named suite missing from the cache with datagen's defaults (minutes of SAC "
        "training); false: the run stops and names the relabel datagen command")
      .not_hashed();
  t.key("dataset.path", &R::dataset, &DatasetConfig::path, std::string(),
        "dataset file (d4rl) or directory (minari), relative to the working directory");
  t.key("dataset.format", &R::dataset, &DatasetConfig::format, std::string("d4rl"),
        "layout of dataset.path")
      .one_of({"d4rl", "minari"});
  t.key("dataset.label_fraction", &R::dataset, &DatasetConfig::label_fraction, 1.0,
        "fraction of transitions that keep their true reward (imputation; another method "
        "refuses a value other than 1.0)")
      .in(0, 1, true, false)
      .derived("0.01 for reward.method = imputation, else 1.0");
  t.key("dataset.label_trajectories", &R::dataset, &DatasetConfig::label_trajectories, false,
        "label whole trajectories instead of single transitions (imputation; another method "
        "refuses true)");
  t.key("dataset.expert_path", &R::dataset, &DatasetConfig::expert_path, std::string(),
        "separate expert dataset file; empty = the best trajectories of the dataset itself");
  t.key("dataset.expert_trajectories", &R::dataset, &DatasetConfig::expert_trajectories, 1,
        "number K of best expert trajectories used as demonstrations")
      .at_least(1);
  t.key("dataset.demonstrations_only", &R::dataset, &DatasetConfig::demonstrations_only, false,
        "train the policy only on the K best trajectories of the dataset (BC on demonstrations)");

  // [reward]: the method, then every key the registered methods declare.
  t.key("reward.method", &R::reward, &RewardConfig::method, std::string("ground_truth"),
        "how transitions are rewarded (algos/reward/reward_registry.h)")
      .one_of(algos_names(methods));
  for (const auto* m : methods)
    t.declared("reward", "reward.method", m->name, describe(*m), m->keys, &R::reward);

  // [policy]
  t.key("policy.algo", &R::policy, &PolicyConfig::algo, std::string("iql"),
        "policy learner (algos/policy_registry.h; world_model = online TD-MPC2-style agent)")
      .one_of(algos_names(learners));
  t.key("policy.hidden", &R::policy, &PolicyConfig::hidden, 256, "hidden width of actor/critics")
      .at_least(1);
  t.key("policy.layers", &R::policy, &PolicyConfig::layers, 2, "hidden layers of actor/critics")
      .at_least(1);
  t.key("policy.lr", &R::policy, &PolicyConfig::lr, 3e-4, "Adam learning rate").positive();
  t.key("policy.gamma", &R::policy, &PolicyConfig::gamma, 0.99,
        "discount factor of the offline learners (the world model: policy.discount)")
      .in(0, 1);
  t.key("policy.tau", &R::policy, &PolicyConfig::tau, 0.005, "Polyak rate of target networks")
      .in(0, 1, true, false);
  t.key("policy.normalize_obs", &R::policy, &PolicyConfig::normalize_obs, true,
        "normalise observations by the dataset mean/std");
  t.key("policy.reward_scaling", &R::policy, &PolicyConfig::reward_scaling, std::string("auto"),
        "reward scaling 1000/(max-min episode return) of the rewards the policy learns from; auto "
        "resolves per learner and task")
      .one_of({"auto", "episode_range", "none"})
      .derived(
          "auto: episode_range for iql on the MuJoCo locomotion tasks (hopper, walker2d, "
          "halfcheetah), none otherwise (pendulum and mountaincar, and every other learner)");
  t.key("policy.kernels", &R::policy, &PolicyConfig::kernels, std::string("auto"),
        "how offline learners compute an update: fast = hand-written CPU kernels, torch = "
        "autograd and torch ops on any device (the same mathematics); auto = fast on the CPU, "
        "torch on cuda")
      .one_of({"auto", "fast", "torch"});
  for (const auto* a : learners)
    t.declared("policy", "policy.algo", a->name, describe(*a), a->keys, &R::policy);

  // [train]
  t.key("train.steps", &R::train, &TrainConfig::steps, 1000000,
        "policy gradient steps of offline learners (online runs: train.env_steps)")
      .at_least(1);
  t.key("train.batch_size", &R::train, &TrainConfig::batch_size, 256,
        "global batch size, split evenly over the run's ranks")
      .at_least(1);
  t.key("train.eval_every", &R::train, &TrainConfig::eval_every, 5000,
        "evaluate every this many steps (environment steps for online runs)")
      .at_least(1);
  t.key("train.eval_episodes", &R::train, &TrainConfig::eval_episodes, 10,
        "episodes per evaluation")
      .at_least(1);
  t.key("train.checkpoint_every", &R::train, &TrainConfig::checkpoint_every, 50000,
        "checkpoint every this many steps (environment steps for online runs); 0 = only the final "
        "one (and one at a preemption)")
      .at_least(0);
  t.key("train.log_every", &R::train, &TrainConfig::log_every, 1000, "log every this many steps")
      .at_least(1);
  t.key("train.env_steps", &R::train, &TrainConfig::env_steps, 100000,
        "environment steps of online runs (policy.algo = world_model)")
      .at_least(1);

  // [parallel]
  t.key("parallel.device", &R::parallel, &ParallelConfig::device, std::string("cpu"),
        "tensor device")
      .one_of({"cpu", "cuda"});
  t.key("parallel.threads_per_rank", &R::parallel, &ParallelConfig::threads_per_rank, 1,
        "torch intra-op threads per MPI rank")
      .in(1, kMaxThreadsPerRank);
  t.key("parallel.ranks_per_run", &R::parallel, &ParallelConfig::ranks_per_run, 1,
        "MPI ranks that train one run data-parallel")
      .at_least(1);

  // [output]
  t.key("output.dir", &R::output, &OutputConfig::dir, std::string(),
        "run directory; relative paths are relative to the working directory")
      .derived("runs/<name>")
      .not_hashed();

  // [logging]
  t.key("logging.tensorboard", &R::logging, &LoggingConfig::tensorboard, true,
        "write TensorBoard event files (losses, scores, updates/s) next to metrics.jsonl")
      .not_hashed();
  return std::move(t.keys);
}

std::string KeySpec::section() const {
  auto dot = path.find('.');
  return dot == std::string::npos ? std::string() : path.substr(0, dot);
}

std::string KeySpec::leaf() const { return path.substr(path.find('.') + 1); }

const std::string& selected_owner(const KeySpec& key, const RunConfig& config) {
  static const std::string none;
  if (key.selector.empty()) return none;
  return key.selector == "reward.method" ? config.reward.method : config.policy.algo;
}

bool key_in_use(const KeySpec& key, const RunConfig& config) {
  if (key.selector.empty()) return true;
  const std::string& owner = selected_owner(key, config);
  return std::find(key.used_by.begin(), key.used_by.end(), owner) != key.used_by.end();
}

const std::vector<KeySpec>& run_schema() {
  static const std::vector<KeySpec> schema =
      build_schema(algos::reward_methods(), algos::policy_algos());
  return schema;
}

const std::vector<std::string>& section_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& k : run_schema()) {
      auto s = k.section();
      if (!s.empty() && std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
    }
    return out;
  }();
  return names;
}

const KeySpec* find_key(const std::string& path) {
  static const std::map<std::string, const KeySpec*> index = [] {
    std::map<std::string, const KeySpec*> m;
    for (const auto& k : run_schema()) m[k.path] = &k;
    return m;
  }();
  auto it = index.find(path);
  return it == index.end() ? nullptr : it->second;
}

std::string suggest_key(const std::string& path) {
  auto dot = path.find('.');
  std::string section = dot == std::string::npos ? "" : path.substr(0, dot);
  std::string leaf = path.substr(dot == std::string::npos ? 0 : dot + 1);
  auto leaves_of = [](const std::string& s) {
    std::vector<std::string> out;
    for (const auto& k : run_schema())
      if (k.section() == s) out.push_back(k.leaf());
    return out;
  };
  auto join = [](const std::string& s, const std::string& l) {
    return s.empty() ? l : s + "." + l;
  };
  // A typo in the leaf ('policy.expectle'), then in the section ('polcy.expectile'), then the
  // right leaf in another section ('policy.zeta' -> 'reward.zeta').
  auto near = closest(leaf, leaves_of(section));
  if (!near.empty()) return join(section, near);
  if (auto s = suggest_section(section); !s.empty() && s != section) {
    near = closest(leaf, leaves_of(s));
    if (!near.empty()) return join(s, near);
  }
  std::string best;
  size_t best_d = std::max<size_t>(1, leaf.size() / 4) + 1;
  for (const auto& k : run_schema()) {
    size_t d = edit_distance(leaf, k.leaf());
    if (d < best_d) best = k.path, best_d = d;
  }
  return best;
}

std::string suggest_section(const std::string& name) { return closest(name, section_names()); }

std::string check_value(const KeySpec& key, const ConfigValue& value, ConfigValue* out) {
  return key.check(value, out);
}

RunConfig default_run_config() {
  RunConfig c;
  // Declared keys stay unset until resolution fills the selected method's / learner's.
  for (const auto& k : run_schema())
    if (k.selector.empty()) k.set(c, k.default_value);
  return c;
}

std::string toml_literal(const ConfigValue& value) {
  if (type_of(value) != ValueType::kString) return value_text(value);
  std::string out = "\"";
  for (unsigned char ch : std::get<std::string>(value)) {
    switch (ch) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (ch < 0x20 || ch == 0x7f)
          out += fmt::format("\\u{:04X}", ch);
        else
          out += static_cast<char>(ch);
    }
  }
  return out + "\"";
}

}  // namespace relabel::config
