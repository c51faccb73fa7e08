// GradientSync under mpirun -np 2: bucketed averaging, parameter broadcast, and equivalence of
// data-parallel SGD/Adam with single-process training on the whole batch.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "algos/nets/mlp.h"
#include "comm/gradient_sync.h"
#include "comm/mpi_collective.h"
#include "core/seeding.h"
#include "tests/comm/world_collective.h"

using relabel::comm::GradientSync;
using relabel::comm::GradientSyncOptions;

using relabel::test::world;

namespace {

std::vector<torch::Tensor> make_params() {
  std::vector<torch::Tensor> ps;
  for (auto shape : std::vector<std::vector<int64_t>>{{16, 8}, {16}, {33}, {4, 4, 4}, {5}, {2, 50}})
    ps.push_back(torch::zeros(shape).requires_grad_(true));
  return ps;
}

TEST(GradientSync, AveragesAcrossAtLeastThreeBuckets) {
  auto& w = world();
  GradientSync sync(w, GradientSyncOptions{/*bucket_bytes=*/256});  // 64 floats per bucket
  auto ps = make_params();
  auto frozen = torch::zeros({3});  // no grad: left alone
  ps.push_back(frozen);
  for (size_t i = 0; i < ps.size() - 1; ++i) {
    // Rank r's gradient of parameter i: (i+1)*(r+1) + position. The last trainable parameter
    // has no gradient on rank 0 (it counts as zeros there).
    if (i == ps.size() - 2 && w.rank() == 0) continue;
    ps[i].mutable_grad() = torch::arange(ps[i].numel(), torch::kFloat32).reshape(ps[i].sizes()) +
                           float((i + 1) * (w.rank() + 1));
  }
  for (int step = 0; step < 2; ++step) {  // the second call reuses the cached layout
    if (step == 1)
      for (size_t i = 0; i + 1 < ps.size(); ++i)
        ps[i].mutable_grad() =
            torch::arange(ps[i].numel(), torch::kFloat32).reshape(ps[i].sizes()) +
            float((i + 1) * (w.rank() + 1));
    sync.average_gradients(ps);
    EXPECT_GE(sync.bucket_count(), 3u);
    const double n = w.size();
    for (size_t i = 0; i + 1 < ps.size(); ++i) {
      ASSERT_TRUE(ps[i].grad().defined()) << i;
      auto base = torch::arange(ps[i].numel(), torch::kFloat32).reshape(ps[i].sizes());
      torch::Tensor expected;
      if (step == 0 && i == ps.size() - 2) {  // rank 0 contributed zeros
        double s = 0;
        for (int r = 1; r < w.size(); ++r) s += double((i + 1) * (r + 1));
        expected = base * float((n - 1) / n) + float(s / n);
      } else {
        expected = base + float((i + 1) * (n + 1) / 2.0);
      }
      EXPECT_TRUE(torch::allclose(ps[i].grad(), expected, 1e-6, 1e-5)) << "param " << i;
    }
    EXPECT_FALSE(frozen.grad().defined());
  }
}

TEST(GradientSync, BroadcastParametersCopiesRankZero) {
  auto& w = world();
  GradientSync sync(w, GradientSyncOptions{/*bucket_bytes=*/100});
  auto ps = make_params();
  {
    torch::NoGradGuard ng;
    for (size_t i = 0; i < ps.size(); ++i) ps[i].fill_(float(w.rank() * 100 + i));
  }
  sync.broadcast_parameters(ps);
  for (size_t i = 0; i < ps.size(); ++i)
    EXPECT_TRUE(torch::equal(ps[i], torch::full(ps[i].sizes(), float(i)))) << i;
}

TEST(GradientSync, GradientsLiveInTheBucketsAcrossSteps) {
  auto& w = world();
  GradientSync sync(w, GradientSyncOptions{/*bucket_bytes=*/4096});
  auto net = relabel::algos::make_mlp(4, 16, 2, 1);
  torch::optim::SGD opt(net->parameters(), torch::optim::SGDOptions(0.01));
  auto x = torch::randn({8, 4}) + w.rank();
  std::vector<const void*> first;
  for (int step = 0; step < 3; ++step) {
    opt.zero_grad();
    net->forward(x).pow(2).mean().backward();
    sync.average_gradients(net->parameters());
    std::vector<const void*> ptrs;
    for (const auto& p : net->parameters()) ptrs.push_back(p.grad().data_ptr());
    if (step == 0)
      first = ptrs;
    else
      EXPECT_EQ(ptrs, first) << "step " << step << ": gradients were reallocated";
    // The averaged gradient is the same on every rank although the inputs differ.
    std::vector<torch::Tensor> flat;
    for (const auto& p : net->parameters()) flat.push_back(p.grad().reshape({-1}));
    auto all = w.all_gather(torch::cat(flat).unsqueeze(0));
    for (int k = 1; k < w.size(); ++k) EXPECT_TRUE(torch::equal(all[0], all[k]));
    opt.step();
  }
}

struct TrainResult {
  std::vector<torch::Tensor> init, ref, dist;
  size_t buckets = 0;
};

// 2 ranks with half the batch each (loss: mean over the half) versus 1 process with the whole
// batch: identical updates up to float rounding because the averaged half-means equal the mean.
template <typename MakeOptimizer>
TrainResult train_both(MakeOptimizer make_optimizer, size_t bucket_bytes) {
  auto& w = world();
  constexpr int64_t kBatch = 64;
  EXPECT_EQ(kBatch % w.size(), 0);
  const uint64_t seed = 7;
  torch::manual_seed(relabel::shared_seed(seed, "data"));
  auto x = torch::randn({kBatch, 8});
  auto y = torch::sin(x.sum(1, true));
  torch::manual_seed(relabel::shared_seed(seed, "init"));
  auto ref = relabel::algos::make_mlp(8, 64, 2, 1);
  torch::manual_seed(relabel::shared_seed(seed, "init"));
  auto dist = relabel::algos::make_mlp(8, 64, 2, 1);
  // Rank-dependent noise on the replica: broadcast_parameters must erase it.
  {
    torch::NoGradGuard ng;
    for (auto& p : dist->parameters()) p.add_(0.01f * w.rank());
  }
  relabel::algos::NoSync nosync;
  GradientSync sync(w, GradientSyncOptions{bucket_bytes});
  sync.broadcast_parameters(dist->parameters());
  nosync.broadcast_parameters(ref->parameters());
  std::vector<torch::Tensor> init;
  for (const auto& p : ref->parameters()) init.push_back(p.detach().clone());

  auto opt_ref = make_optimizer(ref->parameters());
  auto opt_dist = make_optimizer(dist->parameters());
  const int64_t part = kBatch / w.size();
  auto xs = x.narrow(0, w.rank() * part, part), ys = y.narrow(0, w.rank() * part, part);
  for (int step = 0; step < 20; ++step) {
    opt_ref->zero_grad();
    torch::mse_loss(ref->forward(x), y).backward();
    nosync.average_gradients(ref->parameters());
    opt_ref->step();

    opt_dist->zero_grad();
    torch::mse_loss(dist->forward(xs), ys).backward();
    sync.average_gradients(dist->parameters());
    opt_dist->step();
  }
  return {init, ref->parameters(), dist->parameters(), sync.bucket_count()};
}

void expect_equivalent(const TrainResult& r) {
  auto& w = world();
  double max_diff = 0;
  for (size_t i = 0; i < r.ref.size(); ++i)
    max_diff = std::max(max_diff, (r.ref[i] - r.dist[i]).abs().max().item<double>());
  EXPECT_LE(max_diff, 1e-4);
  // Training moved the parameters: the comparison is not between two untouched copies.
  double moved = 0;
  for (size_t i = 0; i < r.ref.size(); ++i)
    moved = std::max(moved, (r.ref[i] - r.init[i]).abs().max().item<double>());
  EXPECT_GT(moved, 1e-3);
  // Replicas must be bitwise identical: gather every rank's flat parameters and compare.
  std::vector<torch::Tensor> flat;
  for (const auto& p : r.dist) flat.push_back(p.detach().reshape({-1}));
  auto mine = torch::cat(flat);
  auto all = w.all_gather(mine.unsqueeze(0));
  ASSERT_EQ(all.size(0), w.size());
  for (int k = 1; k < w.size(); ++k) EXPECT_TRUE(torch::equal(all[0], all[k])) << "rank " << k;
}

TEST(GradientSync, DataParallelSgdMatchesSingleProcess) {
  auto r = train_both(
      [](std::vector<torch::Tensor> ps) {
        return std::make_unique<torch::optim::SGD>(ps, torch::optim::SGDOptions(0.05));
      },
      /*bucket_bytes=*/16 << 10);  // 4096 floats: the 4801-parameter MLP spans >= 3 buckets
  if (world().size() > 1) {
    EXPECT_GE(r.buckets, 3u);
  }
  expect_equivalent(r);
}

TEST(GradientSync, DataParallelAdamMatchesSingleProcess) {
  auto r = train_both(
      [](std::vector<torch::Tensor> ps) {
        return std::make_unique<torch::optim::Adam>(ps, torch::optim::AdamOptions(1e-3));
      },
      /*bucket_bytes=*/25u << 20);
  expect_equivalent(r);
}

}  // namespace
