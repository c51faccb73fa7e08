#include "run/world_model_trainer.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include <algorithm>
#include <sstream>

#include "algos/optim/archive_io.h"
#include "core/clock.h"
#include "core/error.h"
#include "envs/evaluate.h"
#include "envs/registry.h"
#include "envs/seeding.h"

namespace relabel::run {

namespace {

void write_sub(torch::serialize::OutputArchive& archive, const std::string& key,
               const std::function<void(torch::serialize::OutputArchive&)>& fill) {
  torch::serialize::OutputArchive sub;
  fill(sub);
  archive.write(key, sub);
}

void read_sub(torch::serialize::InputArchive& archive, const std::string& key,
              const std::function<void(torch::serialize::InputArchive&)>& use) {
  torch::serialize::InputArchive sub;
  if (!archive.try_read(key, sub)) throw Error("world-model checkpoint: missing '" + key + "'");
  use(sub);
}

// The agent's task-given sizes (obs_dim, act_dim, max_action, episode_length) and rank.
void set_task_shape(WorldModelTrainerOptions& o) {
  const envs::TaskInfo& info = envs::find_task(o.task);
  auto& a = o.agent;
  a.obs_dim = info.obs_dim;
  a.act_dim = info.act_dim;
  a.max_action = info.max_action;
  a.episode_length = info.max_episode_steps;
  a.rank = o.rank;
}

}  // namespace

std::unique_ptr<algos::WorldModelAgent> load_checkpoint_agent(
    WorldModelTrainerOptions options, torch::serialize::InputArchive& trainer_state,
    std::unique_ptr<algos::LatentReward>& reward) {
  set_task_shape(options);
  const auto& a = options.agent;
  reward = options.reward ? options.reward({a.latent_dim, a.act_dim, a.rho, a.device}) : nullptr;
  auto agent = std::make_unique<algos::WorldModelAgent>(a, reward.get());
  read_sub(trainer_state, "agent", [&](auto& sub) { agent->load(sub); });
  return agent;
}

WorldModelTrainer::WorldModelTrainer(const WorldModelTrainerOptions& options, algos::GradSync* sync,
                                     const algos::TransitionColumns* expert)
    : options_(options), rng_(envs::mix_seed(options.env_seed, 0x5eed)) {
  const envs::TaskInfo& info = envs::find_task(options_.task);
  set_task_shape(options_);
  auto& a = options_.agent;
  const int P = std::max(1, options_.world_size);
  if (options_.batch_size % P != 0 || options_.batch_size < P)
    throw Error(fmt::format("train.batch_size: {} is not divisible by the {} ranks of the run",
                            options_.batch_size, P));
  if (options_.total_env_steps < 1) throw Error("train.env_steps: must be at least 1");
  seed_steps_ = options_.seed_steps > 0
                    ? options_.seed_steps
                    : std::max<int64_t>(1000, 5 * static_cast<int64_t>(info.max_episode_steps));
  // A budget that ends within the seed phase would record an agent that never updated (random
  // initial weights) as the method's result; a seed phase shorter than a sequence would fail at
  // the first update.
  if (options_.total_env_steps < seed_steps_)
    throw Error(fmt::format(
        "train.env_steps = {} ends within the seed phase (policy.seed_steps: {} random steps "
        "before the first update): the agent would never train; raise train.env_steps or lower "
        "policy.seed_steps",
        options_.total_env_steps, seed_steps_));
  if (seed_steps_ < a.horizon * P)
    throw Error(fmt::format(
        "policy.seed_steps = {} is shorter than policy.horizon = {} on each of the {} ranks: the "
        "first update needs a sequence of horizon steps on every rank",
        seed_steps_, a.horizon, P));
  env_ = info.make();
  const int64_t capacity = (options_.total_env_steps + P - 1) / P + 1;
  replay_ = std::make_unique<algos::SequenceBuffer>(capacity, a.obs_dim, a.act_dim, a.horizon,
                                                    options_.buffer_seed);
  if (options_.reward) {
    if (!expert || expert->rows() == 0)
      throw Error("cdred: no expert demonstrations (set dataset.expert_path)");
    if (expert->obs.size(1) != a.obs_dim || expert->actions.size(1) != a.act_dim)
      throw Error(fmt::format("cdred: expert data has obs/act dims {}/{}, but task '{}' has {}/{}",
                              expert->obs.size(1), expert->actions.size(1), options_.task,
                              a.obs_dim, a.act_dim));
    expert_ = std::make_unique<algos::SequenceBuffer>(
        expert->rows(), a.obs_dim, a.act_dim, a.horizon, envs::mix_seed(options_.buffer_seed, 1));
    expert_->add_columns(*expert);
    if (expert_->sampleable() == 0)
      throw Error(
          fmt::format("cdred: the expert demonstrations hold no sub-trajectory of {} "
                      "steps (policy.horizon + 1 observations)",
                      a.horizon));
    reward_ = options_.reward({a.latent_dim, a.act_dim, a.rho, a.device});
  }
  agent_ = std::make_unique<algos::WorldModelAgent>(a, reward_.get(), sync);
  obs_.resize(a.obs_dim);
  next_obs_.resize(a.obs_dim);
  reset_episode();
}

WorldModelTrainer::~WorldModelTrainer() = default;

int64_t WorldModelTrainer::env_steps() const {
  return iterations_ * std::max(1, options_.world_size);
}

void WorldModelTrainer::reset_episode() {
  env_->reset_into(envs::mix_seed(options_.env_seed, static_cast<uint64_t>(episode_)), obs_.data());
  episode_length_ = 0;
  episode_return_ = 0.0;
  episode_start_ = true;
}

void WorldModelTrainer::iterate() {
  const auto& a = options_.agent;
  const int64_t P = std::max(1, options_.world_size);
  const int64_t before = env_steps();
  auto t0 = std::chrono::steady_clock::now();
  std::vector<float> action(a.act_dim);
  if (before < seed_steps_) {
    for (auto& v : action) v = static_cast<float>(envs::uniform(rng_, -a.max_action, a.max_action));
  } else {
    auto obs = torch::from_blob(obs_.data(), {1, a.obs_dim}, torch::kFloat32);
    auto act = agent_->act(obs, false, {static_cast<uint8_t>(episode_start_)}).contiguous();
    std::copy(act.data_ptr<float>(), act.data_ptr<float>() + a.act_dim, action.begin());
  }
  double reward = 0.0;
  bool terminated = false, truncated = false;
  env_->step_into(action.data(), next_obs_.data(), reward, terminated, truncated);
  replay_->add(obs_.data(), action.data(), static_cast<float>(reward), next_obs_.data(), terminated,
               terminated || truncated);
  episode_return_ += reward;
  ++episode_length_;
  episode_start_ = false;
  ++iterations_;
  if (terminated || truncated) {
    finished_.push_back({options_.rank, static_cast<uint64_t>(episode_), episode_return_,
                         static_cast<int>(episode_length_), terminated});
    ++episode_;
    reset_episode();
  } else {
    obs_.swap(next_obs_);
  }
  timing_.acting += seconds_since(t0);

  // TD-MPC2: once the seed phase ends, as many pre-training updates as seed steps, then one
  // update per (global) environment step.
  if (env_steps() >= seed_steps_) run_updates(before < seed_steps_ ? seed_steps_ : P);
}

void WorldModelTrainer::run_updates(int64_t count) {
  const int64_t local = options_.batch_size / std::max(1, options_.world_size);
  auto t0 = std::chrono::steady_clock::now();
  for (int64_t i = 0; i < count; ++i) {
    algos::SequenceBatch batch = replay_->sample(local);
    if (expert_) {
      algos::SequenceBatch demo = expert_->sample(local);
      metrics_ = agent_->update(batch, &demo);
    } else {
      metrics_ = agent_->update(batch);
    }
  }
  timing_.updating += seconds_since(t0);
  timing_.updates += count;
}

std::vector<envs::EpisodeStats> WorldModelTrainer::evaluate(int episodes, uint64_t seed,
                                                            uint64_t first_episode) {
  const auto& a = options_.agent;
  if (!a.mppi) {
    envs::BatchPolicy policy = [&](const float* obs, int n, float* actions) {
      auto o = torch::from_blob(const_cast<float*>(obs), {n, a.obs_dim}, torch::kFloat32);
      auto act = agent_->act(o, true).contiguous();
      std::copy(act.data_ptr<float>(), act.data_ptr<float>() + n * a.act_dim, actions);
    };
    envs::EvalOptions eo;
    eo.first_episode = first_episode;
    return envs::evaluate_episodes(policy, options_.task, episodes, seed, eo);
  }
  // Planning keeps a warm start per episode: run the episodes one after another.
  std::vector<envs::EpisodeStats> out;
  auto env = envs::make_env(options_.task);
  std::vector<float> obs(a.obs_dim);
  for (int k = 0; k < episodes; ++k) {
    const uint64_t id = first_episode + static_cast<uint64_t>(k);
    env->reset_into(envs::mix_seed(seed, id), obs.data());
    envs::EpisodeStats st;
    st.episode = id;
    bool start = true, term = false, trunc = false;
    while (!term && !trunc) {
      auto o = torch::from_blob(obs.data(), {1, a.obs_dim}, torch::kFloat32);
      auto act = agent_->act(o, true, {static_cast<uint8_t>(start)}).contiguous();
      start = false;
      double r = 0.0;
      env->step_into(act.data_ptr<float>(), obs.data(), r, term, trunc);
      st.ret += r;
      ++st.length;
    }
    st.terminated = term;
    out.push_back(st);
  }
  return out;
}

std::vector<envs::EpisodeStats> WorldModelTrainer::take_finished_episodes() {
  std::vector<envs::EpisodeStats> out;
  out.swap(finished_);
  return out;
}

void WorldModelTrainer::save(torch::serialize::OutputArchive& archive) const {
  write_sub(archive, "agent", [&](auto& sub) { agent_->save(sub); });
  write_sub(archive, "replay", [&](auto& sub) { replay_->save(sub); });
  if (expert_) write_sub(archive, "expert", [&](auto& sub) { expert_->save(sub); });
  algos::write_int(archive, "iterations", iterations_);
  algos::write_int(archive, "episode", episode_);
  algos::write_int(archive, "episode_length", episode_length_);
  algos::write_int(archive, "episode_start", episode_start_ ? 1 : 0);
  algos::write_int(archive, "seed_steps", seed_steps_);
  algos::write_int(archive, "world_size", options_.world_size);
  archive.write("episode_return", torch::tensor({episode_return_}, torch::kFloat64), true);
  std::ostringstream rng;
  rng << rng_;
  const std::string text = rng.str();
  archive.write(
      "action_rng",
      torch::from_blob(const_cast<char*>(text.data()), {int64_t(text.size())}, torch::kInt8)
          .clone(),
      true);
}

void WorldModelTrainer::load(torch::serialize::InputArchive& archive) {
  const int64_t ws = algos::read_int(archive, "world_size");
  if (ws != options_.world_size)
    throw Error(
        fmt::format("world-model checkpoint was written by a run of {} ranks, this run "
                    "has {} (parallel.ranks_per_run must not change on resume)",
                    ws, options_.world_size));
  if (algos::read_int(archive, "seed_steps") != seed_steps_)
    throw Error("world-model checkpoint: policy.seed_steps differs from the checkpointed run");
  read_sub(archive, "agent", [&](auto& sub) { agent_->load(sub); });
  read_sub(archive, "replay", [&](auto& sub) { replay_->load(sub); });
  if (expert_) read_sub(archive, "expert", [&](auto& sub) { expert_->load(sub); });
  iterations_ = algos::read_int(archive, "iterations");
  episode_ = algos::read_int(archive, "episode");
  const int64_t open = algos::read_int(archive, "episode_length");
  const bool start = algos::read_int(archive, "episode_start") != 0;
  auto ret = torch::empty({1}, torch::kFloat64);
  algos::read_into(archive, "episode_return", ret);
  torch::Tensor rng;
  archive.read("action_rng", rng, true);
  std::istringstream in(std::string(static_cast<const char*>(rng.data_ptr()), rng.numel()));
  in >> rng_;
  if (open != replay_->open_episode_length())
    throw Error("world-model checkpoint: the open episode does not match the replay buffer");

  // Bring the environment back to the open episode's state: same reset seed, same actions.
  reset_episode();
  const int64_t first = replay_->size() - open;
  for (int64_t row = first; row < replay_->size(); ++row) {
    auto act = replay_->action(row).contiguous();
    double r = 0.0;
    bool term = false, trunc = false;
    env_->step_into(act.data_ptr<float>(), next_obs_.data(), r, term, trunc);
    auto expected = replay_->next_observation(row).contiguous();
    if (term || trunc ||
        !std::equal(next_obs_.begin(), next_obs_.end(), expected.data_ptr<float>()))
      throw RunError(
          fmt::format("world-model resume: replaying the open episode of task '{}' "
                      "diverged at its step {}",
                      options_.task, row - first));
    obs_.swap(next_obs_);
  }
  episode_length_ = open;
  episode_return_ = ret.item<double>();
  episode_start_ = start;
}

}  // namespace relabel::run
