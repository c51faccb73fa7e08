// MpiCollective under mpirun -np 2 (works for any size): reductions, broadcast, gather-v,
// barrier, sub-communicators, chunked large messages, scalar helpers and errors.
#include <gtest/gtest.h>
#include <torch/torch.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <thread>

#include "comm/idle_barrier.h"
#include "comm/mpi_collective.h"
#include "core/error.h"
#include "tests/comm/world_collective.h"

using relabel::comm::Collective;
using relabel::comm::MpiCollective;
using relabel::comm::ReduceOp;

using relabel::test::world;

namespace {

// Rank r holds arange(n) * (r + 1) + r: sums are exact in every dtype at these sizes.
torch::Tensor rank_values(int64_t n, int rank, torch::ScalarType dtype) {
  return (torch::arange(n, torch::kInt64) * (rank + 1) + rank).to(dtype);
}

torch::Tensor expected_sum(int64_t n, int size, torch::ScalarType dtype) {
  auto sum = torch::zeros({n}, torch::kInt64);
  for (int r = 0; r < size; ++r) sum += rank_values(n, r, torch::kInt64);
  return sum;  // int64; compared after conversion
}

class AllReduce : public ::testing::TestWithParam<std::tuple<torch::ScalarType, int64_t>> {};

TEST_P(AllReduce, SumAndMeanAreExact) {
  auto [dtype, n] = GetParam();
  auto& w = world();
  auto sum = expected_sum(n, w.size(), dtype);

  auto t = rank_values(n, w.rank(), dtype);
  w.all_reduce(t, ReduceOp::Sum);
  EXPECT_EQ(t.scalar_type(), dtype);
  EXPECT_TRUE(torch::equal(t, sum.to(dtype)));

  auto m = rank_values(n, w.rank(), dtype);
  w.all_reduce(m, ReduceOp::Mean);
  auto expected_mean = torch::isFloatingType(dtype)
                           ? sum.to(torch::kFloat64).div(w.size()).to(dtype)
                           : sum.div(w.size(), "trunc").to(dtype);
  EXPECT_TRUE(torch::equal(m, expected_mean));
}

INSTANTIATE_TEST_SUITE_P(
    DtypesAndSizes, AllReduce,
    ::testing::Combine(::testing::Values(torch::kFloat32, torch::kFloat64, torch::kInt64),
                       ::testing::Values(int64_t{1}, int64_t{7}, int64_t{1000000})));

TEST(AllReduceOps, MaxMinAndChunking) {
  auto& w = world();
  auto t = torch::full({5}, static_cast<double>(w.rank()), torch::kFloat64);
  w.all_reduce(t, ReduceOp::Max);
  EXPECT_TRUE(torch::equal(t, torch::full({5}, double(w.size() - 1), torch::kFloat64)));
  auto u = torch::full({5}, static_cast<int64_t>(w.rank() + 3), torch::kInt64);
  w.all_reduce(u, ReduceOp::Min);
  EXPECT_TRUE(torch::equal(u, torch::full({5}, int64_t{3}, torch::kInt64)));

  // The chunk path that large (> INT_MAX) messages take, at a testable size.
  MpiCollective chunked(MPI_COMM_WORLD);
  chunked.set_max_chunk_elements(1000);
  auto big = rank_values(7777, w.rank(), torch::kFloat32);
  chunked.all_reduce(big);
  EXPECT_TRUE(torch::equal(big, expected_sum(7777, w.size(), torch::kFloat32).to(torch::kFloat32)));
}

TEST(AllReduceMean, RingWithFusedScalingAtAnyLength) {
  auto& w = world();
  MpiCollective ring(MPI_COMM_WORLD);
  ring.set_ring_min_bytes(0);      // every float mean takes the ring
  ring.set_shared_memory(false);   // not the shared-memory segment
  ring.set_max_chunk_elements(3);  // and several Sendrecv pieces per step
  for (auto dtype : {torch::kFloat32, torch::kFloat64}) {
    for (int64_t n : {1, 2, 5, 7, 1000, 4099}) {
      // Exact: integer-valued inputs whose mean over 2 ranks is exact in binary.
      auto t = rank_values(n, w.rank(), dtype);
      ring.all_reduce(t, ReduceOp::Mean);
      auto expected = expected_sum(n, w.size(), dtype).to(torch::kFloat64).div(w.size()).to(dtype);
      EXPECT_TRUE(torch::allclose(t, expected, 1e-6, 0)) << n;
      // Random inputs: the replicas agree bit for bit (each chunk is reduced by one owner).
      auto gen = torch::randn({n}, torch::TensorOptions().dtype(dtype)) + w.rank();
      auto inputs = w.all_gather(gen.unsqueeze(0));
      ring.all_reduce(gen, ReduceOp::Mean);
      EXPECT_TRUE(torch::allclose(gen, inputs.mean(0), 1e-6, 1e-6)) << n;
      auto results = w.all_gather(gen.unsqueeze(0));
      for (int k = 1; k < w.size(); ++k) EXPECT_TRUE(torch::equal(results[0], results[k])) << n;
    }
  }
}

TEST(AllReduceMean, SharedMemorySegmentMatchesTheRingAndGrows) {
  auto& w = world();
  MpiCollective shm(MPI_COMM_WORLD), ring(MPI_COMM_WORLD);
  shm.set_ring_min_bytes(0);  // every float sum and mean takes the segment (ranks share a node)
  ring.set_ring_min_bytes(0);
  ring.set_shared_memory(false);
  for (auto dtype : {torch::kFloat32, torch::kFloat64}) {
    // 300001 doubles (2.4 MB) outgrow the first 1 MB segment; smaller sizes after it reuse it.
    for (int64_t n : {1, 2, 5, 7, 1000, 4099, 300001, 3}) {
      auto t = rank_values(n, w.rank(), dtype);
      shm.all_reduce(t, ReduceOp::Mean);
      auto expected = expected_sum(n, w.size(), dtype).to(torch::kFloat64).div(w.size()).to(dtype);
      EXPECT_TRUE(torch::allclose(t, expected, 1e-6, 0)) << n;
      auto s = rank_values(n, w.rank(), dtype);
      shm.all_reduce(s, ReduceOp::Sum);
      EXPECT_TRUE(torch::equal(s, expected_sum(n, w.size(), dtype).to(dtype))) << n;
      // Random inputs: the same as the ring and the replicas agree bit for bit.
      auto gen = torch::randn({n}, torch::TensorOptions().dtype(dtype)) + w.rank();
      auto via_ring = gen.clone();
      shm.all_reduce(gen, ReduceOp::Mean);
      ring.all_reduce(via_ring, ReduceOp::Mean);
      EXPECT_TRUE(torch::allclose(gen, via_ring, 1e-6, 1e-6)) << n;
      auto results = w.all_gather(gen.unsqueeze(0));
      for (int k = 1; k < w.size(); ++k) EXPECT_TRUE(torch::equal(results[0], results[k])) << n;
    }
  }
  // Max and integer means keep MPI_Allreduce.
  auto m = torch::full({70000}, float(w.rank()));
  shm.all_reduce(m, ReduceOp::Max);
  EXPECT_TRUE(torch::equal(m, torch::full({70000}, float(w.size() - 1))));
}

TEST(IdleBarrier, WaitsForTheSlowRankWithoutSpinning) {
  // Rank 0 is "working" (asleep, so it uses no CPU either) for 1.5 s; every other rank waits in
  // idle_barrier and must use a small fraction of that time on the CPU (MPI_Barrier would use
  // nearly all of it, polling).
  auto cpu = [] {
    timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
  };
  MPI_Barrier(MPI_COMM_WORLD);
  const auto wall0 = std::chrono::steady_clock::now();
  const double cpu0 = cpu();
  if (world().rank() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  relabel::comm::idle_barrier(world());
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  const double used = cpu() - cpu0;
  EXPECT_GE(wall, 1.4);
  if (world().rank() != 0) {
    EXPECT_LT(used, 0.25 * wall) << "cpu " << used << " s of " << wall;
  }
}

TEST(Broadcast, FromEveryRootAnyDtype) {
  auto& w = world();
  for (int root = 0; root < w.size(); ++root) {
    auto f = torch::full({3, 4}, float(w.rank() * 10 + 1));
    w.broadcast(f, root);
    EXPECT_TRUE(torch::equal(f, torch::full({3, 4}, float(root * 10 + 1))));
    auto h = torch::full({9}, double(w.rank()) + 0.5, torch::kHalf);  // travels as bytes
    w.broadcast(h, root);
    EXPECT_TRUE(torch::equal(h, torch::full({9}, double(root) + 0.5, torch::kHalf)));
  }
  MpiCollective chunked(MPI_COMM_WORLD);
  chunked.set_max_chunk_elements(7);
  auto big = w.rank() == 0 ? torch::arange(100, torch::kInt64) : torch::zeros({100}, torch::kInt64);
  chunked.broadcast(big, 0);
  EXPECT_TRUE(torch::equal(big, torch::arange(100, torch::kInt64)));
  auto bad = torch::zeros({2});
  EXPECT_THROW(w.broadcast(bad, w.size()), relabel::Error);
}

torch::Tensor rows_of(int rank) {  // rank r: 2r rows (rank 0 has none) of width 3
  return torch::arange(int64_t{2} * rank * 3, torch::kFloat32).reshape({2 * rank, 3}) + 100 * rank;
}

void check_gathered(const torch::Tensor& all, int size) {
  std::vector<torch::Tensor> parts;
  for (int r = 0; r < size; ++r) parts.push_back(rows_of(r));
  auto expected = torch::cat(parts);
  ASSERT_EQ(all.sizes(), expected.sizes());
  EXPECT_TRUE(torch::equal(all, expected));
}

TEST(AllGather, UnevenFirstDimension) {
  auto& w = world();
  check_gathered(w.all_gather(rows_of(w.rank())), w.size());
  // Through the large-message path (chunked broadcasts per rank).
  MpiCollective chunked(MPI_COMM_WORLD);
  chunked.set_max_chunk_elements(2);
  check_gathered(chunked.all_gather(rows_of(w.rank())), w.size());
  // Scalars and strings.
  auto values = w.all_gather(double(w.rank()) * 1.5);
  ASSERT_EQ(values.size(), size_t(w.size()));
  for (int r = 0; r < w.size(); ++r) EXPECT_EQ(values[r], r * 1.5);
  auto names = w.all_gather(std::string(size_t(w.rank()) * 3, char('a' + w.rank())));
  ASSERT_EQ(names.size(), size_t(w.size()));
  for (int r = 0; r < w.size(); ++r) EXPECT_EQ(names[r], std::string(size_t(r) * 3, char('a' + r)));
}

TEST(AllGather, MismatchedTrailingShapeFailsOnEveryRank) {
  auto& w = world();
  if (w.size() < 2) return;
  auto t = torch::zeros({2, w.rank() + 1});
  EXPECT_THROW(w.all_gather(t), relabel::RunError);
  w.barrier();  // every rank threw and is still in step
}

TEST(Barrier, NobodyPassesBeforeEveryoneArrives) {
  auto& w = world();
  std::string dir;
  if (w.rank() == 0) {
    char tmpl[] = "/tmp/relabel-barrier-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir = tmpl;
  }
  w.broadcast(dir, 0);
  auto marker = [&](int r) { return dir + "/arrived-" + std::to_string(r); };
  if (w.rank() == w.size() - 1) std::this_thread::sleep_for(std::chrono::milliseconds(300));
  std::ofstream(marker(w.rank())) << "x";
  w.barrier();
  for (int r = 0; r < w.size(); ++r) EXPECT_TRUE(std::filesystem::exists(marker(r))) << r;
  w.barrier();
  if (w.rank() == 0) std::filesystem::remove_all(dir);
}

TEST(Split, GroupsOfOneReduceInsideTheirGroup) {
  auto& w = world();
  auto sub = w.split(w.rank(), 0);
  ASSERT_NE(sub, nullptr);
  EXPECT_EQ(sub->size(), 1);
  EXPECT_EQ(sub->rank(), 0);
  auto t = torch::full({4}, float(w.rank() + 1));
  sub->all_reduce(t, ReduceOp::Sum);
  EXPECT_TRUE(torch::equal(t, torch::full({4}, float(w.rank() + 1))));
  EXPECT_EQ(sub->all_reduce_sum(double(w.rank() + 1)), double(w.rank() + 1));
  auto g = sub->all_gather(rows_of(w.rank()));
  EXPECT_TRUE(torch::equal(g, rows_of(w.rank())));
  sub->barrier();

  // One group, ranks reversed by key; a negative color leaves the last rank out.
  auto reversed = w.split(0, -w.rank());
  EXPECT_EQ(reversed->size(), w.size());
  EXPECT_EQ(reversed->rank(), w.size() - 1 - w.rank());
  auto partial = w.split(w.rank() == w.size() - 1 ? -1 : 0, w.rank());
  if (w.rank() == w.size() - 1) {
    EXPECT_EQ(partial, nullptr);
  } else {
    ASSERT_NE(partial, nullptr);
    EXPECT_EQ(partial->size(), w.size() - 1);
  }
}

TEST(Scalars, ReductionsAndAgreement) {
  auto& w = world();
  const int n = w.size();
  EXPECT_EQ(w.all_reduce_sum(double(w.rank()) + 0.25), n * (n - 1) / 2.0 + 0.25 * n);
  EXPECT_EQ(w.all_reduce_sum(int64_t{w.rank()}), int64_t{n * (n - 1) / 2});
  EXPECT_EQ(w.all_reduce_max(int64_t{w.rank()}), int64_t{n - 1});
  EXPECT_EQ(w.all_reduce_min(double(w.rank()) - 1.0), -1.0);
  EXPECT_EQ(w.all_reduce_max(-double(w.rank())), 0.0);
  EXPECT_EQ(w.any(w.rank() == n - 1), true);
  EXPECT_EQ(w.all(w.rank() == n - 1), n == 1);
  double v[3] = {1.0, double(w.rank()), -2.0};
  w.all_reduce_sum(v, 3);
  EXPECT_EQ(v[0], double(n));
  EXPECT_EQ(v[1], n * (n - 1) / 2.0);
  EXPECT_EQ(v[2], -2.0 * n);
  std::string s = w.rank() == 0 ? "resolved config" : "";
  w.broadcast(s, 0);
  EXPECT_EQ(s, "resolved config");
}

TEST(Errors, BadTensorsAreInputErrors) {
  auto& w = world();
  auto nc = torch::zeros({4, 4}).t();
  EXPECT_THROW(w.all_reduce(nc), relabel::Error);
  auto half = torch::zeros({4}, torch::kHalf);
  EXPECT_THROW(w.all_reduce(half), relabel::Error);
  try {
    relabel::comm::check_mpi(MPI_ERR_COUNT, "MPI_Allreduce");
    FAIL() << "check_mpi did not throw";
  } catch (const relabel::RunError& e) {
    EXPECT_NE(std::string(e.what()).find("MPI_Allreduce: "), std::string::npos);
    EXPECT_GT(std::string(e.what()).size(), std::string("MPI_Allreduce: ").size());
  }
}

}  // namespace

// Rank r sends (r + 1) * (j + 1) rows to rank j, each row (r, j, k, k) for its k-th row to j:
// every rank checks it received each peer's rows, in rank order, with their contents.
TEST(AllToAll, UnevenRowsArriveInRankOrder) {
  auto& w = world();
  const int n = w.size(), me = w.rank();
  std::vector<int64_t> send_rows(n), recv_rows(n);
  std::vector<torch::Tensor> parts;
  for (int j = 0; j < n; ++j) {
    send_rows[j] = (me + 1) * (j + 1);
    recv_rows[j] = (j + 1) * (me + 1);
    auto k = torch::arange(send_rows[j], torch::kFloat64);
    parts.push_back(torch::stack({torch::full_like(k, me), torch::full_like(k, j), k, k}, 1));
  }
  auto send = torch::cat(parts).contiguous();
  int64_t total = 0;
  for (auto r : recv_rows) total += r;
  auto recv = torch::full({total + 3, 4}, -1.0, torch::kFloat64);  // spare rows stay untouched
  w.all_to_all(send, send_rows, recv, recv_rows);
  int64_t at = 0;
  for (int j = 0; j < n; ++j)
    for (int64_t k = 0; k < recv_rows[j]; ++k, ++at) {
      auto row = recv[at];
      EXPECT_EQ(row[0].item<double>(), j);
      EXPECT_EQ(row[1].item<double>(), me);
      EXPECT_EQ(row[2].item<double>(), k);
    }
  EXPECT_TRUE(torch::all(recv.slice(0, total) == -1).item<bool>());
}

TEST(AllToAll, BadArgumentsThrowTheSameErrorOnEveryRank) {
  auto& w = world();
  auto send = torch::zeros({4, 2}), recv = torch::zeros({4, 3});
  std::vector<int64_t> one(w.size(), 1);
  EXPECT_THROW(w.all_to_all(send, one, recv, one), relabel::Error);  // row shapes differ
  recv = torch::zeros({4, 2});
  EXPECT_THROW(w.all_to_all(send, {1}, recv, std::vector<int64_t>(w.size() + 1, 0)),
               relabel::Error);  // counts per rank
  std::vector<int64_t> many(w.size(), 5);
  EXPECT_THROW(w.all_to_all(send, many, recv, many), relabel::Error);  // more rows than held
}
