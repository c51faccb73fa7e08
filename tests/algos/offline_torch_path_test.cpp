// The offline learners' torch path (OfflineOptions::kernels = torch, what a CUDA run uses) against
// the fast CPU path on the CPU (issue 15): from the same seed and batches the first 100 updates
// report the same losses (within 1e-4), end at the same parameters, resume bitwise, and learn the
// same bandit.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <sstream>
#include <string>

#include "algos/offline/learner.h"
#include "core/error.h"
#include "offline_test_util.h"

namespace relabel::algos {
namespace {

struct TorchPathCase {
  const char* algo;
  bool deterministic_actor;  // IQL only
  double max_action;
};

std::ostream& operator<<(std::ostream& os, const TorchPathCase& c) {
  return os << c.algo << (c.deterministic_actor ? "/deterministic" : "") << "/max_action "
            << c.max_action;
}

OfflineOptions torch_path_options(const TorchPathCase& c, const std::string& kernels) {
  OfflineOptions o;
  o.algo = c.algo;
  o.obs_dim = 11;
  o.act_dim = 3;
  o.hidden = 64;
  o.max_action = c.max_action;
  o.deterministic_actor = c.deterministic_actor;
  o.total_steps = 100;  // the cosine schedule of IQL's actor runs its whole course
  o.seed = 17;
  o.kernels = kernels;
  return o;
}

// Every flat parameter buffer of a learner (networks and targets) as one vector, read back from
// its checkpoint.
torch::Tensor torch_path_state(const OfflineLearner& l) {
  return relabel::algos::testing::saved_state(
      l, {"params", "q_target", "critic", "critic_target", "actor", "actor_target"});
}

class TorchPathMatchesFast : public ::testing::TestWithParam<TorchPathCase> {};

TEST_P(TorchPathMatchesFast, First100LossesWithin1e4AndSameParameters) {
  torch::set_num_threads(1);
  const auto c = GetParam();
  NoSync sync;
  auto fast = make_offline_learner(torch_path_options(c, "fast"), sync);
  auto dev = make_offline_learner(torch_path_options(c, "torch"), sync);
  ASSERT_TRUE(torch::equal(torch_path_state(*fast), torch_path_state(*dev)));  // same init
  double largest = 0;
  for (int step = 0; step < 100; ++step) {
    auto b = testing::random_batch(128, 11, 3, 7000 + step);
    b.actions = b.actions * c.max_action;
    const auto mf = fast->update(b).values();
    const auto md = dev->update(b).values();
    ASSERT_EQ(mf.size(), md.size()) << "step " << step;
    for (const auto& [k, v] : mf) {
      ASSERT_TRUE(md.count(k)) << k;
      EXPECT_NEAR(md.at(k), v, 1e-4) << k << " step " << step;
      largest = std::max(largest, std::abs(md.at(k) - v));
    }
  }
  // The comparison is not vacuous: the losses moved, and the paths are not bitwise the same
  // code (fused vs torch Adam round differently).
  EXPECT_EQ(fast->steps(), 100);
  EXPECT_EQ(dev->steps(), 100);
  const auto pf = torch_path_state(*fast), pd = torch_path_state(*dev);
  EXPECT_LT((pf - pd).abs().max().item<double>(), 1e-4);
  const auto obs = torch::randn({9, 11});
  EXPECT_LT((fast->act(obs) - dev->act(obs)).abs().max().item<double>(), 1e-4);
  RecordProperty("largest_loss_difference", std::to_string(largest));
}

INSTANTIATE_TEST_SUITE_P(
    Learners, TorchPathMatchesFast,
    ::testing::Values(TorchPathCase{"iql", false, 1.0}, TorchPathCase{"iql", true, 1.0},
                      TorchPathCase{"iql", false, 2.0}, TorchPathCase{"td3bc", false, 1.0},
                      TorchPathCase{"td3bc", false, 2.0}, TorchPathCase{"bc", false, 2.0}));

TEST(TorchPath, LossesStayTensorsUntilRead) {
  // The torch path reports its losses as device scalars: nothing is read on the host inside
  // update(); values() is the one read.
  NoSync sync;
  auto dev = make_offline_learner(torch_path_options({"iql", false, 1.0}, "torch"), sync);
  const auto m = dev->update(testing::random_batch(32, 11, 3, 1));
  EXPECT_EQ(m.size(), 4u);
  for (const char* k : {"q_loss", "v_loss", "actor_loss", "adv_mean"}) EXPECT_TRUE(m.deferred(k));
  // The fast path computes its losses on the host.
  auto fast = make_offline_learner(torch_path_options({"iql", false, 1.0}, "fast"), sync);
  EXPECT_FALSE(fast->update(testing::random_batch(32, 11, 3, 1)).deferred("q_loss"));
  EXPECT_TRUE(std::isfinite(m.at("q_loss")));
  EXPECT_EQ(m.values().size(), 4u);
}

TEST(TorchPath, ResumesBitwiseAndSharesTheFastPathsCheckpoints) {
  NoSync sync;
  const TorchPathCase c{"td3bc", false, 1.0};
  auto a = make_offline_learner(torch_path_options(c, "torch"), sync);
  for (int i = 0; i < 3; ++i) a->update(testing::random_batch(32, 11, 3, 40 + i));
  torch::serialize::OutputArchive out;
  a->save(out);
  std::stringstream ss;
  out.save_to(ss);
  for (const char* kernels : {"torch", "fast"}) {  // one checkpoint format for both paths
    auto o = torch_path_options(c, kernels);
    o.seed = 99;
    auto b = make_offline_learner(o, sync);
    torch::serialize::InputArchive in;
    std::stringstream copy(ss.str());
    in.load_from(copy);
    b->load(in);
    EXPECT_EQ(b->steps(), 3) << kernels;
    const auto obs = torch::randn({5, 11});
    EXPECT_TRUE(torch::equal(a->act(obs), b->act(obs))) << kernels;
  }
  auto again = make_offline_learner(torch_path_options(c, "torch"), sync);
  {
    torch::serialize::InputArchive in;
    std::stringstream copy(ss.str());
    in.load_from(copy);
    again->load(in);
  }
  for (int i = 3; i < 6; ++i) {
    const auto batch = testing::random_batch(32, 11, 3, 40 + i);
    const auto ma = a->update(batch).values(), mb = again->update(batch).values();
    for (const auto& [k, v] : ma) EXPECT_EQ(v, mb.at(k)) << k << " step " << i;
  }
}

TEST(TorchPath, KernelsOptionIsValidated) {
  NoSync sync;
  auto o = torch_path_options({"bc", false, 1.0}, "gpu");
  EXPECT_THROW(make_offline_learner(o, sync), Error);
  if (!torch::cuda::is_available()) {
    // A CPU-only build asked for cuda says so instead of failing inside an op.
    o = torch_path_options({"iql", false, 1.0}, "auto");
    o.device = "cuda";
    try {
      make_offline_learner(o, sync);
      ADD_FAILURE() << "no error for device cuda";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("no CUDA device"), std::string::npos) << e.what();
    }
    o.kernels = "fast";
    EXPECT_THROW(make_offline_learner(o, sync), Error);
  }
}

}  // namespace
}  // namespace relabel::algos
