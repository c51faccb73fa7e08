// Sharded D4RL reads under mpirun -np 2: every row exactly once, the concatenation equal to
// the serial read, also when next_observations must be rebuilt across the shard boundary.
#include <gtest/gtest.h>
#include <hdf5.h>
#include <mpi.h>

#include <filesystem>

#include "core/error.h"
#include "io/d4rl_file.h"
#include "io/episodes.h"
#include "tests/io/io_test_util.h"

namespace relabel::io {
namespace {

int rank_of(MPI_Comm comm) {
  int r;
  MPI_Comm_rank(comm, &r);
  return r;
}

// A path shared by all ranks; rank 0 writes the file.
std::string shared_file(const std::string& name, const Dataset& ds, bool drop_next = false) {
  std::string path;
  if (rank_of(MPI_COMM_WORLD) == 0) {
    path = (std::filesystem::temp_directory_path() /
            ("relabel-io-mpitest-" + std::to_string(::getpid()) + "-" + name))
               .string();
    write_d4rl(path, ds);
    if (drop_next) {
      hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
      H5Ldelete(file, "next_observations", H5P_DEFAULT);
      H5Fclose(file);
    }
  }
  int len = static_cast<int>(path.size());
  MPI_Bcast(&len, 1, MPI_INT, 0, MPI_COMM_WORLD);
  path.resize(static_cast<size_t>(len));
  MPI_Bcast(path.data(), len, MPI_CHAR, 0, MPI_COMM_WORLD);
  return path;
}

void remove_shared(const std::string& path) {
  MPI_Barrier(MPI_COMM_WORLD);
  if (rank_of(MPI_COMM_WORLD) == 0) std::filesystem::remove(path);
}

// Gathers every rank's shard to every rank, in rank order.
Dataset all_gather(const Dataset& shard) {
  int ranks;
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);
  Dataset whole;
  for (int r = 0; r < ranks; ++r) {
    int64_t meta[4] = {shard.size(), shard.row_offset, shard.total_rows, shard.obs_dim()};
    int64_t got[4];
    std::copy(meta, meta + 4, got);
    MPI_Bcast(got, 4, MPI_INT64_T, r, MPI_COMM_WORLD);
    int64_t n = got[0];
    auto bcast = [&](const torch::Tensor& mine, std::vector<int64_t> shape, torch::Dtype dtype) {
      torch::Tensor t =
          r == rank_of(MPI_COMM_WORLD) ? mine.contiguous().clone() : torch::empty(shape, dtype);
      MPI_Bcast(t.data_ptr(), static_cast<int>(t.nbytes()), MPI_BYTE, r, MPI_COMM_WORLD);
      return t;
    };
    Dataset part;
    part.observations = bcast(shard.observations, {n, got[3]}, torch::kFloat);
    part.next_observations = bcast(shard.next_observations, {n, got[3]}, torch::kFloat);
    part.actions = bcast(shard.actions, {n, shard.act_dim()}, torch::kFloat);
    part.rewards = bcast(shard.rewards, {n}, torch::kFloat);
    part.terminals = bcast(shard.terminals, {n}, torch::kBool);
    part.timeouts = bcast(shard.timeouts, {n}, torch::kBool);
    part.row_offset = got[1];
    part.total_rows = got[2];
    // Rows are contiguous and in order: this shard starts where the previous one ended.
    EXPECT_EQ(part.row_offset, whole.size()) << "rank " << r;
    whole = Dataset::concat(whole, part);
  }
  return whole;
}

TEST(D4rlShard, EveryRowExactlyOnceAndEqualToSerial) {
  Dataset ds = test::synthetic_dataset(10001, 11, 3);
  std::string path = shared_file("full.hdf5", ds);
  Dataset shard = read_d4rl_shard(path, MPI_COMM_WORLD);
  int ranks;
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);
  int r = rank_of(MPI_COMM_WORLD);
  EXPECT_EQ(shard.row_offset, 10001LL * r / ranks);
  EXPECT_EQ(shard.size(), 10001LL * (r + 1) / ranks - 10001LL * r / ranks);
  EXPECT_EQ(shard.total_rows, 10001);
  EXPECT_EQ(shard.info.env, "hopper");
  // Row identity: observation column 0 holds the global row id.
  auto ids = shard.observations.select(1, 0).to(torch::kLong);
  EXPECT_TRUE(torch::equal(ids, torch::arange(shard.row_offset, shard.row_offset + shard.size())));
  Dataset whole = all_gather(shard);
  Dataset serial = read_d4rl(path);
  test::expect_same_rows(whole, serial);
  test::expect_same_rows(whole, ds);
  // A one-rank communicator equals the serial read.
  test::expect_same_rows(read_d4rl_shard(path, MPI_COMM_SELF), serial);
  remove_shared(path);
}

TEST(D4rlShard, RebuiltNextObservationsAcrossTheBoundary) {
  // Episodes of 7 rows ending alternately in terminal/timeout. With 1007 rows the shard boundary
  // (row 503) is a timeout row: rank 1 drops it and rank 0, reading one row past its end, must
  // drop nothing but mark its last row (502) as the episode's end.
  Dataset ds = test::synthetic_dataset(1007, 4, 2, 7);
  std::string path = shared_file("nonext.hdf5", ds, /*drop_next=*/true);
  Dataset serial = read_d4rl(path);
  // Serial reconstruction against the rule: drop timeout rows and the last row; next = obs+1.
  std::vector<int64_t> kept;
  for (int64_t i = 0; i < 1007; ++i) {
    bool term = ds.terminals[i].item<bool>(), tout = ds.timeouts[i].item<bool>();
    if (!term && (tout || i == 1006)) continue;
    kept.push_back(i);
  }
  ASSERT_EQ(serial.size(), static_cast<int64_t>(kept.size()));
  auto kept_t = torch::tensor(kept, torch::kLong);
  EXPECT_TRUE(torch::equal(serial.observations, ds.observations.index_select(0, kept_t)));
  EXPECT_TRUE(torch::equal(serial.next_observations,
                           ds.observations.index_select(0, torch::clamp_max(kept_t + 1, 1006))));
  EXPECT_TRUE(torch::equal(serial.rewards, ds.rewards.index_select(0, kept_t)));
  // Episode boundaries survive the drop: as many episodes as before.
  EXPECT_EQ(split_episodes(serial).size(), split_episodes(ds).size());

  Dataset shard = read_d4rl_shard(path, MPI_COMM_WORLD);
  EXPECT_EQ(shard.total_rows, serial.size());
  Dataset whole = all_gather(shard);
  test::expect_same_rows(whole, serial);
  auto cols = read_d4rl_columns(path, {"rewards", "timeouts"});
  EXPECT_TRUE(torch::equal(cols.at("timeouts"), serial.timeouts));
  EXPECT_TRUE(torch::equal(cols.at("rewards"), serial.rewards));
  remove_shared(path);
}

TEST(D4rlShard, EveryRankRefusesABadFileWithTheSameMessage) {
  Dataset ds = test::synthetic_dataset(1000);
  ds.actions[900][1] = std::numeric_limits<float>::quiet_NaN();  // on the last rank's rows
  std::string path = shared_file("nan.hdf5", ds);
  std::string message;
  try {
    read_d4rl_shard(path, MPI_COMM_WORLD);
  } catch (const Error& e) {
    message = e.what();
  }
  EXPECT_NE(message.find("dataset 'actions': row 900 contains NaN"), std::string::npos) << message;
  remove_shared(path);
}

}  // namespace
}  // namespace relabel::io
