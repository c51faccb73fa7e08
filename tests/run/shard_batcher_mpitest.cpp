// The global batch does not depend on the number of ranks: each rank's slice of a 2-rank batch
// equals the same positions of a 1-rank batch over the whole dataset.
#include <gtest/gtest.h>
#include <mpi.h>
#include <torch/torch.h>

#include "comm/mpi_collective.h"
#include "run/shard_batcher.h"

using namespace relabel;
using namespace relabel::comm;
using namespace relabel::run;

namespace {
// Row i of the full dataset holds values derived from i, so rows are recognisable.
ShardColumns rows(int64_t begin, int64_t end) {
  auto i = torch::arange(begin, end, torch::kFloat32);
  ShardColumns c;
  c.obs = torch::stack({i, i + 0.5f, -i}, 1);
  c.actions = torch::stack({i * 2, i * 3}, 1);
  c.rewards = i * 10;
  c.next_obs = c.obs + 1;
  c.dones = (i.remainder(7) == 0).to(torch::kFloat32);
  return c;
}

void expect_same(const algos::Batch& a, const algos::Batch& b) {
  EXPECT_TRUE(torch::equal(a.obs, b.obs));
  EXPECT_TRUE(torch::equal(a.actions, b.actions));
  EXPECT_TRUE(torch::equal(a.rewards, b.rewards));
  EXPECT_TRUE(torch::equal(a.next_obs, b.next_obs));
  EXPECT_TRUE(torch::equal(a.dones, b.dones));
}

// Rows [b, e) of a batch.
algos::Batch slice_rows(const algos::Batch& x, int64_t b, int64_t e) {
  return {x.obs.slice(0, b, e), x.actions.slice(0, b, e), x.rewards.slice(0, b, e),
          x.next_obs.slice(0, b, e), x.dones.slice(0, b, e)};
}
}  // namespace

TEST(ShardBatcher, SliceOfTwoRankBatchEqualsOneRankBatch) {
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  const int64_t n = 1001, batch = 256;
  // Uneven shards on purpose.
  int64_t begin = rank == 0 ? 0 : 400, end = rank == 0 ? 400 : n;
  if (size == 1) begin = 0, end = n;
  MpiCollective world(MPI_COMM_WORLD), self(MPI_COMM_SELF);
  ShardBatcher sharded(world, rows(begin, end), batch);
  ShardBatcher whole(self, rows(0, n), batch);
  EXPECT_EQ(sharded.global_rows(), n);
  EXPECT_EQ(sharded.row_offset(), begin);
  GlobalSampler sampler(42, n);
  int64_t b, e;
  batch_slice(batch, rank, size, &b, &e);
  for (int64_t step = 0; step < 20; ++step) {
    auto mine = sharded.next(sampler, step);
    auto ref = whole.next(sampler, step);
    ASSERT_EQ(mine.obs.size(0), e - b);
    expect_same(mine, slice_rows(ref, b, e));
  }
}

TEST(ShardBatcher, UniverseRestrictsRows) {
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  const int64_t n = 600;
  int64_t begin = rank * n / size, end = (rank + 1) * n / size;
  MpiCollective world(MPI_COMM_WORLD);
  ShardBatcher sharded(world, rows(begin, end), 64);
  std::vector<int64_t> labelled = {3, 77, 301, 302, 599};
  GlobalSampler sampler(7, static_cast<int64_t>(labelled.size()), labelled);
  for (int64_t step = 0; step < 10; ++step) {
    auto batch = sharded.next(sampler, step);
    auto ids = batch.rewards / 10;
    for (int64_t k = 0; k < ids.size(0); ++k) {
      auto id = static_cast<int64_t>(ids[k].item<float>());
      EXPECT_NE(std::find(labelled.begin(), labelled.end(), id), labelled.end()) << id;
    }
  }
}

// The device path (chosen for GPU collectives) run on CPU tensors through the MPI collective,
// the code path NCCL takes on GPUs: every batch equals the host path's bit for bit.

