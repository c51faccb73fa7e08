// bench_world_model_bench: throughput of the latent world-model agent (cpu-small preset unless
// --preset) on pendulum and hopper, one torch thread: acting with the policy prior and with MPPI
// (ms per environment step, policy/planner plus the environment), updates with TD-MPC2's reward
// head ("ground truth") and with CDRED (ms per update), and the resulting online rate at one
// update per environment step. The time split: acting, world-model update (the ground-truth
// update) and reward update (the extra time of the CDRED update over a ground-truth update on as
// many rows). Baselines, measured in the same run: a raw environment step with random actions
// ("x env" = cost of an acting step in raw env steps) and the ground-truth update ("x gt" = CDRED
// update / ground-truth update on `batch` rows; "x gt2B" = / ground-truth update on the 2 x batch
// rows CDRED's world model trains on).
#include <torch/torch.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "algos/online/world_model.h"
#include "algos/online/world_model_buffer.h"
#include "algos/reward/cdred_reward.h"
#include "envs/registry.h"
#include "envs/seeding.h"

using namespace relabel::algos;
namespace envs = relabel::envs;

namespace {

int g_repeats = 5;

template <typename F>
double median_seconds_per_call(int calls, F&& f) {
  for (int i = 0; i < std::max(2, calls / 5); ++i) f();  // warm-up
  std::vector<double> t;
  for (int r = 0; r < g_repeats; ++r) {
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < calls; ++i) f();
    t.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() /
                calls);
  }
  std::nth_element(t.begin(), t.begin() + t.size() / 2, t.end());
  return t[t.size() / 2];
}

