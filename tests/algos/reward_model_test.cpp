// Reward model factory, options parsing/validation, ground_truth / zero / imputation baselines,
// and the impute() helper.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "algos/reward/reward_common.h"
#include "algos/reward/reward_model.h"
#include "core/error.h"

namespace relabel::algos {
namespace {

TEST(RewardModel, RegistryFindsMethodsAndBaselinesParse) {
  for (const char* m : {"ground_truth", "zero", "reload", "imputation", "cdred"})
    EXPECT_EQ(find_reward_method(m).name, m);
  for (auto b :
       {ImputationBaseline::None, ImputationBaseline::LabelsOnly, ImputationBaseline::Full})
    EXPECT_EQ(parse_imputation_baseline(to_string(b)), b);
  try {
    find_reward_method("rnd");
    FAIL();
  } catch (const relabel::Error& e) {
    EXPECT_NE(std::string(e.what()).find("reward.method"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("'rnd'"), std::string::npos);
  }
  EXPECT_THROW(parse_imputation_baseline("half"), relabel::Error);
}

TEST(RewardModel, ValidatesOptionsNamingTheKey) {
  RewardOptions o;
  o.beta = -1;
  try {
    make_reward_model(o);
    FAIL();
  } catch (const relabel::Error& e) {
    // The rule reload declares for beta (the schema checks config files by the same one).
    EXPECT_EQ(std::string(e.what()), "reward.beta: must be > 0, got -1.0");
  }
  o = RewardOptions();
  o.holdout_fraction = 1.0;
  EXPECT_THROW(make_reward_model(o), relabel::Error);
  o = RewardOptions();
  o.batch_size = 0;
  EXPECT_THROW(make_reward_model(o), relabel::Error);
}

TEST(RewardModel, GroundTruthReturnsTrueRewards) {
  RewardOptions o;
  o.method = "ground_truth";
  auto m = make_reward_model(o);
  EXPECT_EQ(m->method(), "ground_truth");
  EXPECT_TRUE(m->needs_true_rewards());
  NoSync sync;
  m->fit(RewardSupervision{}, sync);
  torch::Tensor obs = torch::randn({5, 3});
  torch::Tensor r = torch::arange(5, torch::kFloat64);
  torch::Tensor out = m->relabel(obs, {}, obs, r, {});
  EXPECT_EQ(out.scalar_type(), torch::kFloat32);
  EXPECT_TRUE(torch::equal(out, r.to(torch::kFloat32)));
  EXPECT_THROW(m->annotate(obs, {}, obs), relabel::Error);
  EXPECT_THROW(m->relabel(obs, {}, obs, {}, {}), relabel::Error);
  EXPECT_THROW(m->relabel(obs, {}, obs, torch::zeros({4}), {}), relabel::Error);
}

TEST(RewardModel, ZeroReturnsZeros) {
  RewardOptions o;
  o.method = "zero";
  auto m = make_reward_model(o);
  EXPECT_FALSE(m->needs_true_rewards());
  torch::Tensor obs = torch::randn({7, 3});
  torch::Tensor out = m->relabel(obs, torch::randn({7, 2}), obs, {}, {});
  EXPECT_TRUE(torch::equal(out, torch::zeros({7})));
  EXPECT_TRUE(m->diagnostics({}).empty());
}

TEST(RewardModel, ImputationBaselinesUseTrueRewards) {
  RewardOptions o;
  o.method = "imputation";
  o.baseline = ImputationBaseline::LabelsOnly;
  auto labels_only = make_reward_model(o);
  EXPECT_EQ(labels_only->method(), "imputation");
  EXPECT_TRUE(labels_only->train_on_labelled_only());
  o.baseline = ImputationBaseline::Full;
  auto full = make_reward_model(o);
  EXPECT_FALSE(full->train_on_labelled_only());
  torch::Tensor obs = torch::randn({4, 3});
  torch::Tensor r = torch::tensor({1.f, 2.f, 3.f, 4.f});
  torch::Tensor mask = torch::tensor({true, false, false, true});
  EXPECT_TRUE(torch::equal(full->relabel(obs, {}, obs, r, mask), r));
  NoSync sync;
  full->fit(RewardSupervision{}, sync);  // nothing to fit
}

TEST(RewardModel, ImputeKeepsLabelledRows) {
  torch::Tensor r = torch::tensor({1.0, 2.0, 3.0}, torch::kFloat64);
  torch::Tensor mask = torch::tensor({true, false, true});
  torch::Tensor pred = torch::tensor({-1.f, -2.f, -3.f});
  torch::Tensor out = impute(r, mask, pred);
  EXPECT_TRUE(torch::equal(out, torch::tensor({1.f, -2.f, 3.f})));
  EXPECT_THROW(impute(r, torch::tensor({true, false}), pred), relabel::Error);
  EXPECT_THROW(impute(r, mask, {}), relabel::Error);
}

}  // namespace
}  // namespace relabel::algos

TEST(RewardFit, ReadsTheLossBackEveryStepOnTheCpuOnlyEvery50thOnADevice) {
  using relabel::algos::reward_detail::read_fit_loss;
  const torch::Device cpu(torch::kCPU), gpu(torch::kCUDA, 0);  // a descriptor: no GPU needed
  int cpu_reads = 0, gpu_reads = 0;
  for (int64_t step = 1; step <= 120; ++step) {
    cpu_reads += read_fit_loss(cpu, step, 120);
    gpu_reads += read_fit_loss(gpu, step, 120);
  }
  EXPECT_EQ(cpu_reads, 120);
  EXPECT_EQ(gpu_reads, 3);  // steps 50, 100 and the last, 120
  EXPECT_TRUE(read_fit_loss(gpu, 120, 120));
  EXPECT_FALSE(read_fit_loss(gpu, 119, 120));
}
