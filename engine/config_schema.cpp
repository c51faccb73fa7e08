#include "engine/config_schema.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

namespace relabel::engine {

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
    k().lo = lo, k().hi = hi, k().lo_open = lo_open, k().hi_open = hi_open;
    return *this;
  }
  Row& at_least(double lo) {
    k().lo = lo;
    return *this;
  }
  Row& positive() {
    k().lo = 0.0, k().lo_open = true;
    return *this;
  }
  Row& one_of(std::vector<std::string> choices) {
    k().choices = std::move(choices);
    return *this;
  }
  Row& optional() {
    k().optional = true;
    return *this;
  }
  Row& derived(std::string how) {
    k().derived = std::move(how);
    return *this;
  }

 private:
  KeySpec& k() { return keys_[index_]; }
  std::vector<KeySpec>& keys_;
  size_t index_;
};

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
  std::vector<KeySpec> keys;

 private:
  template <class T>
  static KeySpec base(const char* path, const T& def, const char* doc) {
    KeySpec k;
    k.path = path;
    k.type = value_type_of<T>();
    k.default_value = ConfigValue(def);
    k.doc = doc;
    return k;
  }
  Row push(KeySpec k) {
    keys.push_back(std::move(k));
    return Row(keys, keys.size() - 1);
  }
};

const double kNaN = std::numeric_limits<double>::quiet_NaN();