// Random-action transitions of `task` in a sequence buffer (replay and a stand-in expert set:
// only the timing matters here).
SequenceBuffer random_sequences(const std::string& task, int64_t rows, int64_t horizon,
                                uint64_t seed) {
  const auto& info = envs::find_task(task);
  SequenceBuffer buffer(rows, info.obs_dim, info.act_dim, horizon, seed);
  auto env = info.make();
  std::mt19937_64 rng(seed);
  std::vector<float> obs(info.obs_dim), next(info.obs_dim), act(info.act_dim);
  uint64_t episode = 0;
  env->reset_into(envs::mix_seed(seed, episode), obs.data());
  for (int64_t i = 0; i < rows; ++i) {
    for (auto& a : act)
      a = static_cast<float>(envs::uniform(rng, -info.max_action, info.max_action));
    double r = 0;
    bool te = false, tr = false;
    env->step_into(act.data(), next.data(), r, te, tr);
    buffer.add(obs.data(), act.data(), float(r), next.data(), te, te || tr);
    if (te || tr)
      env->reset_into(envs::mix_seed(seed, ++episode), obs.data());
    else
      obs = next;
  }
  return buffer;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"world-model agent throughput"};
  std::string preset = "cpu-small";
  int64_t batch = 256;
  int updates = 10, steps = 40;
  int64_t target_hidden = 512;
  bool with_mppi = true;
  std::vector<std::string> tasks = {"pendulum", "hopper"};
  relabel::algos::MppiOptions planner;
  app.add_option("--tasks", tasks, "tasks to measure")->capture_default_str();
  app.add_option("--mppi-samples", planner.num_samples, "MPPI samples")->capture_default_str();
  app.add_option("--mppi-elites", planner.num_elites, "MPPI elites")->capture_default_str();
  app.add_option("--mppi-iterations", planner.iterations, "MPPI iterations")->capture_default_str();
  app.add_option("--mppi-policy-trajs", planner.num_pi_trajs, "MPPI prior trajectories")
      ->capture_default_str();
  app.add_option("--preset", preset, "world-model size preset")->capture_default_str();
  app.add_option("--batch", batch, "batch size (each half with CDRED)")->capture_default_str();
  app.add_option("--repeats", g_repeats, "repeats (median)")->capture_default_str();
  app.add_option("--updates", updates, "updates per repeat")->capture_default_str();
  app.add_option("--steps", steps, "acting steps per repeat")->capture_default_str();
  app.add_option("--target-hidden", target_hidden,
                 "CDRED target width (spec 512; configs/*-cdred.toml use 128 on CPU)")
      ->capture_default_str();
  app.add_flag("!--no-mppi", with_mppi, "skip the MPPI acting rows (slow with CDRED)");
  CLI11_PARSE(app, argc, argv);
  torch::set_num_threads(1);

  std::printf(
      "world-model agent, preset %s, batch %lld (+%lld expert with CDRED), CDRED CPU "
      "preset (targets 5 x MLP[z+a, %lld, %lld, 256], predictors 2 x 256); 1 thread; "
      "median of %d repeats; MPPI %lld samples, %lld elites, %lld iterations, %lld from the "
      "prior\n",
      preset.c_str(), static_cast<long long>(batch), static_cast<long long>(batch),
      static_cast<long long>(target_hidden), static_cast<long long>(target_hidden), g_repeats,
      static_cast<long long>(planner.num_samples), static_cast<long long>(planner.num_elites),
      static_cast<long long>(planner.iterations), static_cast<long long>(planner.num_pi_trajs));
  std::printf("%-9s %-6s %-6s | %9s %8s %8s | %10s %10s %7s %8s | %10s %9s\n", "task", "reward",
              "acting", "act ms", "env us", "x env", "update ms", "reward ms", "x gt", "x gt2B",
              "updates/s", "online/s");
  for (const auto& task : tasks) {
    const auto& info = envs::find_task(task);
    auto replay = random_sequences(task, 4000, 3, 1);
    auto expert = random_sequences(task, 2000, 3, 2);
    // Raw environment step with random actions: the acting baseline.
    auto env = info.make();
    std::vector<float> obs(info.obs_dim), act(info.act_dim, 0.1f);
    env->reset_into(1, obs.data());
    std::mt19937_64 rng(3);
    uint64_t ep = 0;
    const double env_s = median_seconds_per_call(2000, [&] {
      for (auto& a : act) a = float(envs::uniform(rng, -info.max_action, info.max_action));
      double r;
      bool te = false, tr = false;
      env->step_into(act.data(), obs.data(), r, te, tr);
      if (te || tr) env->reset_into(++ep, obs.data());
    });

    double gt_update_s = 0.0, gt_2b_update_s = 0.0;
    for (bool cdred : {false, true}) {
      WorldModelOptions o;
      apply_world_model_preset(o, preset);
      o.obs_dim = info.obs_dim;
      o.act_dim = info.act_dim;
      o.max_action = info.max_action;
      o.episode_length = info.max_episode_steps;
      CdredOptions c;
      c.latent_dim = o.latent_dim;
      c.act_dim = o.act_dim;
      c.target_hidden = target_hidden;
      c.predictor_hidden = 256;
      c.predictor_layers = 2;
      CdredReward reward(c);
      WorldModelAgent agent(o, cdred ? &reward : nullptr);
      const double update_s = median_seconds_per_call(updates, [&] {
        auto b = replay.sample(batch);
        if (cdred) {
          auto e = expert.sample(batch);
          agent.update(b, &e);
        } else {
          agent.update(b);
        }
      });
      if (!cdred) {
        gt_update_s = update_s;
        // The same agent on replay + expert rows' worth of replay: the world-model share of a
        // CDRED update, which trains on both halves.
        gt_2b_update_s = median_seconds_per_call(updates, [&] {
          auto b = replay.sample(2 * batch);
          agent.update(b);
        });
      }
      for (bool mppi : {false, true}) {
        if (mppi && !with_mppi) continue;
        WorldModelOptions om = o;
        om.mppi = mppi;
        om.planner = planner;
        WorldModelAgent actor(om, cdred ? &reward : nullptr);
        env->reset_into(7, obs.data());
        bool start = true;
        const double act_s = median_seconds_per_call(mppi ? std::max(2, steps / 10) : steps, [&] {
          auto o_t = torch::from_blob(obs.data(), {1, info.obs_dim}, torch::kFloat32);
          auto a = actor.act(o_t, false, {uint8_t(start)}).contiguous();
          start = false;
          double r;
          bool te = false, tr = false;
          env->step_into(a.data_ptr<float>(), obs.data(), r, te, tr);
          if (te || tr) env->reset_into(++ep, obs.data()), start = true;
        });
        std::printf(
            "%-9s %-6s %-6s | %9.3f %8.1f %8.1f | %10.2f %10.2f %7.2f %8.2f | %10.1f %9.1f\n",
            task.c_str(), cdred ? "cdred" : "gt", mppi ? "mppi" : "prior", act_s * 1e3, env_s * 1e6,
            act_s / env_s, update_s * 1e3, cdred ? (update_s - gt_2b_update_s) * 1e3 : 0.0,
            update_s / gt_update_s, update_s / gt_2b_update_s, 1.0 / update_s,
            1.0 / (act_s + update_s));
      }
    }
  }
  std::printf(
      "act ms: policy/planner + environment per step; update ms: one world-model, reward "
      "and policy update; x gt: / the ground-truth update on `batch` rows; x gt2B: / the "
      "ground-truth update on 2 x batch rows (CDRED's world model trains on replay + expert "
      "rows); reward ms: CDRED update - that 2 x batch update; online/s: environment steps "
      "per second at one update per step\n");
  return 0;
}
