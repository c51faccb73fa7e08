#include "algos/online/replay_buffer.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <set>
#include <sstream>

#include "core/error.h"

using relabel::algos::ReplayBuffer;

namespace {

// Row i holds obs = (i, -i), action = 10 i, reward = 100 i, next_obs = (i + 1, ...).
void add_rows(ReplayBuffer& b, int from, int to) {
  for (int i = from; i < to; ++i) {
    float obs[2] = {float(i), float(-i)}, next[2] = {float(i + 1), float(-i - 1)};
    float act[1] = {10.0f * i};
    b.add(obs, act, 100.0f * i, next, i % 3 == 0, i % 4 == 0);
  }
}

}  // namespace

TEST(ReplayBuffer, ExportsRowsInInsertionOrderAcrossTheRing) {
  ReplayBuffer b(5, 2, 1, 0);
  add_rows(b, 0, 7);
  EXPECT_EQ(b.size(), 5);
  EXPECT_EQ(b.total_added(), 7);
  auto c = b.export_rows(2, 7);
  ASSERT_EQ(c.rows(), 5);
  for (int r = 0; r < 5; ++r) {
    const int i = r + 2;
    EXPECT_EQ(c.obs[r][0].item<float>(), i);
    EXPECT_EQ(c.obs[r][1].item<float>(), -i);
    EXPECT_EQ(c.actions[r][0].item<float>(), 10.0f * i);
    EXPECT_EQ(c.rewards[r].item<float>(), 100.0f * i);
    EXPECT_EQ(c.next_obs[r][0].item<float>(), i + 1);
    EXPECT_EQ(c.terminals[r].item<bool>(), i % 3 == 0);
    EXPECT_EQ(c.timeouts[r].item<bool>(), i % 4 == 0);
  }
  EXPECT_EQ(c.terminals.scalar_type(), torch::kBool);
  EXPECT_THROW(b.export_rows(1, 4), relabel::Error);  // row 1 was overwritten
  EXPECT_THROW(b.export_rows(3, 8), relabel::Error);  // row 7 does not exist yet
}

TEST(ReplayBuffer, SamplesHeldRowsUniformlyAndReproducibly) {
  ReplayBuffer a(100, 2, 1, 42), b(100, 2, 1, 42), c(100, 2, 1, 43);
  for (auto* buf : {&a, &b, &c}) add_rows(*buf, 0, 130);  // rows 30..129 held
  auto sa = a.sample(4096);
  auto obs = sa.obs.select(1, 0).clone();
  EXPECT_TRUE(torch::equal(obs, b.sample(4096).obs.select(1, 0)));
  EXPECT_FALSE(torch::equal(obs, c.sample(4096).obs.select(1, 0)));
  EXPECT_GE(obs.min().item<float>(), 30.0f);
  EXPECT_LE(obs.max().item<float>(), 129.0f);
  // Columns stay aligned and every held row is reachable; the mean is near the middle.
  EXPECT_TRUE(torch::allclose(sa.rewards, 10.0f * sa.actions.squeeze(1)));
  EXPECT_TRUE(torch::allclose(sa.next_obs.select(1, 0), obs + 1));
  std::set<int> seen;
  for (int64_t i = 0; i < obs.size(0); ++i) seen.insert(int(obs[i].item<float>()));
  EXPECT_EQ(seen.size(), 100u);
  EXPECT_NEAR(obs.mean().item<float>(), 79.5f, 2.0f);
  // dones are the terminal flags only (i % 3 == 0), never the time limits.
  EXPECT_TRUE(torch::equal(sa.dones, (obs.remainder(3) == 0).to(torch::kFloat32)));
}

TEST(ReplayBuffer, SaveLoadRestoresContentsAndSampler) {
  ReplayBuffer a(50, 2, 1, 7);
  add_rows(a, 0, 60);
  a.sample(10);
  torch::serialize::OutputArchive out;
  a.save(out);
  std::stringstream ss;
  out.save_to(ss);

  ReplayBuffer b(50, 2, 1, 999);
  torch::serialize::InputArchive in;
  in.load_from(ss);
  b.load(in);
  EXPECT_EQ(b.size(), 50);
  EXPECT_EQ(b.total_added(), 60);
  EXPECT_TRUE(torch::equal(a.export_rows(10, 60).obs, b.export_rows(10, 60).obs));
  EXPECT_TRUE(torch::equal(a.sample(32).obs, b.sample(32).obs));

  ReplayBuffer wrong(50, 3, 1, 0);
  torch::serialize::InputArchive in2;
  ss.seekg(0);
  in2.load_from(ss);
  EXPECT_THROW(wrong.load(in2), relabel::Error);
}
