#include "algos/online/sac.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <sstream>

#include "core/error.h"

using relabel::algos::Batch;
using relabel::algos::Sac;
using relabel::algos::SacOptions;

namespace {

SacOptions small_sac(uint64_t seed, int64_t obs_dim = 3, int64_t act_dim = 2) {
  SacOptions o;
  o.obs_dim = obs_dim;
  o.act_dim = act_dim;
  o.hidden = 64;
  o.max_action = 2.0;
  o.seed = seed;
  return o;
}

Batch random_batch(int64_t n, int64_t s, int64_t a, uint64_t seed) {
  torch::manual_seed(seed);
  Batch b;
  b.obs = torch::randn({n, s});
  b.actions = torch::rand({n, a}) * 4 - 2;
  b.rewards = torch::randn({n});
  b.next_obs = torch::randn({n, s});
  b.dones = (torch::rand({n}) < 0.1).to(torch::kFloat32);
  return b;
}

std::string saved(const Sac& sac, bool policy_only = false) {
  torch::serialize::OutputArchive out;
  policy_only ? sac.save_policy(out) : sac.save(out);
  std::stringstream ss;
  out.save_to(ss);
  return ss.str();
}

void load_into(Sac& sac, const std::string& bytes, bool policy_only = false) {
  std::stringstream ss(bytes);
  torch::serialize::InputArchive in;
  in.load_from(ss);
  policy_only ? sac.load_policy(in) : sac.load(in);
}

}  // namespace

TEST(Sac, ActionsAreBatchedBoundedAndSeeded) {
  torch::set_num_threads(1);
  Sac a(small_sac(1)), b(small_sac(1)), c(small_sac(2));
  auto obs = torch::randn({64, 3});
  auto act = a.act(obs, false);
  ASSERT_EQ(act.sizes(), (std::vector<int64_t>{64, 2}));
  EXPECT_LE(act.abs().max().item<float>(), 2.0f);
  EXPECT_TRUE(torch::equal(act, b.act(obs, false)));  // same seed: same weights and noise
  EXPECT_FALSE(torch::equal(act, c.act(obs, false)));
  auto d1 = a.act(obs, true), d2 = a.act(obs, true);
  EXPECT_TRUE(torch::equal(d1, d2));  // deterministic = tanh(mean)
  EXPECT_FALSE(torch::equal(a.act(obs, false), a.act(obs, false)));
  EXPECT_EQ(a.act(torch::randn({3}), true).size(0), 1);
  EXPECT_THROW(a.act(torch::randn({5, 4}), true), relabel::Error);
}

TEST(Sac, SaveLoadContinuesTrainingIdentically) {
  torch::set_num_threads(1);
  Sac a(small_sac(3));
  for (int i = 0; i < 5; ++i) a.update(random_batch(32, 3, 2, i));
  const std::string bytes = saved(a);

  Sac b(small_sac(4));
  load_into(b, bytes);
  EXPECT_EQ(b.updates(), 5);
  auto batch = random_batch(32, 3, 2, 100);
  auto ma = a.update(batch), mb = b.update(batch);
  EXPECT_DOUBLE_EQ(ma.critic_loss, mb.critic_loss);
  EXPECT_DOUBLE_EQ(ma.actor_loss, mb.actor_loss);
  EXPECT_DOUBLE_EQ(ma.alpha, mb.alpha);
  auto obs = torch::randn({8, 3});
  EXPECT_TRUE(torch::equal(a.act(obs, false), b.act(obs, false)));  // generator restored too

  // A policy checkpoint carries the actor only.
  Sac p(small_sac(5));
  load_into(p, saved(a, true), true);
  EXPECT_TRUE(torch::equal(a.act(obs, true), p.act(obs, true)));

  Sac wrong(small_sac(3, 4, 2));
  EXPECT_THROW(load_into(wrong, bytes), relabel::Error);
}

// One-step problem (every transition terminal): Q(s, a) must learn r = −(a − 0.5)² and the
// actor's mean must move to the maximiser 0.5 from wherever it starts, while the temperature
// falls so that the entropy approaches its target −act_dim.
TEST(Sac, LearnsTheMaximiserOfAOneStepReward) {
  torch::set_num_threads(1);
  SacOptions o = small_sac(11, 2, 1);
  o.max_action = 1.0;
  o.lr = 1e-3;
  Sac sac(o);
  torch::manual_seed(0);
  relabel::algos::SacMetrics m;
  for (int i = 0; i < 1500; ++i) {
    Batch b;
    b.obs = torch::randn({128, 2});
    b.actions = torch::rand({128, 1}) * 2 - 1;
    b.rewards = -(b.actions.squeeze(1) - 0.5).square();
    b.next_obs = torch::randn({128, 2});
    b.dones = torch::ones({128});
    m = sac.update(b);
  }
  auto a = sac.act(torch::randn({256, 2}), true);
  EXPECT_NEAR(a.mean().item<float>(), 0.5f, 0.1f);
  EXPECT_LT(m.alpha, 0.5);
  EXPECT_LT(m.critic_loss, 0.01);
  EXPECT_LT(m.entropy, 0.5);
}
