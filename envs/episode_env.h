#pragma once
// Base for the built-in tasks: they implement the allocation-free reset_into/step_into, and this
// class supplies the vector forms, the action-size check and the episode bookkeeping (step
// counter, time-limit truncation, refusing to step an episode that has ended).
#include <cstdint>
#include <string>
#include <vector>

#include "envs/env.h"

namespace relabel::envs {

class EpisodeEnv : public Env {
 public:
  explicit EpisodeEnv(std::string name) : name_(std::move(name)) {}
  const std::string& name() const { return name_; }
  // Steps taken in the current episode.
  int elapsed_steps() const { return steps_; }

  std::vector<float> reset(uint64_t seed) final;
  StepResult step(const std::vector<float>& action) final;

 protected:
  // Called by reset_into: a fresh episode may be stepped.
  void begin_episode() {
    steps_ = 0;
    active_ = true;
  }
  // Called by state-setting test hooks: the episode may be stepped again, step count kept.
  void resume_episode() { active_ = true; }
  // Called when a step fails midway: the episode cannot continue until the next reset.
  void abort_episode() { active_ = false; }
  // Called first in step_into: throws relabel::RunError if no episode is running.
  void check_running() const;
  // Called last in step_into: counts the step and returns `truncated`. The time limit only
  // truncates an episode that did not terminate on the same step (a terminal state wins).
  bool finish_step(bool terminated) {
    ++steps_;
    const bool truncated = !terminated && steps_ >= max_episode_steps();
    if (terminated || truncated) active_ = false;
    return truncated;
  }

 private:
  std::string name_;
  int steps_ = 0;
  bool active_ = false;
};

}  // namespace relabel::envs
