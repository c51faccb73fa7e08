// bench_world_model_bench: throughput of the latent world-model agent (cpu-small preset unless
// --preset) on pendulum and hopper, one torch thread (--threads): acting with the policy prior and
// with MPPI (ms per environment step, policy/planner plus the environment), updates with TD-MPC2's
// reward head ("ground truth") and with CDRED (ms per update), and the resulting online rate at one
// update per environment step. The time split: acting, world-model update (the ground-truth
// update) and reward update (the extra time of the CDRED update over a ground-truth update on as
// many rows). Baselines, measured in the same run: a raw environment step with random actions
// ("x env" = cost of an acting step in raw env steps) and the ground-truth update ("x gt" = CDRED
// update / ground-truth update on `batch` rows; "x gt2B" = / ground-truth update on the 2 x batch
// rows CDRED's world model trains on). The three updates and a GEMM peak probe are timed in turn
// within each repeat and the ratios taken per repeat, so that the machine's drift cancels.
//
// The floor table: each update's matrix-product FLOPs, counted at the BLAS interface while it
// runs (below), against the GEMM peak (as many threads) measured in the same repeats. "x gt FLOPs"
// is what "x gt" would be if both updates ran at the same fraction of the peak; "floor online/s"
// the online rate if the CDRED update ran at the peak.
#include <fmt/format.h>
#include <torch/csrc/autograd/profiler_legacy.h>
#include <torch/torch.h>
#include <CLI/CLI.hpp>

#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
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
double g_gemm_flops = 0.0;  // 2 m n k summed over every sgemm_ call since the last reset

}  // namespace

