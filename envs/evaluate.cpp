#include "envs/evaluate.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/error.h"
#include "envs/registry.h"
#include "envs/seeding.h"

namespace relabel::envs {

std::vector<EpisodeStats> evaluate_episodes(const BatchPolicy& policy, const std::string& task,
                                            int episodes, uint64_t seed,
                                            const EvalOptions& options) {
  if (episodes < 0) throw Error(fmt::format("{}: evaluation episodes must be >= 0", task));
  if (options.max_parallel < 1)
    throw Error(fmt::format("{}: evaluation max_parallel must be >= 1", task));
  const TaskInfo& info = find_task(task);
  const int slots = std::min(episodes, options.max_parallel);
  const int od = info.obs_dim, ad = info.act_dim;

  struct Slot {
    std::unique_ptr<Env> env;
    std::vector<float> obs;
    int episode = -1;  // local index, -1 when idle
    double ret = 0.0;
    int length = 0;
  };
  std::vector<Slot> slot(slots);
  int next = 0;
  auto start = [&](Slot& s) {
    s.episode = next < episodes ? next++ : -1;
    if (s.episode < 0) return;
    s.ret = 0.0;
    s.length = 0;
    s.env->reset_into(mix_seed(seed, options.first_episode + s.episode), s.obs.data());
  };
  for (Slot& s : slot) {
    s.env = info.make();
    s.obs.resize(od);
    start(s);
  }

  std::vector<EpisodeStats> done(episodes);
  std::vector<float> batch_obs(std::size_t(slots) * od), batch_act(std::size_t(slots) * ad);
  std::vector<int> active;
  for (int finished = 0; finished < episodes;) {
    active.clear();
    for (int i = 0; i < slots; ++i)
      if (slot[i].episode >= 0) {
        std::copy(slot[i].obs.begin(), slot[i].obs.end(),
                  batch_obs.begin() + std::size_t(active.size()) * od);
        active.push_back(i);
      }
    policy(batch_obs.data(), static_cast<int>(active.size()), batch_act.data());
    for (std::size_t j = 0; j < active.size(); ++j) {
      Slot& s = slot[active[j]];
      double r = 0.0;
      bool term = false, trunc = false;
      s.env->step_into(batch_act.data() + j * ad, s.obs.data(), r, term, trunc);
      s.ret += r;
      s.length += 1;
      if (term || trunc) {
        done[s.episode] = {active[j], options.first_episode + s.episode, s.ret, s.length, term};
        ++finished;
        start(s);
      }
    }
  }
  return done;
}

std::vector<double> evaluate(const BatchPolicy& policy, const std::string& task, int episodes,
                             uint64_t seed, const EvalOptions& options) {
  std::vector<double> returns;
  for (const EpisodeStats& e : evaluate_episodes(policy, task, episodes, seed, options))
    returns.push_back(e.ret);
  return returns;
}

}  // namespace relabel::envs
