// The schema table: published defaults (docs/algorithms.md), accessors, suggestions, values.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "config/config_schema.h"

using namespace relabel;
using namespace relabel::config;

TEST(ConfigSchema, DefaultsFollowAlgorithmsSpec) {
  auto c = default_run_config();
  EXPECT_EQ(c.task.name, "pendulum");
  EXPECT_TRUE(std::isnan(c.task.ref_min_score));
  EXPECT_EQ(c.dataset.format, "d4rl");
  EXPECT_EQ(c.dataset.expert_trajectories, 1);
  EXPECT_EQ(c.reward.method, "ground_truth");
  // Declared keys: the defaults their methods and learners register.
  auto def = [](const char* path) { return find_key(path)->default_value; };
  EXPECT_EQ(def("reward.predictor_steps"), ConfigValue(int64_t{2000}));
  EXPECT_EQ(def("reward.embed_dim"), ConfigValue(int64_t{128}));
  EXPECT_EQ(def("reward.lr"), ConfigValue(1e-3));
  EXPECT_EQ(def("reward.reward_steps"), ConfigValue(int64_t{5000}));
  EXPECT_EQ(def("reward.holdout_fraction"), ConfigValue(0.1));
  EXPECT_EQ(def("reward.num_targets"), ConfigValue(int64_t{5}));
  EXPECT_EQ(def("reward.zeta"), ConfigValue(0.8));
  EXPECT_EQ(def("reward.target_hidden"), ConfigValue(int64_t{512}));
  EXPECT_EQ(c.policy.algo, "iql");
  EXPECT_DOUBLE_EQ(c.policy.lr, 3e-4);
  EXPECT_DOUBLE_EQ(c.policy.gamma, 0.99);
  EXPECT_DOUBLE_EQ(c.policy.tau, 0.005);
  EXPECT_EQ(def("policy.expectile"), ConfigValue(0.7));
  EXPECT_EQ(def("policy.temperature"), ConfigValue(3.0));
  EXPECT_EQ(def("policy.max_weight"), ConfigValue(100.0));
  EXPECT_EQ(def("policy.alpha"), ConfigValue(2.5));
  EXPECT_EQ(def("policy.policy_noise"), ConfigValue(0.2));
  EXPECT_EQ(def("policy.noise_clip"), ConfigValue(0.5));
  EXPECT_EQ(def("policy.policy_delay"), ConfigValue(int64_t{2}));
  EXPECT_EQ(def("policy.actor_cosine"), ConfigValue(true));
  EXPECT_EQ(def("policy.horizon"), ConfigValue(int64_t{3}));
  EXPECT_EQ(def("policy.num_q"), ConfigValue(int64_t{2}));
  // Who declares what.
  EXPECT_EQ(find_key("policy.expectile")->used_by, std::vector<std::string>{"iql"});
  EXPECT_EQ(find_key("reward.hidden")->used_by, (std::vector<std::string>{"imputation", "reload"}));
  EXPECT_EQ(find_key("reward.alpha")->used_by, (std::vector<std::string>{"cdred", "reload"}));
  EXPECT_EQ(c.train.steps, 1000000);
  EXPECT_EQ(c.train.batch_size, 256);
  EXPECT_EQ(c.train.eval_every, 5000);
  EXPECT_EQ(c.train.checkpoint_every, 50000);
  EXPECT_EQ(c.parallel.device, "cpu");
  EXPECT_EQ(c.parallel.ranks_per_run, 1);
}

