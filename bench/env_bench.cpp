// Environment stepping throughput: each task through Env::step (vector API), Env::step_into
// (flat buffers) and VectorEnv (N = 1, 8), against a raw loop of mj_step x frame_skip on the
// same shared model with the same random controls and the same episode boundaries (the
// wrapper's overhead target: >= 90% of raw). Medians over repeats; ratios against the raw
// loop (MuJoCo) or Env::step (plain tasks) of the same run.
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "envs/registry.h"
#include "envs/seeding.h"
#include "envs/vector_env.h"
#ifdef RELABEL_HAVE_MUJOCO
#include "envs/mujoco/locomotion.h"
#include "envs/mujoco/model_cache.h"
#endif

using namespace relabel::envs;

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// This thread's CPU time: on a shared, oversubscribed machine wall time mostly measures the
// other processes; stepping is single-threaded and does no I/O, so CPU time is its cost.
double cpu_seconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

// Median steps/s of `run`, which performs `steps` environment steps per call.
double rate(int repeats, long steps, const std::function<void()>& run) {
  run();  // warm-up: caches, lazy model load
  std::vector<double> r;
  for (int i = 0; i < repeats; ++i) {
    const double t0 = cpu_seconds();
    run();
    r.push_back(steps / (cpu_seconds() - t0));
  }
  return median(r);
}

struct Row {
  std::string task, mode;
  double steps_per_s, ratio;
};

// Random actions in the task's bounds, cycled so that drawing them costs nothing in the loop.
std::vector<float> random_actions(const TaskInfo& info, long count) {
  std::mt19937_64 rng(7);
  std::vector<float> a(std::size_t(count) * info.act_dim);
  for (float& x : a) x = float(info.max_action * uniform(rng, -1.0, 1.0));
  return a;
}

void bench_task(const std::string& task, long steps, int repeats, std::vector<Row>& rows) {
  const TaskInfo& info = find_task(task);
  const int ad = info.act_dim;
  const std::vector<float> actions = random_actions(info, steps);
  std::vector<int> episode_ends;  // step indices where an episode ended (for the raw replay)

  auto env = info.make();
  std::vector<float> act(ad);
  auto via_step = [&] {
    episode_ends.clear();
    env->reset(0);
    for (long t = 0; t < steps; ++t) {
      act.assign(actions.begin() + t * ad, actions.begin() + (t + 1) * ad);
      StepResult r = env->step(act);
      if (r.terminated || r.truncated) {
        episode_ends.push_back(int(t));
        env->reset(t);
      }
    }
  };
  std::vector<float> obs(info.obs_dim);
  auto via_step_into = [&] {
    env->reset_into(0, obs.data());
    double r;
    bool term, trunc;
    for (long t = 0; t < steps; ++t) {
      env->step_into(actions.data() + t * ad, obs.data(), r, term, trunc);
      if (term || trunc) env->reset_into(t, obs.data());
    }
  };
  // The copies are built once, outside the timed region (mj_makeData allocates MBs).
  auto via_vector = [&](VectorEnv& venv) {
    return [&] {
      const int n = venv.num_envs();
      std::vector<float> next(std::size_t(n) * info.obs_dim), rew(n);
      std::vector<uint8_t> term(n), trunc(n);
      venv.reset_all(0, next.data());
      for (long t = 0; t < steps / n; ++t)
        venv.step(actions.data() + t * n * ad, next.data(), rew.data(), term.data(), trunc.data());
    };
  };

  const double step_rate = rate(repeats, steps, via_step);
  double base = step_rate;
  std::vector<Row> task_rows;
  // Raw baseline with `n` mjData stepped round-robin (VectorEnv N=n touches n of them): each
  // follows the Env run's sequence of episode lengths, reset with mj_resetData.
  std::function<double(int)> raw_rate;
#ifdef RELABEL_HAVE_MUJOCO
  if (info.needs_mujoco) {
    auto* loco = dynamic_cast<LocomotionEnv*>(env.get());
    const mjModel* m = shared_model(loco->spec().model_file);
    const int skip = loco->spec().frame_skip;
    raw_rate = [&, m, skip](int n) {
      std::vector<int> lengths;
      for (std::size_t e = 0; e < episode_ends.size(); ++e)
        lengths.push_back(episode_ends[e] - (e ? episode_ends[e - 1] : -1));
      if (lengths.empty()) lengths.push_back(info.max_episode_steps);
      std::vector<mjData*> d(n);
      for (auto& x : d) x = mj_makeData(m);
      auto raw = [&] {
        std::vector<std::size_t> episode(n, 0);
        std::vector<int> left(n);
        for (int j = 0; j < n; ++j) {
          mj_resetData(m, d[j]);
          mj_forward(m, d[j]);
          left[j] = lengths[0];
        }
        for (long t = 0; t < steps / n; ++t)
          for (int j = 0; j < n; ++j) {
            const float* a = actions.data() + (t * n + j) * ad;
            for (int i = 0; i < ad; ++i) d[j]->ctrl[i] = a[i];
            for (int k = 0; k < skip; ++k) mj_step(m, d[j]);
            if (--left[j] == 0) {
              left[j] = lengths[++episode[j] % lengths.size()];
              mj_resetData(m, d[j]);
              mj_forward(m, d[j]);
            }
          }
      };
      const double r = rate(repeats, steps / n * n, raw);
      for (auto x : d) mj_deleteData(x);
      return r;
    };
    base = raw_rate(1);
    task_rows.push_back({task, fmt::format("raw mj_step x{}", skip), base, 1.0});
  }
#endif
  task_rows.push_back({task, "Env::step", step_rate, step_rate / base});
  const double into = rate(repeats, steps, via_step_into);
  task_rows.push_back({task, "Env::step_into", into, into / base});
  for (int n : {1, 8}) {
    double n_base = base;
    if (raw_rate && n > 1) {
      n_base = raw_rate(n);
      task_rows.push_back({task, fmt::format("raw, {} mjData", n), n_base, 1.0});
    }
    VectorEnv venv(task, n, /*auto_reset=*/true);
    const double v = rate(repeats, steps / n * n, via_vector(venv));
    task_rows.push_back({task, fmt::format("VectorEnv N={}", n), v, v / n_base});
  }
  rows.insert(rows.end(), task_rows.begin(), task_rows.end());
}

}  // namespace

int main(int argc, char** argv) {
  int repeats = 5;
  double scale = 1.0;  // --quick: 10x fewer steps
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--quick")) scale = 0.1;
    if (!std::strcmp(argv[i], "--repeats") && i + 1 < argc)
      repeats = std::max(1, std::atoi(argv[++i]));
  }
  std::vector<Row> rows;
  for (const std::string& task : task_names()) {
    const long steps = long(scale * (find_task(task).needs_mujoco ? 10000 : 500000));
    bench_task(task, steps, repeats, rows);
  }
  fmt::print(
      "env stepping, one thread, steps per CPU-second, median of {} repeats. Ratio: MuJoCo "
      "rows vs the raw mj_step loop above them (VectorEnv N=8 vs raw with 8 mjData), plain "
      "tasks vs Env::step\n",
      repeats);
  fmt::print("{:<12} {:<18} {:>14} {:>8}\n", "task", "mode", "steps/s", "ratio");
  for (const Row& r : rows)
    fmt::print("{:<12} {:<18} {:>14.0f} {:>8.3f}\n", r.task, r.mode, r.steps_per_s, r.ratio);
  return 0;
}
