// The OfflineLearner interface: factory validation, bitwise resume from save/load, and learning
// sanity on a one-step contextual bandit whose best action is known.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <sstream>

#include "algos/offline/learner.h"
#include "offline_test_util.h"

namespace relabel::algos {
namespace {

OfflineOptions options(const std::string& algo) {
  OfflineOptions o;
  o.algo = algo;
  o.obs_dim = 6;
  o.act_dim = 2;
  o.hidden = 32;
  o.total_steps = 50;
  o.seed = 21;
  return o;
}

TEST(OfflineFactory, BuildsEachAlgoAndRejectsBadOptionsNamingTheKey) {
  NoSync sync;
  for (const char* algo : {"iql", "td3bc", "bc"}) {
    auto l = make_offline_learner(options(algo), sync);
    EXPECT_EQ(l->steps(), 0);
    EXPECT_EQ(l->act(torch::zeros({3, 6})).sizes(), torch::IntArrayRef({3, 2}));
  }
  auto expect_error = [&](OfflineOptions o, const std::string& key) {
    try {
      make_offline_learner(o, sync);
      ADD_FAILURE() << "no error for " << key;
    } catch (const std::exception& e) {
      EXPECT_NE(std::string(e.what()).find("'" + key + "'"), std::string::npos) << e.what();
    }
  };
  auto o = options("sac");
  expect_error(o, "algo");
  o = options("iql");
  o.obs_dim = 0;
  expect_error(o, "obs_dim");
  o = options("iql");
  o.expectile = 1.0;
  expect_error(o, "expectile");
  o = options("td3bc");
  o.policy_delay = 0;
  expect_error(o, "policy_delay");
  o = options("bc");
  o.device = "gpu0";
  expect_error(o, "device");
}

std::string save(const OfflineLearner& l) {
  torch::serialize::OutputArchive out;
  l.save(out);
  std::stringstream ss;
  out.save_to(ss);
  return ss.str();
}

void load(OfflineLearner& l, const std::string& bytes) {
  std::stringstream ss(bytes);
  torch::serialize::InputArchive in;
  in.load_from(ss);
  l.load(in);
}

class Resume : public ::testing::TestWithParam<const char*> {};

TEST_P(Resume, SaveLoadThenUpdatingEqualsContinuingBitwise) {
  NoSync sync;
  auto a = make_offline_learner(options(GetParam()), sync);
  for (int i = 0; i < 5; ++i) a->update(testing::random_batch(32, 6, 2, 500 + i));
  const auto bytes = save(*a);
  auto other = options(GetParam());
  other.seed = 999;  // everything must come from the archive, not from the construction
  auto b = make_offline_learner(other, sync);
  load(*b, bytes);
  EXPECT_EQ(b->steps(), 5);
  for (int i = 5; i < 12; ++i) {
    const auto batch = testing::random_batch(32, 6, 2, 500 + i);
    const auto ma = a->update(batch);
    const auto mb = b->update(batch);
    for (const auto& [k, v] : ma.values()) EXPECT_EQ(v, mb.at(k)) << k << " step " << i;
  }
  EXPECT_EQ(save(*a), save(*b));  // parameters, targets, optimiser state, RNG: bitwise
  const auto obs = torch::randn({7, 6});
  EXPECT_TRUE(torch::equal(a->act(obs), b->act(obs)));

  auto wrong = make_offline_learner(options(std::string(GetParam()) == "bc" ? "iql" : "bc"), sync);
  EXPECT_THROW(load(*wrong, bytes), std::exception);
}

INSTANTIATE_TEST_SUITE_P(Algos, Resume, ::testing::Values("iql", "td3bc", "bc"));

// One-step bandit: context c ~ U(-1, 1) (plus 3 noise dims), the behaviour policy plays +-0.5
// with equal probability, reward 1 when sign(a) == sign(c), else 0; every step is terminal.
// BC recovers the behaviour mean (0); IQL and TD3+BC pick the rewarded sign.
Batch bandit_data(int64_t n, uint64_t seed) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  Batch d;
  d.obs = torch::rand({n, 4}, gen) * 2 - 1;
  const auto c = d.obs.narrow(1, 0, 1);
  auto a = (torch::rand({n, 1}, gen) < 0.5).to(torch::kFloat32) - 0.5;
  a = a + 0.05 * torch::randn({n, 1}, gen);
  d.actions = a;
  d.rewards = ((a * c) > 0).to(torch::kFloat32).squeeze(1);
  d.next_obs = torch::rand({n, 4}, gen) * 2 - 1;
  d.dones = torch::ones({n});
  return d;
}

double signed_action(OfflineLearner& l) {
  auto obs = torch::rand({512, 4}) * 2 - 1;
  obs.narrow(1, 0, 1).copy_(torch::linspace(-1, 1, 512).unsqueeze(1));
  const auto c = obs.narrow(1, 0, 1);
  const auto mask = (c.abs() > 0.2).to(torch::kFloat32);
  return ((l.act(obs) * c.sign() * mask).sum() / mask.sum()).item<double>();
}

class Bandit : public ::testing::TestWithParam<const char*> {};

TEST_P(Bandit, LearnsTheKnownBestActionWithinAFewThousandSteps) {
  torch::manual_seed(0);
  const std::string algo = GetParam();
  auto o = options(algo);
  o.obs_dim = 4;
  o.act_dim = 1;
  o.hidden = 64;
  o.total_steps = 3000;
  o.lr = 1e-3;
  NoSync sync;
  auto l = make_offline_learner(o, sync);
  const auto data = bandit_data(4096, 1);
  auto gen = at::make_generator<at::CPUGeneratorImpl>(2);
  for (int step = 0; step < 3000; ++step) {
    const auto idx = torch::randint(4096, {256}, gen);
    l->update({data.obs.index_select(0, idx), data.actions.index_select(0, idx),
               data.rewards.index_select(0, idx), data.next_obs.index_select(0, idx),
               data.dones.index_select(0, idx)});
  }
  const double s = signed_action(*l);
  if (algo == "bc") {
    // Behaviour mean is 0 whatever the context.
    EXPECT_LT(l->act(torch::rand({512, 4}) * 2 - 1).abs().mean().item<double>(), 0.15);
  } else {
    EXPECT_GT(s, 0.3) << algo << " mean sign(c) * pi(c) = " << s;
  }
}

INSTANTIATE_TEST_SUITE_P(Algos, Bandit, ::testing::Values("iql", "td3bc", "bc"));

}  // namespace
}  // namespace relabel::algos
