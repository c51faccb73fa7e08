#include "io/dataset.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "tests/io/io_test_util.h"

namespace relabel::io {
namespace {

TEST(Dataset, SizesAndDims) {
  Dataset ds = test::synthetic_dataset(20, 5, 2);
  EXPECT_EQ(ds.size(), 20);
  EXPECT_EQ(ds.obs_dim(), 5);
  EXPECT_EQ(ds.act_dim(), 2);
  EXPECT_TRUE(ds.has_rewards());
  EXPECT_FALSE(ds.is_shard());
  EXPECT_NO_THROW(ds.check());
}

TEST(Dataset, SliceKeepsGlobalNumbering) {
  Dataset ds = test::synthetic_dataset(20);
  Dataset s = ds.slice(5, 12);
  EXPECT_EQ(s.size(), 7);
  EXPECT_EQ(s.row_offset, 5);
  EXPECT_EQ(s.total_rows, 20);
  EXPECT_TRUE(s.is_shard());
  EXPECT_TRUE(torch::equal(s.observations, ds.observations.slice(0, 5, 12)));
  EXPECT_THROW(ds.slice(5, 21), Error);
}

TEST(Dataset, SelectCopiesRowsInIndexOrder) {
  Dataset ds = test::synthetic_dataset(20);
  Dataset s = ds.select(torch::tensor({3, 1, 3}, torch::kLong));
  ASSERT_EQ(s.size(), 3);
  EXPECT_TRUE(torch::equal(s.actions[0], ds.actions[3]));
  EXPECT_TRUE(torch::equal(s.actions[1], ds.actions[1]));
  EXPECT_EQ(s.row_offset, 0);
  EXPECT_EQ(s.total_rows, 3);
  EXPECT_THROW(ds.select(torch::tensor({20}, torch::kLong)), Error);
}

TEST(Dataset, ConcatOfAdjacentShardsRestoresTheWhole) {
  Dataset ds = test::synthetic_dataset(20);
  Dataset whole = Dataset::concat(ds.slice(0, 9), ds.slice(9, 20));
  test::expect_same_rows(whole, ds);
  EXPECT_EQ(whole.row_offset, 0);
  EXPECT_EQ(whole.total_rows, 20);
  Dataset odd = Dataset::concat(ds.slice(0, 3), ds.slice(10, 12));
  EXPECT_EQ(odd.size(), 5);
  EXPECT_EQ(odd.total_rows, 5);
  Dataset other = test::synthetic_dataset(4, 6, 2);
  EXPECT_THROW(Dataset::concat(ds, other), Error);
}

TEST(Dataset, CheckRefusesInconsistentColumns) {
  Dataset ds = test::synthetic_dataset(10);
  ds.rewards = torch::zeros({9});
  try {
    ds.check("x.hdf5");
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("x.hdf5: column 'rewards'"), std::string::npos)
        << e.what();
  }
  Dataset no_rewards = test::synthetic_dataset(10);
  no_rewards.rewards = torch::Tensor();
  EXPECT_NO_THROW(no_rewards.check());
  EXPECT_FALSE(no_rewards.has_rewards());
}

TEST(Dataset, MakeDatasetConvertsTypes) {
  auto obs = torch::ones({4, 2}, torch::kDouble);
  Dataset ds = make_dataset(obs, torch::zeros({4, 1}), torch::zeros({4}), obs,
                            torch::tensor({0, 0, 0, 1}), torch::zeros({4}, torch::kInt));
  EXPECT_EQ(ds.observations.scalar_type(), torch::kFloat);
  EXPECT_EQ(ds.terminals.scalar_type(), torch::kBool);
  EXPECT_TRUE(ds.terminals[3].item<bool>());
}

}  // namespace
}  // namespace relabel::io
