// The offline learners' torch path (what a CUDA run uses, with NCCL) data-parallel under
// mpirun -np 2, through the same code path on the CPU with the MPI collective: parameters are
// broadcast at construction, gradients averaged through comm::GradientSync on the flat buffers,
// and the replicas stay bit-identical while each rank trains on its own rows (issue 15).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <sstream>

#include "algos/offline/learner.h"
#include "comm/gradient_sync.h"
#include "offline_test_util.h"
#include "tests/support/replicas.h"

using namespace relabel::algos;
using relabel::comm::GradientSync;
using relabel::test::same_on_all_ranks;
using relabel::test::world;

namespace {

OfflineOptions sync_path_options(const char* algo, uint64_t seed) {
  OfflineOptions o;
  o.algo = algo;
  o.obs_dim = 5;
  o.act_dim = 2;
  o.hidden = 32;
  o.total_steps = 20;
  o.seed = seed;
  o.rank = world().rank();
  o.kernels = "torch";
  return o;
}

// Everything a learner's checkpoint holds (parameters, targets, Adam moments, step counts) as
// one float vector.
torch::Tensor sync_path_state(const OfflineLearner& l) {
  return relabel::algos::testing::saved_state(
      l, {"params", "q_target", "critic", "critic_target", "actor", "actor_target", "adam.exp_avg",
          "adam.exp_avg_sq", "critic_adam.exp_avg", "actor_adam.exp_avg"});
}

Batch rank_rows(const Batch& b, int64_t begin, int64_t n) {
  return {b.obs.narrow(0, begin, n), b.actions.narrow(0, begin, n), b.rewards.narrow(0, begin, n),
          b.next_obs.narrow(0, begin, n), b.dones.narrow(0, begin, n)};
}

class TorchPathSync : public ::testing::TestWithParam<const char*> {};

TEST_P(TorchPathSync, ReplicasStayBitIdenticalOnDifferentRows) {
  torch::set_num_threads(1);
  ASSERT_EQ(world().size(), 2);
  GradientSync sync(world());
  // Different seeds per rank: the broadcast at construction must make them one model.
  auto l = make_offline_learner(sync_path_options(GetParam(), 3 + world().rank()), sync);
  const auto initial = sync_path_state(*l);
  EXPECT_TRUE(same_on_all_ranks(initial));
  for (int step = 0; step < 10; ++step) {
    const auto b =
        relabel::algos::testing::random_batch(64, 5, 2, 100 * step + world().rank());  // own rows
    l->update(b);
  }
  const auto final_state = sync_path_state(*l);
  EXPECT_FALSE(torch::equal(final_state, initial));
  EXPECT_TRUE(same_on_all_ranks(final_state));
  const auto obs = torch::randn({4, 5}, at::make_generator<at::CPUGeneratorImpl>(8));
  EXPECT_TRUE(same_on_all_ranks(l->act(obs)));
}

INSTANTIATE_TEST_SUITE_P(Learners, TorchPathSync, ::testing::Values("iql", "td3bc", "bc"));

class TorchPathAverage : public ::testing::TestWithParam<const char*> {};

// With deterministic learners, two ranks on 64 rows each take the steps of one process on the
// 128 rows together (the mean of the two ranks' mean gradients is the mean over all rows).
TEST_P(TorchPathAverage, TwoRanksEqualOneProcessOnTheUnionOfTheirRows) {
  torch::set_num_threads(1);
  GradientSync sync(world());
  NoSync none;
  auto pair = make_offline_learner(sync_path_options(GetParam(), 3), sync);
  auto one = make_offline_learner(sync_path_options(GetParam(), 3), none);
  for (int step = 0; step < 5; ++step) {
    const auto both =
        relabel::algos::testing::random_batch(128, 5, 2, 900 + step);  // the same on both ranks
    pair->update(rank_rows(both, 64 * world().rank(), 64));
    one->update(both);
  }
  const double diff = (sync_path_state(*pair) - sync_path_state(*one)).abs().max().item<double>();
  EXPECT_LT(diff, 1e-5);
  EXPECT_TRUE(same_on_all_ranks(sync_path_state(*pair)));
}

INSTANTIATE_TEST_SUITE_P(Learners, TorchPathAverage, ::testing::Values("iql", "bc"));

}  // namespace