// Defaults: docs/algorithms.md (CORL for IQL/TD3+BC, the ReLOAD, imputation and CDRED papers,
// TD-MPC2 for the world model). Keep the rows in documentation order.
std::vector<KeySpec> build_schema() {
  using R = RunConfig;
  Table t;
  t.top("name", &R::name, std::string(), "run name, used for runs/<name>")
      .derived("the config file's stem");
  t.top("seed", &R::seed, 0, "global seed; each rank seeds from (seed, rank)").at_least(0);

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
        "named suite '<task>-<kind>' from the data cache (generated if missing); or set path");
  t.key("dataset.path", &R::dataset, &DatasetConfig::path, std::string(),
        "dataset file (d4rl) or directory (minari), relative to the working directory");
  t.key("dataset.format", &R::dataset, &DatasetConfig::format, std::string("d4rl"),
        "layout of dataset.path")
      .one_of({"d4rl", "minari"});
  t.key("dataset.label_fraction", &R::dataset, &DatasetConfig::label_fraction, 1.0,
        "fraction of transitions that keep their true reward (imputation)")
      .in(0, 1, true, false)
      .derived("0.01 for reward.method = imputation, else 1.0");
  t.key("dataset.label_trajectories", &R::dataset, &DatasetConfig::label_trajectories, false,
        "label whole trajectories instead of single transitions");
  t.key("dataset.expert_path", &R::dataset, &DatasetConfig::expert_path, std::string(),
        "separate expert dataset file; empty = the best trajectories of the dataset itself");
  t.key("dataset.expert_trajectories", &R::dataset, &DatasetConfig::expert_trajectories, 1,
        "number K of best expert trajectories used as demonstrations")
      .at_least(1);
  t.key("dataset.demonstrations_only", &R::dataset, &DatasetConfig::demonstrations_only, false,
        "train the policy only on the K best trajectories of the dataset (BC on demonstrations)");

  // [reward]
  t.key("reward.method", &R::reward, &RewardConfig::method, std::string("ground_truth"),
        "how transitions are rewarded")
      .one_of({"ground_truth", "zero", "reload", "imputation", "cdred"});
  t.key("reward.alpha", &R::reward, &RewardConfig::alpha, 1.0,
        "ReLOAD reward scale alpha; CDRED mix alpha in [0, 1]")
      .derived("reload 1.0, cdred 0.9, other methods 1.0");
  t.key("reward.beta", &R::reward, &RewardConfig::beta, 1.0,
        "ReLOAD sharpness beta in alpha*exp(-beta*e/mean_e)")
      .positive();
  t.key("reward.predictor_steps", &R::reward, &RewardConfig::predictor_steps, 2000,
        "ReLOAD predictor training steps on the expert transitions")
      .at_least(1);
  t.key("reward.hidden", &R::reward, &RewardConfig::hidden, 256,
        "hidden width of the ReLOAD networks and the imputation model")
      .at_least(1);
  t.key("reward.embed_dim", &R::reward, &RewardConfig::embed_dim, 128,
        "ReLOAD target/predictor output dimension")
      .at_least(1);
  t.key("reward.lr", &R::reward, &RewardConfig::lr, 1e-3, "Adam learning rate of reward models")
      .positive();
  t.key("reward.batch_size", &R::reward, &RewardConfig::batch_size, 256,
        "batch size of reward model training")
      .at_least(1);
  t.key("reward.reward_steps", &R::reward, &RewardConfig::reward_steps, 5000,
        "imputation reward model training steps")
      .at_least(1);
  t.key("reward.holdout_fraction", &R::reward, &RewardConfig::holdout_fraction, 0.1,
        "fraction of the labelled subset held out for early stopping (imputation)")
      .in(0, 0.5);
  t.key("reward.baseline", &R::reward, &RewardConfig::baseline, std::string("none"),
        "imputation baseline: labelled subset only, or all true rewards")
      .one_of({"none", "labels_only", "full"});
  t.key("reward.num_targets", &R::reward, &RewardConfig::num_targets, 5,
        "CDRED number K of frozen random target networks")
      .at_least(1);
  t.key("reward.zeta", &R::reward, &RewardConfig::zeta, 0.8,
        "CDRED weight of the expert term (1 = no behavioural coupling)")
      .in(0, 1);
  t.key("reward.sigma", &R::reward, &RewardConfig::sigma, 1.0, "CDRED scale sigma of the bonus")
      .positive();
  t.key("reward.g", &R::reward, &RewardConfig::g, std::string("identity"),
        "CDRED output transform g")
      .one_of({"identity", "exp"});
  t.key("reward.coef", &R::reward, &RewardConfig::coef, 0.1,
        "CDRED predictor loss coefficient in the world-model loss")
      .at_least(0);
  t.key("reward.target_hidden", &R::reward, &RewardConfig::target_hidden, 512,
        "CDRED target network hidden width")
      .at_least(1);
  t.key("reward.predictor_hidden", &R::reward, &RewardConfig::predictor_hidden, 1024,
        "CDRED predictor hidden width")
      .at_least(1)
      .derived("256 (CPU preset) when parallel.device = cpu, else 1024");
  t.key("reward.predictor_layers", &R::reward, &RewardConfig::predictor_layers, 3,
        "CDRED predictor hidden layers")
      .at_least(1);

  // [policy]
  t.key("policy.algo", &R::policy, &PolicyConfig::algo, std::string("iql"),
        "policy learner (world_model = online TD-MPC2-style agent)")
      .one_of({"iql", "td3bc", "bc", "world_model"});
  t.key("policy.hidden", &R::policy, &PolicyConfig::hidden, 256, "hidden width of actor/critics")
      .at_least(1);
  t.key("policy.layers", &R::policy, &PolicyConfig::layers, 2, "hidden layers of actor/critics")
      .at_least(1);
  t.key("policy.lr", &R::policy, &PolicyConfig::lr, 3e-4, "Adam learning rate").positive();
  t.key("policy.gamma", &R::policy, &PolicyConfig::gamma, 0.99, "discount factor").in(0, 1);
  t.key("policy.tau", &R::policy, &PolicyConfig::tau, 0.005, "Polyak rate of target networks")
      .in(0, 1, true, false);
  t.key("policy.expectile", &R::policy, &PolicyConfig::expectile, 0.7,
        "IQL expectile of the value loss")
      .in(0, 1, true, true);
  t.key("policy.temperature", &R::policy, &PolicyConfig::temperature, 3.0,
        "IQL inverse temperature beta of the advantage weights")
      .at_least(0);
  t.key("policy.max_weight", &R::policy, &PolicyConfig::max_weight, 100.0,
        "IQL clip of the advantage weight exp(beta*adv)")
      .positive();
  t.key("policy.deterministic_actor", &R::policy, &PolicyConfig::deterministic_actor, false,
        "IQL deterministic actor (weighted MSE) instead of Gaussian");
  t.key("policy.actor_cosine", &R::policy, &PolicyConfig::actor_cosine, true,
        "cosine-anneal the IQL actor learning rate over the run");
  t.key("policy.alpha", &R::policy, &PolicyConfig::alpha, 2.5, "TD3+BC alpha (Q-term weight)")
      .at_least(0);
  t.key("policy.policy_noise", &R::policy, &PolicyConfig::policy_noise, 0.2,
        "TD3+BC target policy noise (times max_action)")
      .at_least(0);
  t.key("policy.noise_clip", &R::policy, &PolicyConfig::noise_clip, 0.5,
        "TD3+BC target noise clip (times max_action)")
      .at_least(0);
  t.key("policy.policy_delay", &R::policy, &PolicyConfig::policy_delay, 2,
        "TD3+BC actor update every this many critic updates")
      .at_least(1);
  t.key("policy.normalize_obs", &R::policy, &PolicyConfig::normalize_obs, true,
        "normalise observations by the dataset mean/std");
  t.key("policy.reward_scaling", &R::policy, &PolicyConfig::reward_scaling, std::string("auto"),
        "reward scaling 1000/(max-min episode return); auto = episode_range for iql, else none")
      .one_of({"auto", "episode_range", "none"})
      .derived("auto: episode_range for policy.algo = iql, else none");
  t.key("policy.preset", &R::policy, &PolicyConfig::preset, std::string("cpu-small"),
        "world-model size preset")
      .one_of({"cpu-small", "1M", "5M"})
      .derived("cpu-small when parallel.device = cpu, else 1M");
  t.key("policy.mppi", &R::policy, &PolicyConfig::mppi, false,
        "world model: plan with MPPI instead of acting with the policy prior");
  t.key("policy.horizon", &R::policy, &PolicyConfig::horizon, 3,
        "world model: rollout/planning horizon")
      .at_least(1);
  t.key("policy.num_q", &R::policy, &PolicyConfig::num_q, 2, "world model: Q ensemble size")
      .at_least(2);
  t.key("policy.two_hot", &R::policy, &PolicyConfig::two_hot, true,
        "world model: two-hot (101 symlog bins) reward/value heads instead of scalar");
  t.key("policy.seed_steps", &R::policy, &PolicyConfig::seed_steps, 0,
        "world model: random steps before updates; 0 = max(1000, 5*episode length)")
      .at_least(0);

  // [train]
  t.key("train.steps", &R::train, &TrainConfig::steps, 1000000, "policy gradient steps")
      .at_least(1);
  t.key("train.batch_size", &R::train, &TrainConfig::batch_size, 256,
        "global batch size, split evenly over the run's ranks")
      .at_least(1);
  t.key("train.eval_every", &R::train, &TrainConfig::eval_every, 5000,
        "evaluate every this many steps")
      .at_least(1);
  t.key("train.eval_episodes", &R::train, &TrainConfig::eval_episodes, 10,
        "episodes per evaluation")
      .at_least(1);
  t.key("train.checkpoint_every", &R::train, &TrainConfig::checkpoint_every, 50000,
        "checkpoint every this many steps; 0 = never")
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
      .at_least(1);
  t.key("parallel.ranks_per_run", &R::parallel, &ParallelConfig::ranks_per_run, 1,
        "MPI ranks that train one run data-parallel")
      .at_least(1);

  // [output]
  t.key("output.dir", &R::output, &OutputConfig::dir, std::string(),
        "run directory; relative paths are relative to the working directory")
      .derived("runs/<name>");
  return std::move(t.keys);
}

