// Every registered reward method and policy learner, built-in or added later, conforms: its keys
// are in the schema with its rule, its defaults pass that rule, and what it registers builds and
// runs (a model that relabels, a learner that updates and acts, a latent reward that declares).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "algos/offline/learner.h"
#include "algos/online/world_model_params.h"
#include "algos/online/world_model_reward.h"
#include "algos/policy_registry.h"
#include "algos/reward/reward_model.h"
#include "algos/reward/reward_registry.h"
#include "config/config_schema.h"
#include "config/registration_check.h"

using namespace relabel;

namespace {

Params defaults_of(const std::vector<ConfigKey>& keys) {
  Params p;
  for (const auto& k : keys) p.set(k.name, k.default_value);
  return p;
}

void expect_declared_in_schema(const std::string& section, const std::string& owner,
                               const std::vector<ConfigKey>& keys) {
  for (const auto& k : keys) {
    const relabel::config::KeySpec* spec = relabel::config::find_key(section + "." + k.name);
    ASSERT_NE(spec, nullptr) << owner << ": " << k.name;
    EXPECT_EQ(spec->type, k.type) << spec->path;
    EXPECT_FALSE(k.doc.empty()) << spec->path;
    auto at = std::find(spec->used_by.begin(), spec->used_by.end(), owner);
    ASSERT_NE(at, spec->used_by.end()) << spec->path << " does not list " << owner;
    EXPECT_TRUE(spec->rules[at - spec->used_by.begin()].same_rule(k)) << spec->path;
    ConfigValue out;
    EXPECT_EQ(k.check(k.default_value, &out), "") << spec->path << ": default breaks its rule";
  }
}

}  // namespace

// No duplicate names, no key redeclaring an engine key, what each kind of entry needs: the
// startup check's message names the problem when it fails.
TEST(RegistryConformance, RegistrationsPassTheStartupCheck) {
  EXPECT_EQ(relabel::config::registration_problem(relabel::config::registered()), "");
}

TEST(RegistryConformance, RewardMethods) {
  const auto& choices = relabel::config::find_key("reward.method")->choices;
  ASSERT_GE(algos::reward_methods().size(), 5u);
  for (const auto* m : algos::reward_methods()) {
    SCOPED_TRACE(m->name);
    EXPECT_NE(std::find(choices.begin(), choices.end(), m->name), choices.end());
    EXPECT_FALSE(m->doc.empty());
    EXPECT_TRUE(m->offline || m->online);
    expect_declared_in_schema("reward", m->name, m->keys);
    const Params params = defaults_of(m->keys);
    EXPECT_FALSE(algos::reward_method_label(m->name, params).empty());
    EXPECT_EQ(m->offline, static_cast<bool>(m->make)) << "an offline method builds a model";
    if (m->make) {
      algos::RewardOptions o;
      o.method = m->name;
      o.params = params;
      auto model = algos::make_reward_model(o);
      EXPECT_EQ(model->method(), m->name);
      EXPECT_EQ(model->needs_true_rewards(), m->needs_true_rewards);
    }
    if (m->make_latent) {
      auto reward = m->make_latent(params)({16, 2, 0.5, "cpu"});
      algos::ParamLayout layout;
      reward->declare(layout);
      EXPECT_GT(layout.size(), 0);
    }
  }
}

TEST(RegistryConformance, PolicyLearners) {
  const auto& choices = relabel::config::find_key("policy.algo")->choices;
  ASSERT_GE(algos::policy_algos().size(), 4u);
  for (const auto* a : algos::policy_algos()) {
    SCOPED_TRACE(a->name);
    EXPECT_NE(std::find(choices.begin(), choices.end(), a->name), choices.end());
    EXPECT_FALSE(a->doc.empty());
    expect_declared_in_schema("policy", a->name, a->keys);
    EXPECT_EQ(!a->online, static_cast<bool>(a->make_offline)) << "offline learners build";
    if (!a->make_offline) continue;
    algos::OfflineOptions o;
    o.algo = a->name;
    o.params = defaults_of(a->keys);
    o.obs_dim = 3, o.act_dim = 2, o.hidden = 16, o.total_steps = 10;
    algos::NoSync sync;
    auto learner = algos::make_offline_learner(o, sync);
    torch::manual_seed(0);
    algos::Batch b{torch::randn({8, 3}), torch::rand({8, 2}) * 2 - 1, torch::randn({8}),
                   torch::randn({8, 3}), torch::zeros({8})};
    for (int i = 0; i < 2; ++i)
      for (const auto& [name, value] : learner->update(b).values())
        EXPECT_TRUE(std::isfinite(value)) << name;
    EXPECT_EQ(learner->steps(), 2);
    EXPECT_EQ(learner->act(b.obs).sizes(), torch::IntArrayRef({8, 2}));
  }
}
