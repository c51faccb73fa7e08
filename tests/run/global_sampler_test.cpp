#include <gtest/gtest.h>

#include <vector>

#include "run/global_sampler.h"

using namespace relabel;
using namespace relabel::run;

TEST(GlobalSampler, DeterministicAndUniform) {
  GlobalSampler a(1, 10), b(1, 10), c(2, 10);
  std::vector<int64_t> x(5000), y(5000), z(5000);
  a.sample(3, 0, 5000, x.data());
  b.sample(3, 0, 5000, y.data());
  c.sample(3, 0, 5000, z.data());
  EXPECT_EQ(x, y);
  EXPECT_NE(x, z);
  std::vector<int> counts(10);
  for (auto v : x) {
    ASSERT_GE(v, 0);
    ASSERT_LT(v, 10);
    counts[v]++;
  }
  for (int c10 : counts) EXPECT_NEAR(c10, 500, 100);  // ~4.5 sigma
  // A sub-range of positions equals the same positions of the whole batch.
  std::vector<int64_t> part(100);
  a.sample(3, 1000, 1100, part.data());
  EXPECT_TRUE(std::equal(part.begin(), part.end(), x.begin() + 1000));
}

TEST(GlobalSampler, BatchSlicesPartitionTheBatch) {
  for (int size : {1, 2, 3, 7}) {
    int64_t expected = 0;
    for (int r = 0; r < size; ++r) {
      int64_t b, e;
      batch_slice(257, r, size, &b, &e);
      EXPECT_EQ(b, expected);
      EXPECT_GE(e - b, 257 / size);
      expected = e;
    }
    EXPECT_EQ(expected, 257);
  }
}
