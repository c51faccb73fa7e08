#include "envs/vector_env.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/error.h"
#include "envs/registry.h"
#include "envs/seeding.h"

namespace relabel::envs {
namespace {

std::vector<std::unique_ptr<Env>> make_copies(const std::string& task, int n) {
  if (n < 1) throw Error(fmt::format("{}: a vector env needs at least 1 copy, got {}", task, n));
  const TaskInfo& info = find_task(task);
  std::vector<std::unique_ptr<Env>> envs;
  for (int i = 0; i < n; ++i) envs.push_back(info.make());
  return envs;
}

}  // namespace

VectorEnv::VectorEnv(const std::string& task, int num_envs, bool auto_reset)
    : VectorEnv(make_copies(task, num_envs), auto_reset) {}

VectorEnv::VectorEnv(std::vector<std::unique_ptr<Env>> envs, bool auto_reset)
    : envs_(std::move(envs)), auto_reset_(auto_reset) {
  if (envs_.empty()) throw Error("vector env: no environments given");
  obs_dim_ = envs_[0]->obs_dim();
  act_dim_ = envs_[0]->act_dim();
  for (const auto& e : envs_)
    if (e->obs_dim() != obs_dim_ || e->act_dim() != act_dim_)
      throw Error("vector env: copies differ in observation or action size");
  const std::size_t n = envs_.size();
  last_obs_.assign(n * obs_dim_, 0.0f);
  final_obs_.assign(n * obs_dim_, 0.0f);
  running_.assign(n, 0);
  returns_.assign(n, 0.0);
  lengths_.assign(n, 0);
  episodes_.assign(n, 0);
}

void VectorEnv::reset_copy(int i, float* obs_row) {
  envs_[i]->reset_into(mix_seed(mix_seed(seed_, i), episodes_[i]), obs_row);
  std::copy(obs_row, obs_row + obs_dim_, last_obs_.begin() + std::size_t(i) * obs_dim_);
  running_[i] = 1;
  returns_[i] = 0.0;
  lengths_[i] = 0;
}

void VectorEnv::reset_all(uint64_t seed, float* obs) {
  seed_ = seed;
  finished_.clear();
  for (int i = 0; i < num_envs(); ++i) {
    episodes_[i] = 0;
    reset_copy(i, obs + std::size_t(i) * obs_dim_);
  }
}

std::vector<float> VectorEnv::reset_all(uint64_t seed) {
  std::vector<float> obs(std::size_t(num_envs()) * obs_dim_);
  reset_all(seed, obs.data());
  return obs;
}

void VectorEnv::step(const float* actions, float* next_obs, float* rewards, uint8_t* terminated,
                     uint8_t* truncated) {
  for (int i = 0; i < num_envs(); ++i) {
    float* row = next_obs + std::size_t(i) * obs_dim_;
    float* last = last_obs_.data() + std::size_t(i) * obs_dim_;
    if (!running_[i]) {  // only without auto_reset
      std::copy(last, last + obs_dim_, row);
      rewards[i] = 0.0f;
      terminated[i] = truncated[i] = 0;
      continue;
    }
    double r = 0.0;
    bool term = false, trunc = false;
    envs_[i]->step_into(actions + std::size_t(i) * act_dim_, row, r, term, trunc);
    rewards[i] = static_cast<float>(r);
    terminated[i] = term;
    truncated[i] = trunc;
    returns_[i] += r;
    lengths_[i] += 1;
    std::copy(row, row + obs_dim_, last);
    if (!term && !trunc) continue;
    finished_.push_back({i, episodes_[i], returns_[i], lengths_[i], term});
    running_[i] = 0;
    if (auto_reset_) {
      std::copy(row, row + obs_dim_, final_obs_.begin() + std::size_t(i) * obs_dim_);
      episodes_[i] += 1;
      reset_copy(i, row);
    }
  }
}

int VectorEnv::num_running() const {
  return static_cast<int>(std::count(running_.begin(), running_.end(), uint8_t{1}));
}

std::vector<EpisodeStats> VectorEnv::take_finished() {
  std::vector<EpisodeStats> out;
  out.swap(finished_);
  return out;
}

}  // namespace relabel::envs
