// The world-model agent (docs/algorithms.md, "Latent world-model agent"): shapes, SimNorm latents,
// updates reach every network, checkpoints continue identically, CDRED needs expert data.
#include "algos/online/world_model.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <limits>
#include <sstream>

#include "algos/reward/cdred_reward.h"
#include "core/error.h"

using namespace relabel::algos;

namespace {

WorldModelOptions small_world_model(uint64_t seed) {
  WorldModelOptions o;
  o.obs_dim = 3;
  o.act_dim = 1;
  o.max_action = 2.0;
  o.episode_length = 200;
  o.enc_dim = 32;
  o.mlp_dim = 32;
  o.latent_dim = 16;
  o.seed = seed;
  return o;
}

SequenceBatch random_batch(int64_t b, int64_t h, uint64_t seed, double shift = 0.0) {
  torch::manual_seed(seed);
  SequenceBatch s;
  s.obs = torch::randn({h + 1, b, 3}) + shift;
  s.actions = torch::rand({h, b, 1}) * 4 - 2;
  s.rewards = torch::randn({h, b});
  s.terminals = torch::zeros({h, b});
  return s;
}

std::string saved(const WorldModelAgent& a) {
  torch::serialize::OutputArchive out;
  a.save(out);
  std::stringstream ss;
  out.save_to(ss);
  return ss.str();
}

void load_into(WorldModelAgent& a, const std::string& bytes) {
  std::stringstream ss(bytes);
  torch::serialize::InputArchive in;
  in.load_from(ss);
  a.load(in);
}

CdredOptions tiny_cdred() {
  CdredOptions c;
  c.latent_dim = 16;
  c.act_dim = 1;
  c.num_targets = 3;
  c.target_hidden = 32;
  c.output_dim = 16;
  c.predictor_hidden = 32;
  c.predictor_layers = 2;
  return c;
}

}  // namespace

TEST(WorldModelAgent, PresetsAndDiscount) {
  WorldModelOptions o;
  apply_world_model_preset(o, "1M");
  EXPECT_EQ(o.enc_dim, 256);
  EXPECT_EQ(o.mlp_dim, 384);
  EXPECT_EQ(o.latent_dim, 128);
  EXPECT_EQ(o.num_q, 2);
  apply_world_model_preset(o, "5M");
  EXPECT_EQ(o.mlp_dim, 512);
  EXPECT_EQ(o.latent_dim, 512);
  EXPECT_EQ(o.num_q, 5);
  EXPECT_THROW(apply_world_model_preset(o, "2M"), relabel::Error);
  // clip((L/5 - 1)/(L/5), 0.95, 0.995): pendulum (200) 0.975, hopper (1000) 0.995, short 0.95.
  EXPECT_NEAR(discount_for_episode_length(200), 0.975, 1e-12);
  EXPECT_NEAR(discount_for_episode_length(1000), 0.995, 1e-12);
  EXPECT_NEAR(discount_for_episode_length(50), 0.95, 1e-12);
  o = small_world_model(0);
  o.latent_dim = 12;  // not a multiple of the SimNorm group
  EXPECT_THROW(WorldModelAgent{o}, relabel::Error);
}

