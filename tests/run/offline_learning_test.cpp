// Learning thresholds of issue 4 on the shared pendulum suite (fixed seeds, CORL network sizes).
#include <gtest/gtest.h>

#include <cstdio>

#include "tests/run/run_helpers.h"

using namespace relabel::test;
using nlohmann::json;

namespace {
constexpr int kSteps = 5000;

double score(const json& r) { return r.value("final_score", -1e9); }

json run(const TempDir& dir, const std::string& name, const std::string& reward,
         const std::string& algo, const std::string& sets = "") {
  json r = run_config(dir, name, pendulum_config(dir / name, reward, algo, kSteps), 1, sets);
  std::printf("%-28s final normalised score %.1f\n", name.c_str(), score(r));
  return r;
}
}  // namespace

TEST(OfflineLearning, GroundTruthIqlAndReloadWithOneExpertTrajectory) {
  TempDir dir;
  json gt = run(dir, "ground_truth+iql", "ground_truth", "iql");
  EXPECT_GE(score(gt), 70.0);
  json reload = run(dir, "reload+iql", "reload", "iql",
                    "--set dataset.expert_path=" + pendulum_file("expert") +
                        " --set dataset.expert_trajectories=1");
  EXPECT_GE(score(reload), 0.8 * score(gt));
  // The self-distilled reward separates expert from non-expert transitions.
  const json& d = reload["reward_diagnostics"];
  ASSERT_TRUE(d.contains("auroc") && d["auroc"].is_number()) << d.dump();
  EXPECT_GT(d["auroc"].get<double>(), 0.9) << d.dump();
}

TEST(OfflineLearning, ImputationWithOnePercentLabelsBeatsLabelsOnly) {
  TempDir dir;
  const std::string frac = " --set dataset.label_fraction=0.01";
  json imputed = run(dir, "imputation+td3bc", "imputation", "td3bc", frac);
  json labels_only = run(dir, "labels_only+td3bc", "imputation", "td3bc",
                         frac + " --set reward.baseline=labels_only");
  json full = run(dir, "full+td3bc", "imputation", "td3bc", frac + " --set reward.baseline=full");
  EXPECT_GT(score(imputed), score(labels_only));
  EXPECT_GE(score(imputed), 0.8 * score(full));
  // TD3+BC with every true reward learns well above random.
  EXPECT_GE(score(full), 50.0);
}

TEST(OfflineLearning, BehaviourCloningLearnsAboveRandom) {
  TempDir dir;
  json bc = run(dir, "bc", "zero", "bc");
  EXPECT_GE(score(bc), 30.0);
}
