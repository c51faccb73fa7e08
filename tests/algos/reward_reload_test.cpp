// ReLOAD reward: learns to separate expert transitions on a synthetic 2-D problem, the exact
// squashing law, global e_bar, seeding/determinism, data-parallel replicas, save/load.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <cstdio>
#include <sstream>

#include "algos/reward/reload_reward.h"
#include "algos/reward/reward_model.h"
#include "core/error.h"
#include "tests/algos/reward_test_sync.h"

namespace relabel::algos {
namespace {

// Expert transitions move along the unit circle; the others are uniform in [-2, 2]^2 with a
// random small step. True reward: closeness to the circle.
struct CircleData {
  torch::Tensor obs, next_obs, expert_mask, true_rewards;
  int64_t n_expert;
};

CircleData make_circle_data(int64_t n_expert, int64_t n_other, uint64_t seed) {
  torch::Generator gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  torch::Tensor t = torch::rand({n_expert}, gen, torch::kFloat32) * (2 * M_PI);
  torch::Tensor s_e = torch::stack({t.cos(), t.sin()}, 1);
  torch::Tensor s2_e = torch::stack({(t + 0.05).cos(), (t + 0.05).sin()}, 1);
  torch::Tensor s_o = torch::rand({n_other, 2}, gen, torch::kFloat32) * 4 - 2;
  torch::Tensor s2_o = s_o + 0.05 * torch::randn({n_other, 2}, gen, torch::kFloat32);
  CircleData d;
  d.obs = torch::cat({s_e, s_o});
  d.next_obs = torch::cat({s2_e, s2_o});
  d.expert_mask = torch::cat({torch::ones({n_expert}), torch::zeros({n_other})}).to(torch::kBool);
  d.true_rewards = -(d.obs.norm(2, 1) - 1).abs();
  d.n_expert = n_expert;
  return d;
}

RewardOptions small_reload(uint64_t seed = 7) {
  RewardOptions o;
  o.method = "reload";
  o.hidden = 128;
  o.embed_dim = 64;
  o.predictor_steps = 600;
  o.seed = seed;
  return o;
}

RewardSupervision expert_sup(const CircleData& d) {
  RewardSupervision s;
  s.expert_obs = d.obs.slice(0, 0, d.n_expert);
  s.expert_next_obs = d.next_obs.slice(0, 0, d.n_expert);
  return s;
}

class RewardReload : public ::testing::Test {
 protected:
  void SetUp() override { torch::set_num_threads(1); }
};

TEST_F(RewardReload, SeparatesExpertTransitions) {
  CircleData d = make_circle_data(1000, 3000, 1);
  auto model = make_reward_model(small_reload());
  NoSync sync;
  model->fit(expert_sup(d), sync);
  model->finalize_statistics(d.obs, torch::Tensor(), d.next_obs, sync);
  torch::Tensor r = model->annotate(d.obs, torch::Tensor(), d.next_obs);
  ASSERT_EQ(r.sizes(), torch::IntArrayRef({4000}));
  ASSERT_EQ(r.scalar_type(), torch::kFloat32);
  const double r_expert = r.slice(0, 0, 1000).mean().item<double>();
  const double r_other = r.slice(0, 1000).mean().item<double>();
  EXPECT_GT(r_expert, r_other + 0.2);

  DiagnosticsInput in{d.obs, torch::Tensor(), d.next_obs, d.true_rewards, d.expert_mask, {}};
  auto diag = model->diagnostics(in);
  std::printf("reload: auroc %.4f spearman %.4f pearson %.4f err expert %.4g other %.4g\n",
              diag.at("expert_auroc"), diag.at("reward_spearman"), diag.at("reward_pearson"),
              diag.at("error_expert_mean"), diag.at("error_nonexpert_mean"));
  EXPECT_GT(diag.at("expert_auroc"), 0.9);
  EXPECT_LT(diag.at("error_expert_mean"), 0.5 * diag.at("error_nonexpert_mean"));
  EXPECT_GT(diag.at("reward_spearman"), 0.5);
  EXPECT_GT(diag.at("reward_pearson"), 0.3);
  EXPECT_GT(diag.at("error_mean"), 0);
  EXPECT_LT(diag.at("predictor_final_loss"), diag.at("error_mean"));
}

TEST_F(RewardReload, SquashingLawIsExact) {
  CircleData d = make_circle_data(300, 700, 2);
  RewardOptions o = small_reload();
  o.predictor_steps = 100;
  RewardOptions o2 = o;
  o2.alpha = 2.5;
  o2.beta = 3.0;
  algos::ReloadReward a(o), b(o2);
  NoSync sync;
  a.fit(expert_sup(d), sync);
  b.fit(expert_sup(d), sync);
  a.finalize_statistics(d.obs, {}, d.next_obs, sync);
  b.finalize_statistics(d.obs, {}, d.next_obs, sync);
  torch::Tensor e = a.prediction_error(d.obs, d.next_obs).to(torch::kFloat64);
  // e_bar is the dataset mean error: mean(e / e_bar) = 1.
  EXPECT_NEAR((e / a.mean_error()).mean().item<double>(), 1.0, 1e-6);
  EXPECT_DOUBLE_EQ(a.mean_error(), b.mean_error());  // alpha, beta do not affect the fit
  torch::Tensor ra = a.annotate(d.obs, {}, d.next_obs).to(torch::kFloat64);
  torch::Tensor rb = b.annotate(d.obs, {}, d.next_obs).to(torch::kFloat64);
  EXPECT_TRUE(torch::allclose(ra, torch::exp(-e / a.mean_error()), 1e-5, 1e-7));
  EXPECT_TRUE(torch::allclose(rb, 2.5 * ra.pow(3.0), 1e-5, 1e-7));
  EXPECT_LE(ra.max().item<double>(), 1.0);
  EXPECT_GT(ra.min().item<double>(), 0.0);
}

TEST_F(RewardReload, MeanErrorIsGlobalAcrossShards) {
  CircleData d = make_circle_data(200, 800, 3);
  RewardOptions o = small_reload();
  o.predictor_steps = 50;
  algos::ReloadReward whole(o), shard(o);
  NoSync nosync;
  whole.fit(expert_sup(d), nosync);
  shard.fit(expert_sup(d), nosync);
  whole.finalize_statistics(d.obs, {}, d.next_obs, nosync);
  // This rank holds the first 300 rows; the other rank's sum and count arrive via the sync.
  torch::Tensor e_rest = whole.prediction_error(d.obs.slice(0, 300), d.next_obs.slice(0, 300));
  test::OffsetSync sync({{e_rest.to(torch::kFloat64).sum().item<double>(), 700.0}});
  shard.finalize_statistics(d.obs.slice(0, 0, 300), {}, d.next_obs.slice(0, 0, 300), sync);
  EXPECT_NEAR(shard.mean_error(), whole.mean_error(), 1e-9 * whole.mean_error());
}

TEST_F(RewardReload, SeededAndDeterministic) {
  CircleData d = make_circle_data(200, 0, 4);
  RewardOptions o = small_reload(11);
  o.predictor_steps = 0;
  algos::ReloadReward init(o);
  NoSync sync;
  init.fit(expert_sup(d), sync);
  // Target and predictor come from different streams: e > 0 at initialisation.
  EXPECT_FALSE(torch::equal(init.target()->parameters()[0], init.predictor()->parameters()[0]));
  EXPECT_GT(init.prediction_error(d.obs, d.next_obs).min().item<double>(), 0);

  o.predictor_steps = 50;
  algos::ReloadReward a(o), b(o);
  a.fit(expert_sup(d), sync);
  b.fit(expert_sup(d), sync);
  auto pa = a.predictor()->parameters(), pb = b.predictor()->parameters();
  for (size_t i = 0; i < pa.size(); ++i) EXPECT_TRUE(torch::equal(pa[i], pb[i]));
  EXPECT_TRUE(torch::equal(a.target()->parameters()[0], init.target()->parameters()[0]));
  o.seed = 12;
  algos::ReloadReward c(o);
  c.fit(expert_sup(d), sync);
  EXPECT_FALSE(torch::equal(a.predictor()->parameters()[0], c.predictor()->parameters()[0]));
}

TEST_F(RewardReload, DataParallelReplicasStayIdentical) {
  CircleData d = make_circle_data(400, 400, 5);
  RewardOptions o = small_reload();
  o.predictor_steps = 40;
  std::vector<std::unique_ptr<algos::ReloadReward>> models;
  models.emplace_back(new algos::ReloadReward(o));
  models.emplace_back(new algos::ReloadReward(o));
  std::vector<double> means(2);
  std::vector<int> averages(2);
  test::run_replicas(2, [&](int rank, GradSync& sync) {
    RewardSupervision s;
    s.expert_obs = d.obs.slice(0, rank * 200, rank * 200 + 200);
    s.expert_next_obs = d.next_obs.slice(0, rank * 200, rank * 200 + 200);
    s.rank = rank;
    models[rank]->fit(s, sync);
    models[rank]->finalize_statistics(d.obs.slice(0, rank * 400, rank * 400 + 400), {},
                                      d.next_obs.slice(0, rank * 400, rank * 400 + 400), sync);
    averages[rank] = static_cast<test::ThreadSync&>(sync).averages;
  });
  EXPECT_EQ(averages[0], 40);
  auto p0 = models[0]->predictor()->parameters(), p1 = models[1]->predictor()->parameters();
  for (size_t i = 0; i < p0.size(); ++i) EXPECT_TRUE(torch::equal(p0[i], p1[i]));
  EXPECT_EQ(models[0]->mean_error(), models[1]->mean_error());
  // e_bar is over both shards: equals the mean over the whole dataset on one replica.
  const double whole =
      models[0]->prediction_error(d.obs, d.next_obs).to(torch::kFloat64).mean().item<double>();
  EXPECT_NEAR(models[0]->mean_error(), whole, 1e-6 * whole);
}

TEST_F(RewardReload, SaveLoadRoundTrip) {
  CircleData d = make_circle_data(200, 200, 6);
  RewardOptions o = small_reload();
  o.predictor_steps = 30;
  auto model = make_reward_model(o);
  NoSync sync;
  model->fit(expert_sup(d), sync);
  model->finalize_statistics(d.obs, {}, d.next_obs, sync);
  std::stringstream buffer;
  {
    torch::serialize::OutputArchive out;
    model->save(out);
    out.save_to(buffer);
  }
  auto loaded = make_reward_model(o);
  torch::serialize::InputArchive in;
  in.load_from(buffer);
  loaded->load(in);
  EXPECT_TRUE(torch::equal(model->annotate(d.obs, {}, d.next_obs),
                           loaded->annotate(d.obs, {}, d.next_obs)));

  RewardOptions other = o;
  other.method = "imputation";
  auto wrong = make_reward_model(other);
  buffer.clear();
  buffer.seekg(0);
  torch::serialize::InputArchive in2;
  in2.load_from(buffer);
  try {
    wrong->load(in2);
    FAIL() << "loading a reload archive into imputation must fail";
  } catch (const relabel::Error& e) {
    EXPECT_NE(std::string(e.what()).find("holds method reload"), std::string::npos) << e.what();
  }
}

TEST_F(RewardReload, ClearErrors) {
  auto model = make_reward_model(small_reload());
  NoSync sync;
  torch::Tensor x = torch::zeros({4, 2});
  EXPECT_THROW(model->annotate(x, {}, x), relabel::Error);  // before fit
  RewardSupervision empty;
  EXPECT_THROW(model->fit(empty, sync), relabel::Error);
  RewardSupervision bad;
  bad.expert_obs = torch::zeros({4, 2});
  bad.expert_next_obs = torch::zeros({4, 3});
  EXPECT_THROW(model->fit(bad, sync), relabel::Error);
  RewardSupervision none;
  none.expert_obs = torch::zeros({0, 2});
  none.expert_next_obs = torch::zeros({0, 2});
  EXPECT_THROW(model->fit(none, sync), relabel::Error);
  RewardSupervision ok;
  ok.expert_obs = torch::randn({8, 2});
  ok.expert_next_obs = torch::randn({8, 2});
  RewardOptions o = small_reload();
  o.predictor_steps = 2;
  auto small = make_reward_model(o);
  small->fit(ok, sync);
  EXPECT_THROW(small->annotate(x, {}, x), relabel::Error);  // before finalize_statistics
  small->finalize_statistics(x + 1, {}, x, sync);
  EXPECT_THROW(small->annotate(torch::zeros({4, 3}), {}, torch::zeros({4, 3})), relabel::Error);
}

}  // namespace
}  // namespace relabel::algos
