#include "datagen/datagen_collect.h"

#include <torch/torch.h>

#include <numeric>

#include "algos/online/sac.h"
#include "core/error.h"
#include "envs/registry.h"
#include "envs/seeding.h"
#include "io/episodes.h"

namespace relabel::datagen {

double Collection::mean_return() const {
  if (returns.empty()) return std::numeric_limits<double>::quiet_NaN();
  return std::accumulate(returns.begin(), returns.end(), 0.0) / returns.size();
}

Collection collect_transitions(const std::string& task, const StepPolicy& policy, int64_t rows,
                               uint64_t seed, int min_episodes) {
  if (rows <= 0)
    throw Error("datagen: dataset size must be positive (got " + std::to_string(rows) + ")");
  auto env = envs::make_env(task);
  const int od = env->obs_dim(), ad = env->act_dim(), limit = env->max_episode_steps();
  auto f32 = torch::TensorOptions().dtype(torch::kFloat32);
  torch::Tensor obs = torch::empty({rows, od}, f32), act = torch::empty({rows, ad}, f32),
                rew = torch::empty({rows}, f32), next = torch::empty({rows, od}, f32),
                term = torch::zeros({rows}, torch::kBool),
                tout = torch::zeros({rows}, torch::kBool);
  float *o = obs.data_ptr<float>(), *a = act.data_ptr<float>(), *r = rew.data_ptr<float>(),
        *n = next.data_ptr<float>();
  bool *te = term.data_ptr<bool>(), *to = tout.data_ptr<bool>();

  Collection c;
  std::vector<float> cur(od), action(ad), nxt(od);
  int64_t row = 0;
  for (uint64_t episode = 0; row < rows || int64_t(c.returns.size()) < min_episodes; ++episode) {
    env->reset_into(envs::mix_seed(seed, episode), cur.data());
    const bool stored = row < rows;  // episodes after the data are run for their return only
    double ret = 0.0;
    for (int t = 0;; ++t) {
      policy(cur.data(), action.data());
      double reward = 0.0;
      bool terminated = false, truncated = false;
      env->step_into(action.data(), nxt.data(), reward, terminated, truncated);
      if (!terminated && t + 1 >= limit) truncated = true;
      ret += reward;
      if (stored) {
        std::copy(cur.begin(), cur.end(), o + row * od);
        std::copy(action.begin(), action.end(), a + row * ad);
        std::copy(nxt.begin(), nxt.end(), n + row * od);
        r[row] = static_cast<float>(reward);
        te[row] = terminated;
        to[row] = truncated && !terminated;
        ++row;
        if (row == rows && !terminated && !truncated) {
          to[row - 1] = true;  // the data end inside this episode: flag the cut, drop its return
          break;
        }
      }
      if (terminated || truncated) {
        c.returns.push_back(ret);
        if (stored) ++c.episodes_in_data;
        break;
      }
      cur.swap(nxt);
    }
  }
  c.data = io::make_dataset(obs, act, rew, next, term, tout);
  return c;
}

StepPolicy uniform_policy(const std::string& task, uint64_t seed) {
  auto env = envs::make_env(task);
  auto low = env->action_low(), high = env->action_high();
  auto rng = std::make_shared<std::mt19937_64>(seed);
  return [low, high, rng](const float*, float* action) {
    for (size_t j = 0; j < low.size(); ++j)
      action[j] = static_cast<float>(envs::uniform(*rng, low[j], high[j]));
  };
}

StepPolicy stochastic_policy(algos::Sac& agent) {
  const int64_t od = agent.options().obs_dim, ad = agent.options().act_dim;
  return [&agent, od, ad](const float* obs, float* action) {
    auto a = agent.act(torch::from_blob(const_cast<float*>(obs), {1, od}), false);
    std::copy(a.data_ptr<float>(), a.data_ptr<float>() + ad, action);
  };
}

std::vector<double> complete_episode_returns(const io::Dataset& ds, int max_episode_steps) {
  auto episodes = io::split_episodes(ds);
  auto returns = io::episode_returns(ds.rewards, episodes);
  std::vector<double> out;
  for (size_t i = 0; i < episodes.size(); ++i) {
    const bool terminal = ds.terminals[episodes[i].end - 1].item<bool>();
    if (terminal || episodes[i].length() >= max_episode_steps)
      out.push_back(returns[int64_t(i)].item<double>());
  }
  return out;
}

}  // namespace relabel::datagen
