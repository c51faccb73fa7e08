// VectorEnv and evaluate(): flat buffers agree with stepping the copies one by one.
#include <gtest/gtest.h>

#include <random>

#include "envs/evaluate.h"
#include "envs/pendulum.h"
#include "envs/seeding.h"
#include "envs/vector_env.h"

namespace relabel::envs {
namespace {

TEST(VectorEnv, MatchesSingleEnvsAndTracksEpisodes) {
  const int n = 3;
  VectorEnv venv("pendulum", n);
  std::vector<float> obs = venv.reset_all(5);
  std::vector<Pendulum> ref(n);
  for (int i = 0; i < n; ++i) {
    std::vector<float> o = ref[i].reset(mix_seed(mix_seed(5, i), 0));
    for (int k = 0; k < 3; ++k) EXPECT_EQ(obs[i * 3 + k], o[k]);
  }
  std::vector<float> act(n), next(n * 3), rew(n);
  std::vector<uint8_t> term(n), trunc(n);
  std::vector<double> ret(n, 0.0);
  for (int t = 0; t < 200; ++t) {
    for (int i = 0; i < n; ++i) act[i] = std::sin(0.1 * t + i);
    venv.step(act.data(), next.data(), rew.data(), term.data(), trunc.data());
    for (int i = 0; i < n; ++i) {
      StepResult r = ref[i].step({act[i]});
      ret[i] += r.reward;
      ASSERT_EQ(rew[i], float(r.reward));
      ASSERT_EQ(next[i * 3 + 2], r.obs[2]);
      ASSERT_EQ(trunc[i], r.truncated);
      ASSERT_EQ(term[i], 0);
    }
  }
  EXPECT_EQ(venv.num_running(), 0);
  auto fin = venv.take_finished();
  ASSERT_EQ(fin.size(), std::size_t(n));
  for (const EpisodeStats& e : fin) {
    EXPECT_EQ(e.length, 200);
    EXPECT_NEAR(e.ret, ret[e.env], 1e-9);
    EXPECT_FALSE(e.terminated);
  }
  // Finished copies are not stepped again: their rows repeat the last observation.
  std::vector<float> again(n * 3);
  venv.step(act.data(), again.data(), rew.data(), term.data(), trunc.data());
  EXPECT_EQ(again, next);
  EXPECT_EQ(rew, std::vector<float>(n, 0.0f));
}

TEST(VectorEnv, AutoResetReportsFinalObservation) {
  VectorEnv venv("mountaincar", 2, /*auto_reset=*/true);
  venv.reset_all(1);
  std::vector<float> act(2, 0.0f), next(4), rew(2);
  std::vector<uint8_t> term(2), trunc(2);
  std::vector<float> last(4);
  for (int t = 1; t <= 999; ++t) {
    venv.step(act.data(), next.data(), rew.data(), term.data(), trunc.data());
    if (t < 999) last = next;
  }
  EXPECT_EQ(trunc[0], 1);
  EXPECT_EQ(trunc[1], 1);
  EXPECT_EQ(venv.num_running(), 2);  // reset automatically
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(next[i * 2 + 1], 0.0f);  // a fresh episode starts at rest
    EXPECT_GE(next[i * 2], -0.6f);
    EXPECT_LE(next[i * 2], -0.4f);
    EXPECT_NE(venv.final_obs()[i * 2], next[i * 2]);
    EXPECT_EQ(venv.episode_length(i), 0);
  }
  auto fin = venv.take_finished();
  ASSERT_EQ(fin.size(), 2u);
  EXPECT_EQ(fin[0].length, 999);
  EXPECT_TRUE(venv.take_finished().empty());
}

TEST(Evaluate, IndependentOfBatchingAndSplittable) {
  // A deterministic state-feedback policy: results depend only on the episode seeds.
  int calls = 0, widest = 0;
  BatchPolicy policy = [&](const float* obs, int n, float* act) {
    ++calls;
    widest = std::max(widest, n);
    for (int i = 0; i < n; ++i) act[i] = -2.0f * obs[i * 3 + 1] - 0.5f * obs[i * 3 + 2];
  };
  auto serial = evaluate_episodes(policy, "pendulum", 10, 9, {0, 1});
  EXPECT_EQ(widest, 1);
  calls = widest = 0;
  auto batched = evaluate_episodes(policy, "pendulum", 10, 9, {0, 4});
  EXPECT_EQ(widest, 4);
  EXPECT_EQ(calls, 3 * 200);  // 10 episodes of 200 steps, 4 at a time
  ASSERT_EQ(serial.size(), 10u);
  for (int k = 0; k < 10; ++k) {
    EXPECT_EQ(serial[k].episode, uint64_t(k));
    EXPECT_EQ(batched[k].ret, serial[k].ret);
    EXPECT_EQ(batched[k].length, 200);
  }
  // Two "ranks" splitting the episodes reproduce the single run.
  auto first = evaluate(policy, "pendulum", 6, 9, {0, 16});
  auto second = evaluate(policy, "pendulum", 4, 9, {6, 16});
  for (int k = 0; k < 6; ++k) EXPECT_EQ(first[k], serial[k].ret);
  for (int k = 0; k < 4; ++k) EXPECT_EQ(second[k], serial[6 + k].ret);
  EXPECT_TRUE(evaluate(policy, "pendulum", 0, 9).empty());
}

}  // namespace
}  // namespace relabel::envs