std::string format_bound(double v) { return fmt::format("{}", v); }

}  // namespace

const char* type_name(ValueType type) {
  switch (type) {
    case ValueType::kBool:
      return "boolean";
    case ValueType::kInt:
      return "integer";
    case ValueType::kFloat:
      return "float";
    case ValueType::kString:
      return "string";
  }
  return "?";
}

ValueType type_of(const ConfigValue& value) { return static_cast<ValueType>(value.index()); }

std::string KeySpec::section() const {
  auto dot = path.find('.');
  return dot == std::string::npos ? std::string() : path.substr(0, dot);
}

std::string KeySpec::leaf() const { return path.substr(path.find('.') + 1); }

std::string KeySpec::constraint() const {
  if (!choices.empty()) {
    std::string s = "one of ";
    for (size_t i = 0; i < choices.size(); ++i) s += (i ? "|" : "") + choices[i];
    return s;
  }
  if (lo && hi)
    return fmt::format("in {}{}, {}{}", lo_open ? "(" : "[", format_bound(*lo), format_bound(*hi),
                       hi_open ? ")" : "]");
  if (lo) return fmt::format("{} {}", lo_open ? ">" : ">=", format_bound(*lo));
  if (hi) return fmt::format("{} {}", hi_open ? "<" : "<=", format_bound(*hi));
  return "";
}