TEST(WorldModelAgent, LatentsActionsAndUpdates) {
  torch::set_num_threads(1);
  WorldModelAgent agent(small_world_model(1));
  auto obs = torch::randn({5, 3});
  auto z = agent.encode(obs);
  ASSERT_EQ(z.sizes(), (std::vector<int64_t>{5, 16}));
  auto groups = z.view({5, 2, 8}).sum(-1);
  EXPECT_TRUE(torch::allclose(groups, torch::ones_like(groups), 1e-5, 1e-5));

  auto a = agent.act(obs, false);
  ASSERT_EQ(a.sizes(), (std::vector<int64_t>{5, 1}));
  EXPECT_LE(a.abs().max().item<float>(), 2.0f);
  EXPECT_TRUE(torch::equal(agent.act(obs, true), agent.act(obs, true)));  // mean action
  EXPECT_FALSE(torch::equal(agent.act(obs, false), agent.act(obs, false)));
  EXPECT_THROW(agent.act(torch::randn({2, 4}), true), relabel::Error);

  auto before = agent.parameters();
  std::map<std::string, double> m;
  for (int i = 0; i < 3; ++i) m = agent.update(random_batch(32, 3, i));
  auto after = agent.parameters();
  EXPECT_EQ(agent.updates(), 3);
  for (const char* key : {"consistency_loss", "value_loss", "reward_loss", "pi_loss"})
    EXPECT_TRUE(std::isfinite(m.at(key))) << key;
  // Every part moved: the changed fraction of parameters is large, not a single network.
  auto changed = (after != before).to(torch::kFloat32).mean().item<double>();
  EXPECT_GT(changed, 0.5);
  EXPECT_THROW(agent.update(random_batch(8, 2, 0)), relabel::Error);  // wrong horizon
}

TEST(WorldModelAgent, ScalarHeadsTrainToo) {
  auto o = small_world_model(2);
  o.two_hot = false;
  WorldModelAgent agent(o);
  auto m = agent.update(random_batch(16, 3, 9));
  EXPECT_TRUE(std::isfinite(m.at("value_loss")));
  EXPECT_TRUE(std::isfinite(m.at("reward_loss")));
}

TEST(WorldModelAgent, NonFiniteRewardsStopWithAClearError) {
  WorldModelAgent agent(small_world_model(3));
  auto batch = random_batch(16, 3, 4);
  batch.rewards.index_put_({0, 0}, std::numeric_limits<float>::quiet_NaN());
  try {
    agent.update(batch);
    FAIL() << "a NaN reward must not train";
  } catch (const relabel::RunError& e) {
    EXPECT_NE(std::string(e.what()).find("non-finite TD target at update 1"), std::string::npos)
        << e.what();
  }
}

TEST(WorldModelAgent, SaveLoadContinuesIdentically) {
  torch::set_num_threads(1);
  WorldModelAgent a(small_world_model(3));
  for (int i = 0; i < 3; ++i) a.update(random_batch(16, 3, 10 + i));
  const std::string bytes = saved(a);
  WorldModelAgent b(small_world_model(4));
  EXPECT_FALSE(torch::equal(a.parameters(), b.parameters()));
  load_into(b, bytes);
  EXPECT_TRUE(torch::equal(a.parameters(), b.parameters()));
  EXPECT_EQ(b.updates(), 3);
  auto batch = random_batch(16, 3, 99);
  a.update(batch);
  b.update(batch);
  EXPECT_TRUE(torch::equal(a.parameters(), b.parameters()));
  auto obs = torch::randn({4, 3});
  EXPECT_TRUE(torch::equal(a.act(obs, false), b.act(obs, false)));  // generators agree too
  // Another architecture refuses the checkpoint.
  auto other = small_world_model(5);
  other.mlp_dim = 64;
  WorldModelAgent c(other);
  EXPECT_THROW(load_into(c, bytes), relabel::Error);
}

