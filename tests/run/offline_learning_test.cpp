// Learning thresholds of issue 4 on the shared pendulum suite (fixed seeds, CORL network sizes).
#include <gtest/gtest.h>

#include <cstdio>
#include <numeric>
#include <vector>

#include <torch/torch.h>

#include "algos/reward/reward_model.h"
#include "algos/reward/statistics.h"
#include "config/config_load.h"
#include "io/d4rl_file.h"
#include "run/reward_phase.h"
#include "tests/run/run_helpers.h"

using namespace relabel::test;
using nlohmann::json;

namespace {
constexpr int kSteps = 5000;

double score(const json& r) { return r.value("final_score", -1e9); }

double mean(const std::vector<double>& v) {
  return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

double reward_auroc_expert_vs_random(const std::string& run_dir) {
  auto config = relabel::config::load_run_config(run_dir + "/config.toml");
  torch::serialize::InputArchive archive, reward_archive;
  archive.load_from(run_dir + "/ckpt/step_" + std::to_string(config.train.steps) + ".pt");
  archive.read("reward", reward_archive);
  torch::Tensor mean, std;
  archive.read("obs_mean", mean);
  archive.read("obs_std", std);
  auto model = relabel::algos::make_reward_model(relabel::run::reward_options(config));
  model->load(reward_archive);
  auto annotate = [&](const std::string& kind) {
    auto ds = relabel::io::read_d4rl(pendulum_file(kind));
    return model->annotate((ds.observations - mean) / std, ds.actions,
                           (ds.next_observations - mean) / std);
  };
  auto expert = annotate("expert"), random = annotate("random");
  auto scores = torch::cat({expert, random});
  auto positive = torch::cat(
      {torch::ones({expert.size(0)}, torch::kBool), torch::zeros({random.size(0)}, torch::kBool)});
  return relabel::algos::auroc(scores, positive);
}

json run(const TempDir& dir, const std::string& name, const std::string& reward,
         const std::string& algo, const std::string& sets = "") {
  json r = run_config(dir, name, pendulum_config(dir / name, reward, algo, kSteps), 1, sets);
  std::printf("%-28s final normalised score %.1f\n", name.c_str(), score(r));
  return r;
}
}  // namespace

// Three seeds, compared by their means: one seed's final score moves by more than the margin
// with the BLAS kernel that generated the suite and trained the policy (ground-truth IQL seed 0:
// 78.8, and 62.5 with OPENBLAS_CORETYPE=Haswell; seeds 0-5 span 62-94), the mean of three does
// not (82.0 and 87.3; ReLOAD's 89.2 and 91.3).
TEST(OfflineLearning, GroundTruthIqlAndReloadWithOneExpertTrajectory) {
  TempDir dir;
  std::vector<double> gt, reload;
  for (const std::string seed : {"0", "1", "2"}) {
    gt.push_back(score(run(dir, "gt-iql-" + seed, "ground_truth", "iql", "--set seed=" + seed)));
    reload.push_back(
        score(run(dir, "reload-iql-" + seed, "reload", "iql",
                  "--set seed=" + seed + " --set dataset.expert_path=" + pendulum_file("expert") +
                      " --set dataset.expert_trajectories=1")));
  }
  const double gt_mean = mean(gt), reload_mean = mean(reload);
  std::printf("mean over seeds: ground-truth IQL %.1f, ReLOAD IQL %.1f\n", gt_mean, reload_mean);
  EXPECT_GE(gt_mean, 70.0);
  EXPECT_GE(reload_mean, 0.8 * gt_mean);
  // The self-distilled reward of this run separates the suite's expert transitions from its
  // random ones: load the fitted reward model and the normaliser from the final checkpoint.
  const double auc = reward_auroc_expert_vs_random(dir / "reload-iql-0");
  std::printf("ReLOAD reward AUROC expert vs random: %.4f\n", auc);
  EXPECT_GT(auc, 0.9);
}

TEST(OfflineLearning, ImputationWithOnePercentLabelsBeatsLabelsOnly) {
  TempDir dir;
  const std::string frac = " --set dataset.label_fraction=0.01";
  json imputed = run(dir, "imputation-td3bc", "imputation", "td3bc", frac);
  json labels_only = run(dir, "labels_only-td3bc", "imputation", "td3bc",
                         frac + " --set reward.baseline=labels_only");
  json full = run(dir, "full-td3bc", "imputation", "td3bc", frac + " --set reward.baseline=full");
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