const std::vector<KeySpec>& run_schema() {
  static const std::vector<KeySpec> schema = build_schema();
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

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string closest(const std::string& word, const std::vector<std::string>& candidates) {
  // Close enough to be a typo: at most a third of the word's letters (and at least 2) differ.
  size_t limit = std::max<size_t>(2, word.size() / 3);
  std::string best;
  size_t best_d = limit + 1;
  for (const auto& c : candidates) {
    size_t d = edit_distance(word, c);
    if (d < best_d) best = c, best_d = d;
  }
  return best;
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
  ConfigValue v = value;
  if (key.type == ValueType::kFloat && type_of(v) == ValueType::kInt)
    v = static_cast<double>(std::get<int64_t>(v));
  if (type_of(v) != key.type)
    return fmt::format("expected {}, got {}", type_name(key.type), type_name(type_of(value)));
  if (key.type == ValueType::kString && !key.choices.empty()) {
    const auto& s = std::get<std::string>(v);
    if (std::find(key.choices.begin(), key.choices.end(), s) == key.choices.end()) {
      auto msg = fmt::format("must be {}, got \"{}\"", key.constraint(), s);
      auto guess = closest(s, key.choices);
      if (!guess.empty()) msg += fmt::format(" (did you mean \"{}\"?)", guess);
      return msg;
    }
  }
  if (key.type == ValueType::kInt || key.type == ValueType::kFloat) {
    double x = key.type == ValueType::kInt ? static_cast<double>(std::get<int64_t>(v))
                                           : std::get<double>(v);
    std::string text = value_text(v);
    if (std::isnan(x) && !key.optional) return "must be a number, got nan";
    if (std::isinf(x)) return fmt::format("must be finite, got {}", text);
    if (!std::isnan(x)) {
      bool below = key.lo && (key.lo_open ? x <= *key.lo : x < *key.lo);
      bool above = key.hi && (key.hi_open ? x >= *key.hi : x > *key.hi);
      if (below || above) return fmt::format("must be {}, got {}", key.constraint(), text);
    }
  }
  *out = std::move(v);
  return "";
}

RunConfig default_run_config() {
  RunConfig c;
  for (const auto& k : run_schema()) k.set(c, k.default_value);
  return c;
}

std::string value_text(const ConfigValue& value) {
  switch (type_of(value)) {
    case ValueType::kBool:
      return std::get<bool>(value) ? "true" : "false";
    case ValueType::kInt:
      return std::to_string(std::get<int64_t>(value));
    case ValueType::kFloat: {
      double x = std::get<double>(value);
      if (std::isnan(x)) return "nan";
      if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
      // fmt's default is the shortest representation that reads back to the same double.
      std::string s = fmt::format("{}", x);
      if (s.find_first_of(".e") == std::string::npos) s += ".0";
      return s;
    }
    case ValueType::kString:
      return std::get<std::string>(value);
  }
  return "";
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

}  // namespace relabel::engine