TEST(WorldModelAgent, CdredUpdateUsesExpertSequences) {
  CdredReward reward(tiny_cdred());
  WorldModelAgent agent(small_world_model(6), &reward);
  auto replay = random_batch(16, 3, 1), expert = random_batch(16, 3, 2, 1.5);
  EXPECT_THROW(agent.update(replay), relabel::Error);
  auto m = agent.update(replay, &expert);
  EXPECT_GT(m.at("cdred_expert_loss"), 0.0);
  EXPECT_GT(m.at("cdred_behaviour_loss"), 0.0);
  EXPECT_TRUE(m.count("reward_expert") && m.count("reward_replay"));
  // The reward on the replay rows that end an episode: absent when the batch has none, the
  // replay rows' mean when every row ends one (terminals change nothing else: CDRED bootstraps).
  EXPECT_EQ(m.count("reward_replay_terminal"), 0u);
  replay.terminals.fill_(1.0f);
  auto all_end = agent.update(replay, &expert);
  ASSERT_EQ(all_end.count("reward_replay_terminal"), 1u);
  EXPECT_NEAR(all_end.at("reward_replay_terminal"), all_end.at("reward_replay"),
              1e-6 * std::max(1.0, std::abs(all_end.at("reward_replay"))));
  // The reward the agent uses is CDRED's on its latents.
  auto obs = torch::randn({4, 3}), act = torch::rand({4, 1}) * 4 - 2;
  auto r = agent.reward(agent.encode(obs), act);
  ASSERT_EQ(r.sizes(), (std::vector<int64_t>{4}));
  EXPECT_TRUE(torch::isfinite(r).all().item<bool>());
  // Save/load also restores the frozen random targets.
  const std::string bytes = saved(agent);
  auto other = tiny_cdred();
  CdredReward reward2(other);
  auto o2 = small_world_model(7);
  WorldModelAgent agent2(o2, &reward2);
  load_into(agent2, bytes);
  EXPECT_TRUE(torch::equal(r, agent2.reward(agent2.encode(obs), act)));
}

// policy.value_rows = "replay": Q and the policy prior train on the agent's rows only, so the
// expert rows reach them through nothing but the world model. Two agents alike but for the
// expert batch's observations end their first update with the same policy prior (the last
// tensors of the layout) only then; with "all" (the release) the expert rows move it too.
TEST(WorldModelAgent, ValueRowsReplayKeepsTheExpertRowsOutOfQAndThePrior) {
  torch::set_num_threads(1);
  const auto o = small_world_model(8);
  const int64_t L = o.latent_dim, M = o.mlp_dim, A = o.act_dim;
  const int64_t pi_len = (L * M + 3 * M) + (M * M + 3 * M) + (M * 2 * A + 2 * A);
  auto replay = random_batch(16, 3, 1), expert = random_batch(16, 3, 2, 1.5),
       other_expert = random_batch(16, 3, 3, -1.0);
  for (const bool on_expert : {false, true}) {
    auto opts = o;
    opts.value_on_expert = on_expert;
    CdredReward r1(tiny_cdred()), r2(tiny_cdred());
    WorldModelAgent a(opts, &r1), b(opts, &r2);
    ASSERT_TRUE(torch::equal(a.parameters(), b.parameters()));
    const auto before = a.parameters().narrow(0, a.num_parameters() - pi_len, pi_len);
    a.update(replay, &expert);
    b.update(replay, &other_expert);
    const auto pa = a.parameters(), pb = b.parameters();
    const auto pi_a = pa.narrow(0, pa.numel() - pi_len, pi_len),
               pi_b = pb.narrow(0, pb.numel() - pi_len, pi_len);
    EXPECT_GT((pi_a - before).abs().max().item<double>(), 1e-5) << "the prior did not train";
    EXPECT_GT((pa - pb).abs().max().item<double>(), 1e-5) << "the world model ignored the experts";
    const double pi_diff = (pi_a - pi_b).abs().max().item<double>();
    if (on_expert) {
      EXPECT_GT(pi_diff, 1e-5);
    } else {
      EXPECT_LT(pi_diff, 1e-7);
    }
  }
}

TEST(WorldModelAgent, MppiPlansBoundedActions) {
  auto o = small_world_model(8);
  o.mppi = true;
  o.planner.num_samples = 64;
  o.planner.num_elites = 8;
  o.planner.num_pi_trajs = 4;
  o.planner.iterations = 2;
  WorldModelAgent agent(o);
  auto obs = torch::randn({2, 3});
  auto a = agent.act(obs, false, {1, 1});
  ASSERT_EQ(a.sizes(), (std::vector<int64_t>{2, 1}));
  EXPECT_LE(a.abs().max().item<float>(), 2.0f);
  EXPECT_LE(agent.act(obs, true, {0, 0}).abs().max().item<float>(), 2.0f);
}
