#pragma once
// Shared pieces of the world-model tests: a pendulum swing-up controller that plays the expert,
// and its demonstrations as D4RL columns.
#include <torch/torch.h>

#include <cmath>
#include <vector>

#include "algos/online/replay_buffer.h"
#include "envs/registry.h"
#include "envs/seeding.h"

namespace relabel::test {

// Energy-pumping swing-up with a linear balance controller near the top (Astrom & Furuta 2000):
// the pendulum's energy E = th_dot^2 / 2 + (3g / 2l) cos th is raised to its upright value
// 3g / 2l with bang-bang torque along th_dot, and |th| < 0.6 is stabilised by u = -10 th - 2
// th_dot.
inline float pendulum_expert_action(const float* obs) {
  const double th = std::atan2(obs[1], obs[0]), thdot = obs[2];
  const double a = 15.0;  // 3 g / (2 l) with g = 10, l = 1
  double u;
  if (std::abs(th) < 0.6) {
    u = -10.0 * th - 2.0 * thdot;
  } else {
    const double energy = 0.5 * thdot * thdot + a * std::cos(th);
    const double push = (a - energy) * thdot;
    u = push > 0 ? 2.0 : -2.0;
  }
  return static_cast<float>(std::clamp(u, -2.0, 2.0));
}

// `episodes` expert episodes of pendulum (reset seeds mix_seed(seed, k)) as transition columns.
inline algos::TransitionColumns pendulum_expert_columns(int episodes, uint64_t seed) {
  auto env = envs::make_env("pendulum");
  std::vector<float> obs(3), next(3), rows_obs, rows_next, rows_act, rows_rew;
  std::vector<uint8_t> term, tout;
  for (int k = 0; k < episodes; ++k) {
    env->reset_into(envs::mix_seed(seed, k), obs.data());
    bool done = false;
    while (!done) {
      float u = pendulum_expert_action(obs.data());
      double r = 0.0;
      bool te = false, tr = false;
      env->step_into(&u, next.data(), r, te, tr);
      rows_obs.insert(rows_obs.end(), obs.begin(), obs.end());
      rows_next.insert(rows_next.end(), next.begin(), next.end());
      rows_act.push_back(u);
      rows_rew.push_back(static_cast<float>(r));
      term.push_back(te);
      tout.push_back(tr);
      obs = next;
      done = te || tr;
    }
  }
  const int64_t n = static_cast<int64_t>(rows_act.size());
  algos::TransitionColumns c;
  c.obs = torch::tensor(rows_obs).view({n, 3});
  c.next_obs = torch::tensor(rows_next).view({n, 3});
  c.actions = torch::tensor(rows_act).view({n, 1});
  c.rewards = torch::tensor(rows_rew);
  c.terminals = torch::tensor(std::vector<int64_t>(term.begin(), term.end())).to(torch::kBool);
  c.timeouts = torch::tensor(std::vector<int64_t>(tout.begin(), tout.end())).to(torch::kBool);
  return c;
}

}  // namespace relabel::test
