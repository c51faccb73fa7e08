#pragma once
// The task interface (docs/envs.md): reset(seed) -> obs, step(action) -> transition.
// Observations and actions are float32 at this boundary; simulators may compute in float64.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace relabel::envs {

struct StepResult {
  std::vector<float> obs;  // next observation, obs_dim values
  double reward = 0.0;
  bool terminated = false;  // a true terminal state: no bootstrap
  bool truncated = false;   // time limit reached: bootstrap, but the episode ends
};

class Env {
 public:
  virtual ~Env() = default;
  virtual int obs_dim() const = 0;
  virtual int act_dim() const = 0;
  // Symmetric per-dimension bounds; actions are clipped to them before the step.
  virtual std::vector<float> action_low() const = 0;
  virtual std::vector<float> action_high() const = 0;
  virtual int max_episode_steps() const = 0;
  // Starts a new episode. The same seed gives the same initial state.
  virtual std::vector<float> reset(uint64_t seed) = 0;
  // Advances one step; `action` has act_dim values. Throws relabel::RunError on simulator failure.
  virtual StepResult step(const std::vector<float>& action) = 0;

  // Allocation-free forms used by VectorEnv and the benchmarks: `action` holds act_dim values,
  // `obs` receives obs_dim values. The defaults forward to reset()/step(); tasks override them.
  virtual void reset_into(uint64_t seed, float* obs) {
    auto o = reset(seed);
    std::copy(o.begin(), o.end(), obs);
  }
  virtual void step_into(const float* action, float* obs, double& reward, bool& terminated,
                         bool& truncated) {
    StepResult r = step(std::vector<float>(action, action + act_dim()));
    std::copy(r.obs.begin(), r.obs.end(), obs);
    reward = r.reward;
    terminated = r.terminated;
    truncated = r.truncated;
  }
};

}  // namespace relabel::envs