TEST(ShardBatcherDevicePath, EqualsHostPathOnEveryRank) {
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  // Odd batch (uneven slices) and uneven shards.
  const int64_t n = 1001, batch = 255;
  int64_t begin = rank == 0 ? 0 : 400, end = rank == 0 ? 400 : n;
  if (size == 1) begin = 0, end = n;
  MpiCollective world(MPI_COMM_WORLD), self(MPI_COMM_SELF);
  ShardBatcher device(world, rows(begin, end), batch, BatchPath::Device);
  ShardBatcher host(world, rows(begin, end), batch, BatchPath::Host);
  ShardBatcher whole(self, rows(0, n), batch, BatchPath::Host);
  EXPECT_TRUE(device.on_device());
  EXPECT_FALSE(host.on_device());
  EXPECT_FALSE(ShardBatcher(world, rows(begin, end), batch).on_device());  // Auto on the CPU
  GlobalSampler sampler(42, n);
  int64_t b, e;
  batch_slice(batch, rank, size, &b, &e);
  int64_t foreign = 0;  // rows of this rank's slice that another rank owns
  for (int64_t step = 0; step < 20; ++step) {
    auto got = device.next(sampler, step);
    ASSERT_EQ(got.obs.size(0), e - b);
    expect_same(got, host.next(sampler, step));
    expect_same(got, slice_rows(whole.next(sampler, step), b, e));
    auto ids = got.rewards / 10;
    foreign += ((ids < begin) | (ids >= end)).sum().item<int64_t>();
  }
  if (size > 1) {
    EXPECT_GT(foreign, 0);  // the exchange was exercised
  }
}

TEST(ShardBatcherDevicePath, UniverseEqualsHostPath) {
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  const int64_t n = 600;
  int64_t begin = rank * n / size, end = (rank + 1) * n / size;
  MpiCollective world(MPI_COMM_WORLD);
  ShardBatcher device(world, rows(begin, end), 64, BatchPath::Device);
  ShardBatcher host(world, rows(begin, end), 64, BatchPath::Host);
  // Labelled rows in both shards.
  std::vector<int64_t> labelled = {3, 77, 301, 302, 599};
  GlobalSampler sampler(7, static_cast<int64_t>(labelled.size()), labelled);
  for (int64_t step = 0; step < 10; ++step)
    expect_same(device.next(sampler, step), host.next(sampler, step));
}

TEST(ShardBatcherDevicePath, SingleRankEqualsHostPath) {
  const int64_t n = 333, batch = 100;
  MpiCollective self(MPI_COMM_SELF);
  ShardBatcher device(self, rows(0, n), batch, BatchPath::Device);
  ShardBatcher host(self, rows(0, n), batch, BatchPath::Host);
  GlobalSampler sampler(5, n);
  for (int64_t step = 0; step < 10; ++step) {
    auto got = device.next(sampler, step);
    ASSERT_EQ(got.obs.size(0), batch);
    expect_same(got, host.next(sampler, step));
  }
}

#include "run/obs_normalizer.h"
#include "run/row_gather.h"

TEST(RowGather, ReplicatesSelectedRowsInIdOrder) {
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  const int64_t n = 100;
  int64_t begin = rank * 37 * (size > 1), end = size > 1 && rank == 0 ? 37 : n;
  auto local = rows(begin, end).obs;
  std::vector<int64_t> ids = {0, 5, 36, 37, 38, 99};
  MpiCollective world(MPI_COMM_WORLD);
  auto got = gather_rows(local, begin, ids, world);
  auto full = rows(0, n).obs;
  auto idx = torch::tensor(ids, torch::kInt64);
  EXPECT_TRUE(torch::equal(got, full.index_select(0, idx)));
}

TEST(ObsNormalizer, GlobalStatisticsEqualWholeDataset) {
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  torch::manual_seed(3);
  auto full = torch::randn({1000, 4}) * torch::tensor({1.0f, 2.0f, 0.5f, 0.0f}) + 3.0f;
  int64_t begin = rank * 1000 / size, end = (rank + 1) * 1000 / size;
  MpiCollective world(MPI_COMM_WORLD);
  auto norm = ObsNormalizer::from_shard(full.slice(0, begin, end), world);
  auto mean = full.mean(0);
  auto std = full.std(0, /*unbiased=*/false) + 1e-3;
  EXPECT_TRUE(torch::allclose(norm.mean, mean, 1e-5, 1e-5));
  EXPECT_TRUE(torch::allclose(norm.std, std, 1e-4, 1e-4));
  auto z = norm.apply(full);
  EXPECT_LT(z.mean(0).abs().max().item<float>(), 1e-4);
}
