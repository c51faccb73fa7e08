// bench_cdred_reward: where the time of one CDRED reward update goes, one torch thread, at the
// shapes of a world-model update (H rollout steps x (replay + expert) rows of latent + action):
// the K frozen targets' forward, the two predictors' forward, the bonus, and the whole
// train_step (targets, reward, predictor losses; the backward through the predictors included).
// GFLOP/s of the GEMMs against the measured single-thread GEMM peak of a square product.
#include <torch/torch.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include "algos/online/world_model_params.h"
#include "algos/reward/cdred_reward.h"

using namespace relabel::algos;

namespace {

template <typename F>
double median_ms(int repeats, int calls, F&& f) {
  for (int i = 0; i < 3; ++i) f();
  std::vector<double> t;
  for (int r = 0; r < repeats; ++r) {
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < calls; ++i) f();
    t.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                    .count() /
                calls);
  }
  std::nth_element(t.begin(), t.begin() + t.size() / 2, t.end());
  return t[t.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"CDRED reward cost by part"};
  int64_t batch = 64, horizon = 3, latent = 64, act = 3;
  int repeats = 7, calls = 20;
  app.add_option("--batch", batch, "replay rows (as many expert rows)")->capture_default_str();
  app.add_option("--horizon", horizon, "rollout steps")->capture_default_str();
  app.add_option("--repeats", repeats, "repeats (median)")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  torch::set_num_threads(1);
  torch::manual_seed(0);

  const double peak = [] {
    auto a = torch::randn({1024, 1024}), b = torch::randn({1024, 1024});
    const double ms = median_ms(5, 5, [&] { (void)torch::mm(a, b); });
    return 2.0 * 1024 * 1024 * 1024 / (ms * 1e6);
  }();
  std::printf(
      "CDRED reward parts, %lld x (%lld replay + %lld expert) rows of z(%lld)+a(%lld); 1 "
      "thread; GEMM peak %.1f GFLOP/s; median of %d\n",
      (long long)horizon, (long long)batch, (long long)batch, (long long)latent, (long long)act,
      peak, repeats);
  std::printf("%-8s %-6s | %9s %9s %9s %9s | %9s %7s\n", "targets", "pred", "targets", "preds",
              "bonus", "step", "step GF/s", "% peak");
  for (int64_t th : {128, 512}) {
    CdredOptions o;
    o.latent_dim = latent;
    o.act_dim = act;
    o.target_hidden = th;
    o.predictor_hidden = 256;
    o.predictor_layers = 2;
    CdredReward reward(o);
    ParamLayout layout;
    reward.declare(layout);
    FlatBuffer buf(layout, torch::TensorOptions(), true);
    auto gen = at::make_generator<at::CPUGeneratorImpl>(1);
    reward.init(buf.frozen, gen);
    const int64_t N = 2 * batch, rows = horizon * N, in = latent + act;
    auto z = torch::randn({horizon, N, latent}).requires_grad_(true);
    auto a = torch::rand({horizon, N, act}) * 2 - 1;
    auto x = torch::cat({z.detach(), a}, -1).reshape({rows, in});
    const double t_ms = median_ms(repeats, calls, [&] { (void)reward.targets(x); });
    auto t = reward.targets(x);
    const double p_ms = median_ms(repeats, calls, [&] {
      torch::NoGradGuard g;
      (void)reward.predictions(buf.frozen, x);
    });
    auto f = torch::randn({rows, o.output_dim});
    const double b_ms = median_ms(repeats, calls, [&] { (void)cdred_bonus(f, t, o.alpha, o.eps); });
    std::map<std::string, double> m;
    const double s_ms = median_ms(repeats, calls, [&] {
      buf.zero_grad();
      auto step = reward.train_step(buf.leaves, z, a, batch, gen, m);
      step.loss.backward();
    });
    const double D = o.output_dim, P = o.predictor_hidden, T = th;
    const double tgt_flops = 2.0 * rows * o.num_targets * (in * T + T * T + T * D);
    const double pred_row = 2.0 * (in * P + P * P + P * D);
    // The least a step needs: the targets on every row; each row through both predictors once
    // (the reward), and the trained predictor's backward (weights and input: 2x its forward).
    const double step_flops = tgt_flops + 2 * rows * pred_row + 2 * rows * pred_row;
    std::printf("%-8lld %-6s | %9.2f %9.2f %9.2f %9.2f | %9.1f %7.1f\n", (long long)th, "2x256",
                t_ms, p_ms, b_ms, s_ms, step_flops / (s_ms * 1e6),
                100.0 * step_flops / (s_ms * 1e6) / peak);
  }
  std::printf(
      "times in ms; step = train_step + backward (the world-model update's reward share)\n");
  return 0;
}