TEST(ConfigSchema, EveryKeyIsDocumentedUniqueAndReachesItsMember) {
  std::set<std::string> paths;
  for (const auto& key : run_schema()) {
    EXPECT_TRUE(paths.insert(key.path).second) << "duplicate " << key.path;
    EXPECT_FALSE(key.doc.empty()) << key.path;
    EXPECT_EQ(find_key(key.path), &key);
    // The setter writes the member the getter reads: set a distinct value, read it back.
    RunConfig c = default_run_config();
    ConfigValue v;
    switch (key.type) {
      case ValueType::kBool:
        v = !std::get<bool>(key.get(c));
        break;
      case ValueType::kInt:
        v = std::get<int64_t>(key.get(c)) + 17;
        break;
      case ValueType::kFloat:
        v = 0.123;
        break;
      case ValueType::kString:
        v = std::string("x") + key.path;
        break;
    }
    key.set(c, v);
    EXPECT_EQ(key.get(c), v) << key.path;
    // ...and no other key changed.
    RunConfig d = default_run_config();
    size_t changed = 0;
    for (const auto& other : run_schema()) {
      auto a = other.get(c), b = other.get(d);
      bool both_nan = other.type == ValueType::kFloat && std::isnan(std::get<double>(a)) &&
                      std::isnan(std::get<double>(b));
      changed += !(a == b || both_nan);
    }
    EXPECT_EQ(changed, 1u) << key.path;
  }
  for (const char* k :
       {"name", "seed", "task.name", "dataset.label_trajectories", "reward.predictor_layers",
        "policy.seed_steps", "train.env_steps", "parallel.threads_per_rank", "output.dir"})
    EXPECT_TRUE(find_key(k)) << k;
  EXPECT_EQ(find_key("policy.expectle"), nullptr);
}

TEST(ConfigSchema, Suggestions) {
  EXPECT_EQ(suggest_key("policy.expectle"), "policy.expectile");
  EXPECT_EQ(suggest_key("reward.zta"), "reward.zeta");
  EXPECT_EQ(suggest_key("policy.zeta"), "reward.zeta");
  EXPECT_EQ(suggest_key("train.stesp"), "train.steps");
  EXPECT_EQ(suggest_key("polcy.expectile"), "policy.expectile");
  EXPECT_EQ(suggest_key("train.quantum_flux"), "");
  EXPECT_EQ(suggest_section("rewrd"), "reward");
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
}

TEST(ConfigSchema, CheckValueConvertsAndBounds) {
  ConfigValue out;
  const auto& expectile = *find_key("policy.expectile");
  EXPECT_EQ(check_value(expectile, int64_t{1}, &out), "must be in (0, 1), got 1.0");
  EXPECT_EQ(check_value(expectile, std::string("a"), &out), "expected float, got string");
  EXPECT_EQ(check_value(expectile, 0.5, &out), "");
  EXPECT_EQ(out, ConfigValue(0.5));
  const auto& beta = *find_key("reward.beta");
  EXPECT_EQ(check_value(beta, int64_t{2}, &out), "");
  EXPECT_EQ(out, ConfigValue(2.0));  // integer literal accepted for a float key
  EXPECT_EQ(check_value(beta, std::numeric_limits<double>::infinity(), &out),
            "must be finite, got inf");
  const auto& steps = *find_key("train.steps");
  EXPECT_EQ(check_value(steps, 2.0, &out), "expected integer, got float");
  // Integers the code holds in 32 bits are refused beyond them (4294967298 evaluated 2
  // episodes); the seed uses all 64.
  EXPECT_EQ(check_value(*find_key("train.eval_episodes"), int64_t{4294967298}, &out),
            "must be at most 2147483647 in magnitude, got 4294967298");
  EXPECT_EQ(check_value(steps, int64_t{2147483647}, &out), "");
  EXPECT_EQ(check_value(*find_key("seed"), int64_t{4294967298}, &out), "");
  EXPECT_EQ(out, ConfigValue(int64_t{4294967298}));
  EXPECT_EQ(check_value(*find_key("parallel.device"), std::string("gpu"), &out),
            "must be one of cpu|cuda, got \"gpu\" (did you mean \"cpu\"?)");
}

TEST(ConfigSchema, ValueText) {
  EXPECT_EQ(value_text(0.1), "0.1");
  EXPECT_EQ(value_text(3.0), "3.0");
  EXPECT_EQ(value_text(1e-05), "1e-05");
  EXPECT_EQ(value_text(int64_t{1000000}), "1000000");
  EXPECT_EQ(value_text(true), "true");
  EXPECT_EQ(toml_literal(std::string("a\"b")), "\"a\\\"b\"");
  for (double x : {0.1, 1.0 / 3.0, 1e300, -2.5e-12, 123456789.125})
    EXPECT_EQ(std::stod(value_text(x)), x) << value_text(x);
}
