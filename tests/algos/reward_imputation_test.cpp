// Reward imputation: recovers a known reward from 1% labels, early stopping keeps the best
// held-out weights, hold-out rules, determinism, data-parallel replicas, save/load.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "algos/reward/imputation_reward.h"
#include "algos/reward/reward_model.h"
#include "core/error.h"
#include "tests/algos/reward_test_sync.h"

namespace relabel::algos {
namespace {

// r = sin(s0) + a0 with s ~ U[-2, 2]^3, a ~ U[-1, 1]^2; a seeded 1% labelled subset.
struct ImputeData {
  torch::Tensor obs, actions, rewards, labelled_mask, labelled_index;
};

ImputeData make_data(int64_t rows, double label_fraction, uint64_t seed, double noise = 0) {
  torch::Generator gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  ImputeData d;
  d.obs = torch::rand({rows, 3}, gen, torch::kFloat32) * 4 - 2;
  d.actions = torch::rand({rows, 2}, gen, torch::kFloat32) * 2 - 1;
  d.rewards = d.obs.select(1, 0).sin() + d.actions.select(1, 0) +
              noise * torch::randn({rows}, gen, torch::kFloat32);
  const auto n_label = static_cast<int64_t>(label_fraction * static_cast<double>(rows));
  d.labelled_index = torch::randperm(rows, gen, torch::kLong).slice(0, 0, n_label);
  d.labelled_mask = torch::zeros({rows}, torch::kBool).index_fill(0, d.labelled_index, true);
  return d;
}

RewardSupervision labelled_sup(const ImputeData& d, torch::Tensor index = {}) {
  if (!index.defined()) index = d.labelled_index;
  RewardSupervision s;
  s.labelled_obs = d.obs.index_select(0, index);
  s.labelled_actions = d.actions.index_select(0, index);
  s.labelled_rewards = d.rewards.index_select(0, index);
  return s;
}

RewardOptions small_imputation(uint64_t seed = 5) {
  RewardOptions o;
  o.method = "imputation";
  o.hidden = 128;
  o.reward_steps = 1500;
  o.seed = seed;
  return o;
}

class RewardImputation : public ::testing::Test {
 protected:
  void SetUp() override { torch::set_num_threads(1); }
};

TEST_F(RewardImputation, RecoversKnownRewardFromOnePercent) {
  ImputeData d = make_data(20000, 0.01, 1);
  auto model = make_reward_model(small_imputation());
  ASSERT_TRUE(model->needs_true_rewards());
  ASSERT_FALSE(model->train_on_labelled_only());
  NoSync sync;
  model->fit(labelled_sup(d), sync);
  auto diag =
      model->diagnostics(DiagnosticsInput{d.obs, d.actions, d.obs, d.rewards, {}, d.labelled_mask});
  std::printf("imputation: heldout mse %.4f unlabelled mse %.4f pearson %.4f spearman %.4f\n",
              diag.at("heldout_mse"), diag.at("unlabelled_mse"), diag.at("unlabelled_pearson"),
              diag.at("unlabelled_spearman"));
  EXPECT_EQ(diag.at("heldout_rows"), 20);
  EXPECT_EQ(diag.at("train_rows"), 180);
  EXPECT_LT(diag.at("heldout_mse"), 0.05);
  // Beats predicting the labelled mean on the unlabelled rows by a wide margin.
  torch::Tensor unl = ~d.labelled_mask;
  const double mean_label = d.rewards.masked_select(d.labelled_mask).mean().item<double>();
  const double mse_mean = (d.rewards.masked_select(unl) - mean_label).pow(2).mean().item<double>();
  EXPECT_LT(diag.at("unlabelled_mse"), 0.1);
  EXPECT_LT(diag.at("unlabelled_mse"), 0.2 * mse_mean);
  EXPECT_GT(diag.at("unlabelled_pearson"), 0.95);
  EXPECT_GT(diag.at("unlabelled_spearman"), 0.95);

  // Labelled rows keep their true reward, the others get f(s, a).
  torch::Tensor r = model->relabel(d.obs, d.actions, d.obs, d.rewards, d.labelled_mask);
  torch::Tensor f = model->annotate(d.obs, d.actions, d.obs);
  EXPECT_TRUE(
      torch::equal(r.masked_select(d.labelled_mask), d.rewards.masked_select(d.labelled_mask)));
  EXPECT_TRUE(torch::equal(r.masked_select(unl), f.masked_select(unl)));
}

TEST_F(RewardImputation, EarlyStoppingKeepsBestHeldOutWeights) {
  // Pure-noise labels and a fast learning rate: the network memorises the training rows, so
  // the held-out MSE rises after its minimum and the kept weights are not the last ones.
  ImputeData d = make_data(50, 1.0, 2);
  d.rewards = torch::randn({50}, at::make_generator<at::CPUGeneratorImpl>(uint64_t{8}));
  RewardOptions o = small_imputation();
  o.reward_steps = 800;
  o.eval_every = 20;
  o.lr = 1e-2;
  o.holdout_fraction = 0.2;
  algos::ImputationReward model(o);
  NoSync sync;
  RewardSupervision sup = labelled_sup(d);
  model.fit(sup, sync);
  const auto& h = model.history();
  ASSERT_EQ(h.size(), 40u);
  auto best = std::min_element(h.begin(), h.end(),
                               [](const auto& a, const auto& b) { return a.second < b.second; });
  std::printf("early stopping: best %.4f at step %lld, last %.4f\n", best->second,
              static_cast<long long>(best->first), h.back().second);
  EXPECT_GT(h.back().second, best->second * 1.1) << "the scenario must overfit";
  EXPECT_EQ(model.best_step(), best->first);
  EXPECT_DOUBLE_EQ(model.heldout_mse(), best->second);
  // The kept weights reproduce the best held-out MSE.
  const torch::Tensor& idx = model.heldout_rows();
  ASSERT_EQ(idx.numel(), 10);
  torch::Tensor pred = model.annotate(sup.labelled_obs.index_select(0, idx),
                                      sup.labelled_actions.index_select(0, idx), {});
  const double mse = (pred - sup.labelled_rewards.index_select(0, idx))
                         .pow(2)
                         .to(torch::kFloat64)
                         .mean()
                         .item<double>();
  EXPECT_NEAR(mse, model.heldout_mse(), 1e-6 * model.heldout_mse());
}

TEST_F(RewardImputation, HoldoutRules) {
  RewardOptions o = small_imputation();
  o.reward_steps = 20;
  o.eval_every = 10;
  NoSync sync;
  auto rows_of = [&](int64_t rows, double fraction) {
    ImputeData d = make_data(rows, 1.0, 3);
    RewardOptions oo = o;
    oo.holdout_fraction = fraction;
    algos::ImputationReward m(oo);
    m.fit(labelled_sup(d), sync);
    auto diag = m.diagnostics({});
    return std::make_pair(diag.at("heldout_rows"), diag.at("train_rows"));
  };
  EXPECT_EQ(rows_of(9, 0.1), std::make_pair(0.0, 9.0));  // < 10 labels: no hold-out
  EXPECT_EQ(rows_of(10, 0.1), std::make_pair(1.0, 9.0));
  EXPECT_EQ(rows_of(12, 0.01), std::make_pair(1.0, 11.0));  // at least one held out
  EXPECT_EQ(rows_of(12, 0.95), std::make_pair(11.0, 1.0));  // at least one trains
  EXPECT_EQ(rows_of(100, 0.1), std::make_pair(10.0, 90.0));
  EXPECT_EQ(rows_of(100, 0.0), std::make_pair(0.0, 100.0));

  ImputeData d = make_data(9, 1.0, 3);
  algos::ImputationReward m(o);
  m.fit(labelled_sup(d), sync);
  EXPECT_TRUE(std::isnan(m.heldout_mse()));
  EXPECT_EQ(m.best_step(), 20);
  EXPECT_TRUE(m.history().empty());
}

TEST_F(RewardImputation, DeterministicWithFixedSeed) {
  ImputeData d = make_data(2000, 0.05, 4);
  RewardOptions o = small_imputation(9);
  o.reward_steps = 200;
  algos::ImputationReward a(o), b(o);
  NoSync s1, s2;
  a.fit(labelled_sup(d), s1);
  b.fit(labelled_sup(d), s2);
  auto pa = a.net()->parameters(), pb = b.net()->parameters();
  for (size_t i = 0; i < pa.size(); ++i) EXPECT_TRUE(torch::equal(pa[i], pb[i]));
  EXPECT_EQ(a.heldout_mse(), b.heldout_mse());
  EXPECT_TRUE(torch::equal(a.heldout_rows(), b.heldout_rows()));
}

TEST_F(RewardImputation, DataParallelReplicasStayIdentical) {
  ImputeData d = make_data(4000, 0.05, 5);  // 200 labels, 100 per replica
  RewardOptions o = small_imputation();
  o.reward_steps = 100;
  o.eval_every = 25;
  std::vector<std::unique_ptr<algos::ImputationReward>> models;
  for (int r = 0; r < 2; ++r) models.emplace_back(new algos::ImputationReward(o));
  test::run_replicas(2, [&](int rank, GradSync& sync) {
    RewardSupervision s = labelled_sup(d, d.labelled_index.slice(0, rank * 100, rank * 100 + 100));
    s.rank = rank;
    models[rank]->fit(s, sync);
  });
  auto p0 = models[0]->net()->parameters(), p1 = models[1]->net()->parameters();
  for (size_t i = 0; i < p0.size(); ++i) EXPECT_TRUE(torch::equal(p0[i], p1[i]));
  EXPECT_EQ(models[0]->best_step(), models[1]->best_step());
  EXPECT_EQ(models[0]->heldout_mse(), models[1]->heldout_mse());
  auto diag = models[0]->diagnostics({});
  EXPECT_EQ(diag.at("heldout_rows"), 20);  // 10 per replica, combined
  EXPECT_EQ(diag.at("train_rows"), 180);
  // Different ranks hold out with different streams.
  EXPECT_FALSE(torch::equal(models[0]->heldout_rows(), models[1]->heldout_rows()));
}

TEST_F(RewardImputation, SaveLoadRoundTrip) {
  ImputeData d = make_data(1000, 0.1, 6);
  RewardOptions o = small_imputation();
  o.reward_steps = 50;
  auto model = make_reward_model(o);
  NoSync sync;
  model->fit(labelled_sup(d), sync);
  std::stringstream buffer;
  torch::serialize::OutputArchive out;
  model->save(out);
  out.save_to(buffer);
  auto loaded = make_reward_model(o);
  torch::serialize::InputArchive in;
  in.load_from(buffer);
  loaded->load(in);
  EXPECT_TRUE(
      torch::equal(model->annotate(d.obs, d.actions, {}), loaded->annotate(d.obs, d.actions, {})));
  EXPECT_EQ(model->diagnostics({}), loaded->diagnostics({}));

  RewardOptions wider = o;
  wider.hidden = 64;
  auto mismatched = make_reward_model(wider);
  buffer.clear();
  buffer.seekg(0);
  torch::serialize::InputArchive in2;
  in2.load_from(buffer);
  try {
    mismatched->load(in2);
    FAIL() << "a hidden-size mismatch must be refused";
  } catch (const relabel::Error& e) {
    EXPECT_NE(std::string(e.what()).find("reward.hidden"), std::string::npos) << e.what();
  }
}

TEST_F(RewardImputation, ClearErrors) {
  auto model = make_reward_model(small_imputation());
  NoSync sync;
  EXPECT_THROW(model->annotate(torch::zeros({2, 3}), torch::zeros({2, 2}), {}), relabel::Error);
  RewardSupervision s;
  s.labelled_obs = torch::zeros({5, 3});
  s.labelled_actions = torch::zeros({4, 2});
  s.labelled_rewards = torch::zeros({5});
  EXPECT_THROW(model->fit(s, sync), relabel::Error);
  s.labelled_actions = torch::zeros({5, 2});
  s.labelled_rewards = torch::zeros({6});
  EXPECT_THROW(model->fit(s, sync), relabel::Error);
  s.labelled_obs = torch::zeros({0, 3});
  s.labelled_actions = torch::zeros({0, 2});
  s.labelled_rewards = torch::zeros({0});
  EXPECT_THROW(model->fit(s, sync), relabel::Error);
}

}  // namespace
}  // namespace relabel::algos
