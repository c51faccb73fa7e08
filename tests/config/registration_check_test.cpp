// The startup check of the registrations (config/registration_check.h) on crafted entries added
// to the live ones: registering a bad entry in this binary would break every other test in it.
// Each problem is refused with one line naming the entry, its file and what to change.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "algos/offline/learner.h"
#include "algos/online/world_model_reward.h"
#include "algos/policy_registry.h"
#include "algos/reward/reward_model.h"
#include "algos/reward/reward_registry.h"
#include "config/config_schema.h"
#include "config/registration_check.h"
#include "core/error.h"
#include "envs/registry.h"

namespace relabel::config {
namespace {

// A valid offline method and learner: each test breaks one thing.
algos::RewardMethodInfo method(const std::string& name) {
  algos::RewardMethodInfo m;
  m.name = name;
  m.file = "my/" + name + ".cpp";
  m.doc = "a crafted method";
  m.make = [](const algos::RewardOptions&) { return std::unique_ptr<algos::RewardModel>(); };
  return m;
}

algos::PolicyAlgoInfo learner(const std::string& name) {
  algos::PolicyAlgoInfo a;
  a.name = name;
  a.file = "my/" + name + ".cpp";
  a.doc = "a crafted learner";
  a.make_offline = [](const algos::OfflineOptions&, algos::GradSync&) {
    return std::unique_ptr<algos::OfflineLearner>();
  };
  return a;
}

// The live registrations plus the crafted ones.
std::string problem_with(std::vector<algos::RewardMethodInfo> methods,
                         std::vector<algos::PolicyAlgoInfo> learners = {}) {
  Registrations r = registered();
  for (const auto& m : methods) r.reward_methods.push_back(&m);
  for (const auto& a : learners) r.policy_algos.push_back(&a);
  return registration_problem(r);
}

std::string problem_with_learner(algos::PolicyAlgoInfo a) { return problem_with({}, {a}); }

}  // namespace

TEST(RegistrationCheck, TheBuiltInRegistrationsPass) {
  EXPECT_EQ(registration_problem(registered()), "");
  EXPECT_EQ(problem_with({method("my_reward")}, {learner("my_learner")}), "");
}

TEST(RegistrationCheck, ADuplicateNameNamesBothFiles) {
  EXPECT_EQ(problem_with({method("zero")}),
            "reward method 'zero' is registered twice, in algos/reward/zero_reward.cpp and in "
            "my/zero.cpp: rename one (which of them a run gets would depend on the link order)");
  EXPECT_EQ(problem_with_learner(learner("bc")),
            "policy learner 'bc' is registered twice, in algos/offline/bc.cpp and in my/bc.cpp: "
            "rename one (which of them a run gets would depend on the link order)");

  envs::TaskInfo task;
  task.name = "pendulum";
  task.file = "my/pendulum.cpp";
  Registrations r = registered();
  r.tasks.push_back(&task);
  EXPECT_EQ(registration_problem(r),
            "task 'pendulum' is registered twice, in envs/pendulum.cpp and in my/pendulum.cpp: "
            "rename one (which of them a run gets would depend on the link order)");
}

TEST(RegistrationCheck, AKeyCannotRedeclareAnEngineKey) {
  auto lr = learner("my_learner");
  lr.keys = {param("lr", 1e-3, "its own learning rate").positive()};
  EXPECT_EQ(problem_with_learner(lr),
            "policy learner 'my_learner' (my/my_learner.cpp) declares policy.lr, which is the "
            "engine's own key (the one every learner shares): rename the key");

  auto algo = learner("my_learner");
  algo.keys = {param("algo", "x", "a variant")};
  EXPECT_EQ(problem_with_learner(algo),
            "policy learner 'my_learner' (my/my_learner.cpp) declares policy.algo, which is the "
            "engine's selector of the learner: rename the key");

  auto m = method("my_reward");
  m.keys = {param("method", "a", "a variant")};
  EXPECT_EQ(problem_with({m}),
            "reward method 'my_reward' (my/my_reward.cpp) declares reward.method, which is the "
            "engine's selector of the reward method: rename the key");
}

TEST(RegistrationCheck, ADefaultMustPassItsOwnRule) {
  auto m = method("my_reward");
  m.keys = {param("k", 0.0, "a scale").positive()};
  EXPECT_EQ(problem_with({m}),
            "reward method 'my_reward' (my/my_reward.cpp) declares reward.k with default 0.0, "
            "which its own rule refuses: must be > 0, got 0.0");

  auto a = learner("my_learner");
  a.keys = {param("mode", "medium", "a mode").one_of({"fast", "slow"})};
  EXPECT_EQ(problem_with_learner(a),
            "policy learner 'my_learner' (my/my_learner.cpp) declares policy.mode with default "
            "\"medium\", which its own rule refuses: must be one of fast|slow, got \"medium\"");

  // An optional key is unset (NaN) by default.
  auto unset = method("my_reward");
  unset.keys = {param("bound", std::nan(""), "a bound").positive().maybe_unset()};
  EXPECT_EQ(problem_with({unset}), "");
}

TEST(RegistrationCheck, AKeyIsDocumentedAndDeclaredOnce) {
  auto m = method("my_reward");
  m.keys = {param("k", 1.0, "a scale"), param("k", 2.0, "again")};
  EXPECT_EQ(problem_with({m}),
            "reward method 'my_reward' (my/my_reward.cpp) declares reward.k twice");
  m.keys = {param("k", 1.0, "")};
  EXPECT_EQ(problem_with({m}),
            "reward method 'my_reward' (my/my_reward.cpp) declares reward.k without a doc (one "
            "line for the configuration reference)");
}

TEST(RegistrationCheck, EachKindOfEntryHasWhatItsRunsUse) {
  auto offline = method("my_reward");
  offline.make = nullptr;
  EXPECT_EQ(problem_with({offline}),
            "reward method 'my_reward' (my/my_reward.cpp) is offline (the default) but has no "
            "make: set make, the factory of its RewardModel (or offline = false for an "
            "online-only method)");

  // An online method without make_latent would train on the environment's reward.
  auto online = method("my_reward");
  online.make = nullptr;
  online.offline = false, online.online = true;
  EXPECT_EQ(problem_with({online}),
            "reward method 'my_reward' (my/my_reward.cpp) is online but has no make_latent: set "
            "make_latent, the factory of its LatentReward (without it the world model learns "
            "the environment's own reward, which only a method that reads the true reward, like "
            "ground_truth, means)");
  online.make_latent = [](const Params&) {
    return [](const algos::LatentRewardShape&) { return std::unique_ptr<algos::LatentReward>(); };
  };
  EXPECT_EQ(problem_with({online}), "");
  online.online = false;
  EXPECT_EQ(problem_with({online}),
            "reward method 'my_reward' (my/my_reward.cpp) serves no run: set offline (it "
            "relabels a dataset) and/or online (a reward on the world model's latents)");

  auto stray = method("my_reward");
  stray.offline = false, stray.online = true, stray.needs_true_rewards = true;
  EXPECT_EQ(problem_with({stray}),
            "reward method 'my_reward' (my/my_reward.cpp) sets make but offline = false: only "
            "offline runs use make");

  auto no_make = learner("my_learner");
  no_make.make_offline = nullptr;
  EXPECT_EQ(problem_with_learner(no_make),
            "policy learner 'my_learner' (my/my_learner.cpp) is offline (the default) but has no "
            "make_offline: set make_offline, the factory of its OfflineLearner");

  auto agent = learner("my_agent");
  agent.make_offline = nullptr;
  agent.online = true;
  EXPECT_EQ(problem_with_learner(agent),
            "policy learner 'my_agent' (my/my_agent.cpp) is online, but the engine's one online "
            "agent is world_model (an online run trains it whatever policy.algo names): register "
            "an offline learner (make_offline)");
}

TEST(RegistrationCheck, AnEntryHasADoc) {
  auto m = method("my_reward");
  m.doc.clear();
  EXPECT_EQ(problem_with({m}),
            "reward method 'my_reward' (my/my_reward.cpp) has no doc: set doc, one line for the "
            "configuration reference");
  auto a = learner("my_learner");
  a.doc.clear();
  EXPECT_EQ(problem_with_learner(a),
            "policy learner 'my_learner' (my/my_learner.cpp) has no doc: set doc, one line for "
            "the configuration reference");
}

TEST(RegistrationCheck, ASharedKeyHasOneType) {
  auto m = method("qa_alpha");
  m.keys = {param("alpha", 1, "an integer alpha")};
  const std::string expected =
      "reward.alpha is declared as float by reward method 'cdred' "
      "(algos/reward/cdred_reward.cpp) and as integer by reward method 'qa_alpha' "
      "(my/qa_alpha.cpp): a key several methods declare must have one type";
  EXPECT_EQ(problem_with({m}), expected);

  // The schema itself refuses it as bad input (exit 2), not as a logic error.
  auto methods = algos::reward_methods();
  methods.push_back(&m);
  try {
    build_schema(methods, algos::policy_algos());
    ADD_FAILURE() << "build_schema accepted reward.alpha of two types";
  } catch (const Error& e) {
    EXPECT_EQ(e.what(), expected);
    EXPECT_EQ(e.exit_code(), kExitUsage);
  }
}

TEST(RegistrationCheck, ASharedKeyIsAddedLaterAlike) {
  auto a = learner("my_learner");
  a.keys = {param("expectile", 0.7, "an expectile").in(0, 1, true, true).added_later()};
  EXPECT_EQ(problem_with_learner(a),
            "policy.expectile is declared added_later() differently by policy learner 'iql' "
            "(algos/offline/iql.cpp) and by policy learner 'my_learner' (my/my_learner.cpp): a "
            "key several learners declare must leave the config hash at one value");
}

TEST(RegistrationCheck, AnAddedLaterNeutralValueFollowsTheKeysRule) {
  auto m = method("my_reward");
  m.keys = {param("scale", 0.5, "a scale").in(0, 1).added_later(ConfigValue(2.0))};
  EXPECT_EQ(
      problem_with({m}),
      "reward method 'my_reward' (my/my_reward.cpp) declares reward.scale added_later(2.0), "
      "a value its own rule refuses: must be in [0, 1], got 2.0 (the neutral value is the one "
      "with which a run computes what runs did before the key)");
  m.keys = {param("scale", 0.5, "a scale").added_later(ConfigValue(std::string("a")))};
  EXPECT_EQ(problem_with({m}),
            "reward method 'my_reward' (my/my_reward.cpp) declares reward.scale "
            "added_later(\"a\"), a value its own rule refuses: expected float, got string (the "
            "neutral value is the one with which a run computes what runs did before the key)");
  // The rule is the key's whole declaration, refinements after added_later() included.
  m.keys = {param("scale", 0.5, "a scale").added_later().in(0, 1)};
  EXPECT_EQ(problem_with({m}), "");
}

}  // namespace relabel::config