// LibTorch computes every float matrix product on CPU (mm, addmm, and bmm/baddbmm above their
// small-size loop) through the BLAS's Fortran sgemm_. The executable's definition interposes on
// the shared library's (it wins the dynamic symbol lookup); it counts and forwards to the BLAS's
// own, found with dlsym(RTLD_NEXT).
extern "C" void sgemm_(const char* transa, const char* transb, const int* m, const int* n,
                       const int* k, const float* alpha, const float* a, const int* lda,
                       const float* b, const int* ldb, const float* beta, float* c,
                       const int* ldc) {
  using Sgemm = void (*)(const char*, const char*, const int*, const int*, const int*, const float*,
                         const float*, const int*, const float*, const int*, const float*, float*,
                         const int*);
  static const auto blas = reinterpret_cast<Sgemm>(dlsym(RTLD_NEXT, "sgemm_"));
  if (!blas) {
    std::fprintf(stderr, "bench_world_model_bench: no sgemm_ after this executable's\n");
    std::abort();
  }
  g_gemm_flops += 2.0 * double(*m) * double(*n) * double(*k);
  blas(transa, transb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

namespace {

// GEMM FLOPs of one call of f (0 if the counter is not interposed).
template <typename F>
double gemm_flops_of(F&& f) {
  g_gemm_flops = 0.0;
  f();
  return g_gemm_flops;
}

double seconds_of(const std::function<void()>& f, int calls) {
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < calls; ++i) f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() / calls;
}

double median(std::vector<double> v) {
  std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
  return v[v.size() / 2];
}

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
  int updates = 10, steps = 40, threads = 1;
  int64_t target_hidden = 512;
  int64_t predictor_hidden = 256, predictor_layers = 2;  // the CPU preset's (spec: 1024, 3)
  std::string value_rows = "all";
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
  app.add_option("--threads", threads,
                 "torch intra-op threads (a run's parallel.threads_per_rank; the GEMM peak probe "
                 "uses as many)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--updates", updates, "updates per repeat")->capture_default_str();
  app.add_option("--steps", steps, "acting steps per repeat")->capture_default_str();
  app.add_option("--target-hidden", target_hidden,
                 "CDRED target width (spec 512; configs/*-cdred.toml use 128 on CPU)")
      ->capture_default_str();
  app.add_option("--predictor-hidden", predictor_hidden,
                 "CDRED predictor width (spec 1024; 256 on CPU)")
      ->capture_default_str();
  app.add_option("--predictor-layers", predictor_layers,
                 "CDRED predictor hidden layers (spec 3; 2 in configs/*-cdred.toml)")
      ->capture_default_str();
  app.add_option("--value-rows", value_rows,
                 "CDRED agent: the rows Q and the prior train on (policy.value_rows)")
      ->check(CLI::IsMember({"all", "replay"}))
      ->capture_default_str();
  app.add_flag("!--no-mppi", with_mppi, "skip the MPPI acting rows (slow with CDRED)");
  std::string trace;
  app.add_option("--trace", trace,
                 "write a chrome://tracing profile of 5 ground-truth then 5 CDRED updates per "
                 "task to this file prefix (<prefix>-<task>.json)");
  CLI11_PARSE(app, argc, argv);
  torch::set_num_threads(threads);

  std::printf(
      "world-model agent, preset %s, batch %lld (+%lld expert with CDRED), CDRED targets 5 x "
      "MLP[z+a, %lld, %lld, 256], predictors 2 x %lld x %lld; %d thread(s); "
      "CDRED's Q and prior on %s rows; median of %d repeats; MPPI %lld samples, %lld elites, "
      "%lld iterations, %lld from the prior\n",
      preset.c_str(), static_cast<long long>(batch), static_cast<long long>(batch),
      static_cast<long long>(target_hidden), static_cast<long long>(target_hidden),
      static_cast<long long>(predictor_layers), static_cast<long long>(predictor_hidden), threads,
      value_rows.c_str(), g_repeats, static_cast<long long>(planner.num_samples),
      static_cast<long long>(planner.num_elites), static_cast<long long>(planner.iterations),
      static_cast<long long>(planner.num_pi_trajs));
  std::vector<std::string> floors;
  bool counted = true;  // the sgemm_ counter saw every update's products
  std::vector<double> peak_all;
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
    c.predictor_hidden = predictor_hidden;
    c.predictor_layers = predictor_layers;
    CdredReward reward(c);
    WorldModelOptions oc = o;  // the CDRED agent's; the ground-truth agent has no expert rows
    oc.value_on_expert = value_rows == "all";
    WorldModelAgent gt_agent(o, nullptr), cdred_agent(oc, &reward);
    const std::function<void()> gt_update = [&] {
      auto b = replay.sample(batch);
      gt_agent.update(b);
    };
    // The same agent on replay + expert rows' worth of replay: the world-model share of a CDRED
    // update, which trains on both halves.
    const std::function<void()> gt_2b_update = [&] {
      auto b = replay.sample(2 * batch);
      gt_agent.update(b);
    };
    const std::function<void()> cdred_update = [&] {
      auto b = replay.sample(batch);
      auto e = expert.sample(batch);
      cdred_agent.update(b, &e);
    };
    for (const auto* f : {&gt_update, &gt_2b_update, &cdred_update})
      for (int i = 0; i < std::max(2, updates / 5); ++i) (*f)();  // warm-up
    const double gt_flops = gemm_flops_of(gt_update), cdred_flops = gemm_flops_of(cdred_update);
    counted = counted && gt_flops > 0 && cdred_flops > 0;
    if (!trace.empty()) {
      torch::autograd::profiler::RecordProfile record(trace + "-" + task + ".json");
      for (const auto* f : {&gt_update, &cdred_update}) {
        RECORD_FUNCTION(f == &gt_update ? "gt_updates" : "cdred_updates",
                        std::vector<c10::IValue>());
        for (int i = 0; i < 5; ++i) (*f)();
      }
    }
    auto pa = torch::randn({1024, 1024}), pb = torch::randn({1024, 1024});
    const std::function<void()> probe = [&] { (void)torch::mm(pa, pb); };
    std::vector<double> t_gt, t_cd, reward_s, x_gt, x_gt2b, gt_per_2b, peaks, gt_pct, cd_pct;
    for (int r = 0; r < g_repeats; ++r) {
      const double g = seconds_of(gt_update, updates), g2 = seconds_of(gt_2b_update, updates),
                   cd = seconds_of(cdred_update, updates);
      const double peak = 2.0 * 1024 * 1024 * 1024 / seconds_of(probe, 3);
      t_gt.push_back(g), t_cd.push_back(cd), reward_s.push_back(cd - g2), peaks.push_back(peak);
      x_gt.push_back(cd / g), x_gt2b.push_back(cd / g2), gt_per_2b.push_back(g / g2);
      gt_pct.push_back(100.0 * gt_flops / g / peak);
      cd_pct.push_back(100.0 * cdred_flops / cd / peak);
    }
    const double gt_update_s = median(t_gt), cdred_update_s = median(t_cd), peak = median(peaks);
    double cdred_prior_act_s = 0.0;
    for (bool cdred : {false, true}) {
      const double update_s = cdred ? cdred_update_s : gt_update_s;
      for (bool mppi : {false, true}) {
        if (mppi && !with_mppi) continue;
        WorldModelOptions om = cdred ? oc : o;
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
            act_s / env_s, update_s * 1e3, cdred ? median(reward_s) * 1e3 : 0.0,
            cdred ? median(x_gt) : 1.0, cdred ? median(x_gt2b) : median(gt_per_2b), 1.0 / update_s,
            1.0 / (act_s + update_s));
        if (cdred && !mppi) cdred_prior_act_s = act_s;
      }
    }
    floors.push_back(fmt::format(
        "{:<9} | {:>8.3f} {:>8.3f} {:>7.2f} | {:>7.1f} {:>7.1f} | {:>7.2f} | {:>8.2f} {:>9.1f}",
        task, gt_flops / 1e9, cdred_flops / 1e9, cdred_flops / gt_flops, median(gt_pct),
        median(cd_pct), median(x_gt), cdred_flops / peak * 1e3,
        1.0 / (cdred_flops / peak + cdred_prior_act_s)));
    peak_all.push_back(peak);
  }
  std::printf(
      "act ms: policy/planner + environment per step; update ms: one world-model, reward "
      "and policy update; x gt: / the ground-truth update on `batch` rows; x gt2B: / the "
      "ground-truth update on 2 x batch rows (CDRED's world model trains on replay + expert "
      "rows); reward ms: CDRED update - that 2 x batch update; online/s: environment steps "
      "per second at one update per step\n");
  if (!counted) {
    std::printf("\nfloor: the GEMM counter saw no calls (sgemm_ not interposed); no FLOP table\n");
    return 0;
  }
  std::printf(
      "\nfloor: GEMM FLOPs per update counted at the BLAS interface; GEMM peak (1024^3, %d "
      "thread(s)) %.1f GFLOP/s, median over the repeats\n",
      threads, median(peak_all) / 1e9);
  std::printf("%-9s | %8s %8s %7s | %7s %7s | %7s | %8s %9s\n", "task", "gt GF", "cdred GF",
              "x FLOPs", "gt %pk", "cd %pk", "x gt", "cd@pk ms", "floor/s");
  for (const auto& line : floors) std::printf("%s\n", line.c_str());
  std::printf(
      "gt GF, cdred GF: GFLOP of one update; x FLOPs: their ratio, = x gt at equal efficiency; "
      "%%pk: percent of the GEMM peak each update reaches; x gt: the measured ratio; cd@pk ms: "
      "the CDRED update at the peak; floor/s: online steps/s with the prior at that floor\n");
  return 0;
}
