// bench_reward: reward annotation throughput (transitions/s) and fit speed (steps/s) for ReLOAD
// and imputation at hopper dimensions (obs 11, act 3), one torch thread. Baseline measured in
// the same run: one bare MLP[2*obs, 256, 256, 128] forward of the same chunk (ReLOAD runs two
// such networks, so ~2x the baseline time is the expected floor).
#include <fmt/format.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "algos/nets/mlp.h"
#include "algos/reward/reward_model.h"
#include "algos/sync.h"

using namespace relabel::algos;

namespace {

constexpr int64_t kObs = 11, kAct = 3, kChunk = 65536;

double median_seconds(int repeats, const std::function<void()>& fn) {
  fn();  // warm-up
  std::vector<double> t;
  for (int i = 0; i < repeats; ++i) {
    auto start = std::chrono::steady_clock::now();
    fn();
    t.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

struct Row {
  std::string what;
  double seconds;
  double per_second;
  std::string unit;
};

}  // namespace

int main(int argc, char** argv) {
  torch::set_num_threads(1);
  const int repeats = argc > 1 ? std::max(1, std::atoi(argv[1])) : 5;
  torch::manual_seed(0);
  torch::Tensor obs = torch::randn({kChunk, kObs});
  torch::Tensor next = obs + 0.1 * torch::randn({kChunk, kObs});
  torch::Tensor act = torch::rand({kChunk, kAct}) * 2 - 1;
  torch::Tensor rew = obs.select(1, 0).sin() + act.select(1, 0);
  NoSync sync;
  std::vector<Row> rows;

  // Baseline: one bare MLP forward over the chunk, no grad.
  Mlp base = make_mlp(2 * kObs, 256, 2, 128);
  torch::Tensor x = torch::cat({obs, next}, 1);
  const double t_base = median_seconds(repeats, [&] {
    torch::NoGradGuard g;
    base->forward(x);
  });
  rows.push_back({"baseline MLP[22,256,256,128] forward", t_base, kChunk / t_base, "rows/s"});

  const int64_t fit_steps = 200;
  RewardOptions ro;
  ro.method = "reload";
  ro.predictor_steps = fit_steps;
  auto reload = make_reward_model(ro);
  RewardSupervision es;
  es.expert_obs = obs.slice(0, 0, 1000);
  es.expert_next_obs = next.slice(0, 0, 1000);
  const double t_rfit = median_seconds(std::max(1, repeats / 2), [&] { reload->fit(es, sync); });
  rows.push_back({"reload fit (batch 256)", t_rfit, fit_steps / t_rfit, "steps/s"});
  reload->finalize_statistics(obs, act, next, sync);
  const double t_rann = median_seconds(repeats, [&] { reload->annotate(obs, act, next); });
  rows.push_back({"reload annotate (chunk 65536)", t_rann, kChunk / t_rann, "rows/s"});

  RewardOptions io;
  io.method = "imputation";
  io.reward_steps = fit_steps;
  auto imput = make_reward_model(io);
  RewardSupervision ls;
  ls.labelled_obs = obs.slice(0, 0, 2000);
  ls.labelled_actions = act.slice(0, 0, 2000);
  ls.labelled_rewards = rew.slice(0, 0, 2000);
  const double t_ifit = median_seconds(std::max(1, repeats / 2), [&] { imput->fit(ls, sync); });
  rows.push_back({"imputation fit (batch 256, eval/100)", t_ifit, fit_steps / t_ifit, "steps/s"});
  torch::Tensor mask = torch::rand({kChunk}) < 0.01;
  const double t_iann = median_seconds(repeats, [&] { imput->relabel(obs, act, next, rew, mask); });
  rows.push_back({"imputation relabel (chunk 65536)", t_iann, kChunk / t_iann, "rows/s"});

  std::printf("bench_reward: hopper dims (obs %lld, act %lld), 1 torch thread, median of %d\n",
              static_cast<long long>(kObs), static_cast<long long>(kAct), repeats);
  std::printf("%-40s %12s %14s %10s\n", "case", "median [ms]", "throughput", "vs base");
  for (const auto& r : rows)
    std::printf("%-40s %12.2f %14s %10s\n", r.what.c_str(), r.seconds * 1e3,
                fmt::format("{:.0f} {}", r.per_second, r.unit).c_str(),
                r.unit == "rows/s" ? fmt::format("{:.2f}x", r.seconds / t_base).c_str() : "-");
  return 0;
}
