// The task registry: lookups, dimensions that match the environments, clear errors.
#include <gtest/gtest.h>

#include "core/error.h"
#include "envs/registry.h"

namespace relabel::envs {
namespace {

TEST(Registry, InfoMatchesEnvironments) {
  for (const std::string& name : task_names()) {
    const TaskInfo& info = find_task(name);
    EXPECT_EQ(info.name, name);
    EXPECT_TRUE(has_task(name));
    auto env = make_env(name);
    EXPECT_EQ(env->obs_dim(), info.obs_dim) << name;
    EXPECT_EQ(env->act_dim(), info.act_dim) << name;
    EXPECT_EQ(env->max_episode_steps(), info.max_episode_steps) << name;
    ASSERT_EQ(env->action_high().size(), std::size_t(info.act_dim));
    for (int i = 0; i < info.act_dim; ++i) {
      EXPECT_EQ(env->action_high()[i], info.max_action);
      EXPECT_EQ(env->action_low()[i], -info.max_action);
    }
    EXPECT_LT(info.ref_random_return, info.ref_expert_return) << name;
    EXPECT_EQ(env->reset(3).size(), std::size_t(info.obs_dim));
  }
}

TEST(Registry, KnownTasks) {
  EXPECT_TRUE(has_task("pendulum"));
  EXPECT_TRUE(has_task("mountaincar"));
  EXPECT_EQ(find_task("pendulum").max_episode_steps, 200);
  EXPECT_EQ(find_task("mountaincar").max_episode_steps, 999);
  EXPECT_EQ(find_task("pendulum").ref_expert_return, -150.0);
}

TEST(Registry, UnknownTaskListsKnownOnes) {
  EXPECT_FALSE(has_task("cartpole"));
  try {
    find_task("cartpole");
    FAIL() << "no error";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("unknown task 'cartpole'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("pendulum"), std::string::npos) << msg;
    EXPECT_NE(msg.find("mountaincar"), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos);
  }
  EXPECT_THROW(make_env("cartpole"), Error);
}

}  // namespace
}  // namespace relabel::envs
