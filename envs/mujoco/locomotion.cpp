#include "envs/mujoco/locomotion.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "envs/action.h"
#include "envs/mujoco/model_cache.h"
#include "envs/seeding.h"

namespace relabel::envs {

LocomotionEnv::LocomotionEnv(LocomotionSpec spec)
    : EpisodeEnv(spec.name), spec_(std::move(spec)), m_(shared_model(spec_.model_file)) {
  // Every actuator must be a motor with ctrlrange [-1, 1]: the Env advertises those bounds.
  for (int i = 0; i < m_->nu; ++i)
    if (!m_->actuator_ctrllimited[i] || m_->actuator_ctrlrange[2 * i] != -1.0 ||
        m_->actuator_ctrlrange[2 * i + 1] != 1.0)
      throw Error(fmt::format("{}: actuator {} must have ctrlrange -1 1", spec_.model_file, i));
  d_ = mj_makeData(m_);
  if (!d_) throw RunError(spec_.name + ": MuJoCo could not allocate mjData");
  ctrl_.resize(m_->nu);
}

LocomotionEnv::~LocomotionEnv() { mj_deleteData(d_); }

std::vector<float> LocomotionEnv::action_low() const { return std::vector<float>(m_->nu, -1.0f); }
std::vector<float> LocomotionEnv::action_high() const { return std::vector<float>(m_->nu, 1.0f); }

void LocomotionEnv::observe(float* obs) const {
  const int nq = m_->nq, nv = m_->nv;
  for (int i = 1; i < nq; ++i) obs[i - 1] = static_cast<float>(d_->qpos[i]);
  for (int i = 0; i < nv; ++i) {
    double v = d_->qvel[i];
    if (spec_.clip_obs_velocity) v = std::clamp(v, -10.0, 10.0);
    obs[nq - 1 + i] = static_cast<float>(v);
  }
}

bool LocomotionEnv::healthy() const {
  const double z = d_->qpos[1], angle = d_->qpos[2];
  if (spec_.min_z >= spec_.max_z) return true;
  // Gym v3's state_vector()[2:] = qpos[2:] and qvel: all finite and inside the bound.
  for (int i = 2; i < m_->nq + m_->nv; ++i) {
    const double x = i < m_->nq ? d_->qpos[i] : d_->qvel[i - m_->nq];
    if (!std::isfinite(x)) return false;
    if (spec_.max_abs_state > 0.0 && std::abs(x) >= spec_.max_abs_state) return false;
  }
  return std::isfinite(z) && z > spec_.min_z && z < spec_.max_z &&
         std::abs(angle) < spec_.max_abs_angle;
}

void LocomotionEnv::reset_into(uint64_t seed, float* obs) {
  rng_.seed(seed);
  mj_resetData(m_, d_);  // qpos = qpos0, qvel = 0, warnings cleared
  for (int i = 0; i < m_->nq; ++i)
    d_->qpos[i] = m_->qpos0[i] + uniform(rng_, -spec_.qpos_noise, spec_.qpos_noise);
  for (int i = 0; i < m_->nv; ++i)
    d_->qvel[i] = spec_.gaussian_qvel_noise ? spec_.qvel_noise * standard_normal(rng_)
                                            : uniform(rng_, -spec_.qvel_noise, spec_.qvel_noise);
  mj_forward(m_, d_);
  begin_episode();
  observe(obs);
}

void LocomotionEnv::set_state(const std::vector<double>& qpos, const std::vector<double>& qvel) {
  if (qpos.size() != std::size_t(m_->nq) || qvel.size() != std::size_t(m_->nv))
    throw Error(
        fmt::format("{}: set_state needs {} qpos and {} qvel values", name(), m_->nq, m_->nv));
  mj_resetData(m_, d_);
  std::copy(qpos.begin(), qpos.end(), d_->qpos);
  std::copy(qvel.begin(), qvel.end(), d_->qvel);
  mj_forward(m_, d_);
  resume_episode();
}

void LocomotionEnv::check_stable(int substep) {
  // mj_step silently resets the state when qpos, qvel or qacc go bad; the counters survive.
  static const std::pair<int, const char*> kBad[] = {
      {mjWARN_BADQPOS, "bad qpos"}, {mjWARN_BADQVEL, "bad qvel"}, {mjWARN_BADQACC, "bad qacc"}};
  for (const auto& [id, what] : kBad)
    if (d_->warning[id].number > 0) {
      abort_episode();
      throw RunError(fmt::format("{}: simulation became unstable ({}) at step {}, substep {}",
                                 name(), what, elapsed_steps() + 1, substep + 1));
    }
}

void LocomotionEnv::step_into(const float* action, float* obs, double& reward, bool& terminated,
                              bool& truncated) {
  check_running();
  clip_action(name(), action, m_->nu, 1.0, ctrl_.data());
  double ctrl_cost = 0.0;
  for (int i = 0; i < m_->nu; ++i) {
    d_->ctrl[i] = ctrl_[i];
    ctrl_cost += ctrl_[i] * ctrl_[i];
  }
  const double x_before = d_->qpos[0];
  try {
    for (int k = 0; k < spec_.frame_skip; ++k) {
      mj_step(m_, d_);
      check_stable(k);
    }
  } catch (...) {
    abort_episode();  // a MuJoCo error thrown by our handler leaves d_ unusable until reset
    throw;
  }
  for (int i = 0; i < m_->nq + m_->nv; ++i) {
    const double x = i < m_->nq ? d_->qpos[i] : d_->qvel[i - m_->nq];
    if (!std::isfinite(x)) {
      abort_episode();
      throw RunError(fmt::format("{}: simulation became unstable (non-finite state) at step {}",
                                 name(), elapsed_steps() + 1));
    }
  }
  // Gym v3: forward velocity of the root over the frame-skipped step, healthy bonus, control
  // cost on the clipped action (docs/envs.md).
  reward =
      (d_->qpos[0] - x_before) / dt() + spec_.healthy_reward - spec_.ctrl_cost_weight * ctrl_cost;
  terminated = !healthy();
  truncated = finish_step(terminated);
  observe(obs);
}

}  // namespace relabel::envs
