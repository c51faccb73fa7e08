// Behaviour cloning on the demonstrations (dataset.demonstrations_only; the BC baseline of
// issue 7): the policy trains only on the K best trajectories of the dataset file.
#include <gtest/gtest.h>

#include "tests/run/run_helpers.h"

using namespace relabel::test;
using nlohmann::json;

namespace {

std::string bc_config(const std::string& dir, const std::string& extra) {
  return "seed = 0\n"
         "[task]\nname = \"pendulum\"\n"
         "[dataset]\npath = \"" +
         pendulum_file("expert") +
         "\"\nexpert_trajectories = 25\ndemonstrations_only = true\n"
         "[reward]\nmethod = \"zero\"\n"
         "[policy]\nalgo = \"bc\"\n"
         "[train]\nsteps = 2000\neval_every = 2000\neval_episodes = 10\ncheckpoint_every = 0\n"
         "[output]\ndir = \"" +
         dir + "\"\n" + extra;
}

}  // namespace

TEST(DemonstrationsBc, ClonesOnlyTheBestTrajectories) {
  TempDir dir;
  json r = run_config(dir, "bc", bc_config(dir / "bc", ""));
  EXPECT_EQ(r.value("status", ""), "done");
  const auto& d = r["reward_diagnostics"];
  EXPECT_EQ(d.value("demonstration_rows", 0), 5000) << d.dump();  // 25 episodes of 200 steps
  EXPECT_EQ(d.value("expert_trajectories", 0), 25);
  // The best half of the 50 expert episodes holds swing-ups (the very best start near upright
  // and hold it, too few alone): cloning them scored 96.8 when measured (seed 0).
  EXPECT_GE(r.value("final_score", -1e9), 70.0) << r.dump();
}

TEST(DemonstrationsBc, RejectsASeparateExpertFile) {
  TempDir dir;
  const std::string path = dir / "bad.toml";
  write_file(path, bc_config(dir / "bad", ""));
  auto out = run_relabel("run " + path + " --set dataset.expert_path=" + pendulum_file("expert"));
  EXPECT_EQ(out.exit_code, 2) << out.output;
  EXPECT_NE(out.output.find("dataset.demonstrations_only"), std::string::npos) << out.output;
}
