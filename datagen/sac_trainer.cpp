#include "datagen/sac_trainer.h"

#include <torch/torch.h>

#include <cmath>
#include <sstream>

#include "core/error.h"
#include "envs/evaluate.h"
#include "envs/registry.h"
#include "envs/seeding.h"

namespace relabel::datagen {
namespace {

// Seed streams derived from the run seed (envs::mix_seed keeps them decorrelated).
constexpr uint64_t kEpisodeStream = 1, kActionStream = 2, kAgentStream = 3, kReplayStream = 4,
                   kEvalStream = 5;

algos::SacOptions with_task(algos::SacOptions o, const envs::TaskInfo& info, uint64_t seed) {
  o.obs_dim = info.obs_dim;
  o.act_dim = info.act_dim;
  o.max_action = info.max_action;
  o.seed = envs::mix_seed(seed, kAgentStream);
  return o;
}

}  // namespace

SacTrainer::SacTrainer(const std::string& task, const algos::SacOptions& sac,
                       const SacTrainOptions& train)
    : task_(task),
      options_(train),
      env_(envs::make_env(task)),
      agent_(std::make_unique<algos::Sac>(with_task(sac, envs::find_task(task), train.seed))),
      buffer_(train.buffer_capacity > 0 ? train.buffer_capacity : std::max<int64_t>(train.steps, 1),
              env_->obs_dim(), env_->act_dim(), envs::mix_seed(train.seed, kReplayStream)),
      rng_(envs::mix_seed(train.seed, kActionStream)),
      low_(env_->action_low()),
      high_(env_->action_high()) {
  if (train.steps <= 0 || train.batch_size <= 0 || train.eval_episodes <= 0 ||
      train.start_steps < 0 || train.eval_every < 0)
    throw Error(
        "SAC training: steps, batch_size and eval_episodes must be positive, "
        "start_steps and eval_every non-negative");
  obs_.resize(env_->obs_dim());
}

void SacTrainer::begin_episode() {
  env_->reset_into(envs::mix_seed(envs::mix_seed(options_.seed, kEpisodeStream), episodes_),
                   obs_.data());
  ++episodes_;
  episode_steps_ = 0;
  in_episode_ = true;
}

void SacTrainer::train(const EvalCallback& on_eval, const StepCallback& on_step) {
  const int obs_dim = env_->obs_dim(), act_dim = env_->act_dim();
  std::vector<float> action(act_dim), next_obs(obs_dim);
  if (!in_episode_) begin_episode();
  while (step_ < options_.steps) {
    if (step_ < options_.start_steps) {
      for (int j = 0; j < act_dim; ++j)
        action[j] = static_cast<float>(envs::uniform(rng_, low_[j], high_[j]));
    } else {
      auto a = agent_->act(torch::from_blob(obs_.data(), {1, obs_dim}), false);
      std::copy(a.data_ptr<float>(), a.data_ptr<float>() + act_dim, action.begin());
    }
    double reward = 0.0;
    bool terminated = false, truncated = false;
    env_->step_into(action.data(), next_obs.data(), reward, terminated, truncated);
    ++episode_steps_;
    // The registry's time limit, enforced here too so that every episode ends.
    if (!terminated && episode_steps_ >= env_->max_episode_steps()) truncated = true;
    buffer_.add(obs_.data(), action.data(), static_cast<float>(reward), next_obs.data(), terminated,
                truncated && !terminated);
    ++step_;
    if (terminated || truncated)
      in_episode_ = false;
    else
      obs_.swap(next_obs);

    if (step_ > options_.start_steps)
      metrics_ = agent_->update(buffer_.sample(options_.batch_size));
    if (!std::isfinite(metrics_.critic_loss))
      throw RunError("SAC on " + task_ + " diverged at step " + std::to_string(step_) +
                     " (critic loss " + std::to_string(metrics_.critic_loss) + ")");
    const bool eval_now =
        (options_.eval_every > 0 && step_ % options_.eval_every == 0) || step_ == options_.steps;
    if (eval_now) {
      EvalPoint p = evaluate();
      evals_.push_back(p);
      if (on_eval) on_eval(p);
    }
    if (on_step) on_step(step_);
    if (stop_requested_ && !in_episode_) {
      stop_requested_ = false;
      return;
    }
    if (!in_episode_ && step_ < options_.steps) begin_episode();
  }
}

EvalPoint SacTrainer::evaluate() {
  const int obs_dim = env_->obs_dim(), act_dim = env_->act_dim();
  envs::BatchPolicy policy = [&](const float* obs, int n, float* actions) {
    auto a = agent_->act(torch::from_blob(const_cast<float*>(obs), {n, obs_dim}), true);
    std::copy(a.data_ptr<float>(), a.data_ptr<float>() + int64_t(n) * act_dim, actions);
  };
  auto returns = envs::evaluate(policy, task_, options_.eval_episodes,
                                envs::mix_seed(options_.seed, kEvalStream));
  EvalPoint p;
  p.step = step_;
  for (double r : returns) p.mean_return += r / returns.size();
  for (double r : returns) p.std_return += (r - p.mean_return) * (r - p.mean_return);
  p.std_return = std::sqrt(p.std_return / returns.size());
  return p;
}

void SacTrainer::save(torch::serialize::OutputArchive& archive) const {
  if (in_episode_)
    throw RunError("SAC training state can only be saved between episodes (step " +
                   std::to_string(step_) + ")");
  torch::serialize::OutputArchive agent, buffer;
  agent_->save(agent);
  buffer_.save(buffer);
  archive.write("agent", agent);
  archive.write("buffer", buffer);
  archive.write("counters", torch::tensor({step_, episodes_, options_.steps}, torch::kInt64));
  std::ostringstream rng;
  rng << rng_;
  const std::string r = rng.str();
  archive.write(
      "rng",
      torch::from_blob(const_cast<char*>(r.data()), {int64_t(r.size())}, torch::kInt8).clone());
  auto evals = torch::zeros({int64_t(evals_.size()), 3}, torch::kFloat64);
  for (size_t i = 0; i < evals_.size(); ++i) {
    evals[i][0] = double(evals_[i].step);
    evals[i][1] = evals_[i].mean_return;
    evals[i][2] = evals_[i].std_return;
  }
  archive.write("evaluations", evals);
}

void SacTrainer::load(torch::serialize::InputArchive& archive) {
  torch::serialize::InputArchive agent, buffer;
  archive.read("agent", agent);
  archive.read("buffer", buffer);
  agent_->load(agent);
  buffer_.load(buffer);
  torch::Tensor counters, rng, evals;
  archive.read("counters", counters);
  archive.read("rng", rng);
  archive.read("evaluations", evals);
  if (counters.numel() != 3 || counters[2].item<int64_t>() != options_.steps)
    throw Error("SAC training state is for a run of " +
                std::to_string(counters[counters.numel() - 1].item<int64_t>()) + " steps, not " +
                std::to_string(options_.steps));
  step_ = counters[0].item<int64_t>();
  episodes_ = counters[1].item<int64_t>();
  in_episode_ = false;
  episode_steps_ = 0;
  std::istringstream in(std::string(static_cast<const char*>(rng.data_ptr()), rng.numel()));
  in >> rng_;
  evals_.clear();
  auto e = evals.accessor<double, 2>();
  for (int64_t i = 0; i < evals.size(0); ++i)
    evals_.push_back({static_cast<int64_t>(e[i][0]), e[i][1], e[i][2]});
}

}  // namespace relabel::datagen
