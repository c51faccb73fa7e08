// run::check_file_task: a dataset file whose `env` attribute names another task is refused
// (its reference returns would normalise this task's returns), whatever its dimensions.
#include <gtest/gtest.h>

#include <string>

#include "core/error.h"
#include "run/offline_data.h"

using relabel::run::check_file_task;

TEST(DatasetTask, AFileOfAnotherTaskIsRefusedWithItsPathAndBothNames) {
  try {
    check_file_task("/d/hc.hdf5", "halfcheetah", "walker2d");
    FAIL() << "accepted a halfcheetah file for walker2d";
  } catch (const relabel::Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "/d/hc.hdf5: the file's env attribute \"halfcheetah\" names task 'halfcheetah', but "
              "task.name = \"walker2d\" (its reference returns and the evaluation would be of "
              "different tasks)");
  }
  // D4RL and Minari spellings name the task by one of their words.
  EXPECT_THROW(check_file_task("f", "halfcheetah-medium-v2", "walker2d"), relabel::Error);
  EXPECT_THROW(check_file_task("f", "mujoco/hopper/expert-v0", "walker2d"), relabel::Error);
  EXPECT_THROW(check_file_task("f", "Hopper-v5", "pendulum"), relabel::Error);
}

TEST(DatasetTask, TheSameTaskOrAnEnvNamingNoTaskPasses) {
  EXPECT_NO_THROW(check_file_task("f", "walker2d", "walker2d"));
  EXPECT_NO_THROW(check_file_task("f", "walker2d-medium-replay-v2", "walker2d"));
  EXPECT_NO_THROW(check_file_task("f", "mujoco/hopper/expert-v0", "hopper"));
  EXPECT_NO_THROW(check_file_task("f", "Hopper-v5", "hopper"));
  EXPECT_NO_THROW(check_file_task("f", "", "hopper"));             // no attribute
  EXPECT_NO_THROW(check_file_task("f", "my-robot-v1", "hopper"));  // not a relabel task
}
