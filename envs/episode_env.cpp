#include "envs/episode_env.h"

#include "core/error.h"
#include "envs/action.h"

namespace relabel::envs {

std::vector<float> EpisodeEnv::reset(uint64_t seed) {
  std::vector<float> obs(obs_dim());
  reset_into(seed, obs.data());
  return obs;
}

StepResult EpisodeEnv::step(const std::vector<float>& action) {
  check_action_size(name_, action.size(), act_dim());
  StepResult r;
  r.obs.resize(obs_dim());
  step_into(action.data(), r.obs.data(), r.reward, r.terminated, r.truncated);
  return r;
}

void EpisodeEnv::check_running() const {
  if (!active_) throw RunError(name_ + ": step() called before reset() or after the episode ended");
}

}  // namespace relabel::envs
