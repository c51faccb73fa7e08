// bench_offline: update throughput of the offline learners at hopper dims (obs 11, act 3,
// 256x256 MLPs, batch 256) against the single-core GEMM peak of the same BLAS measured in the
// same run, and against a plain autograd + torch::optim::Adam implementation (the baseline).
// Usage: bench_offline [--threads N] [--repeats R] [--updates U]
#include <fmt/core.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <ctime>
#include <functional>
#include <string>
#include <vector>

#include "algos/nets/mlp.h"
#include "algos/offline/learner.h"

using namespace relabel::algos;

namespace {

constexpr int64_t kObs = 11, kAct = 3, kHidden = 256, kBatch = 256;

double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// One GEMM C(M, N) = op(A) op(B) with inner size K; ta/tb: operand stored transposed (as the
// backward's A^T G and G W^T are).
struct Gemm {
  int64_t m, k, n;
  bool ta = false, tb = false;
  double flops() const { return 2.0 * m * n * k; }
};

struct GemmBuffers {
  torch::Tensor a, b, c;
  explicit GemmBuffers(const Gemm& g) {
    a = g.ta ? torch::randn({g.k, g.m}).t() : torch::randn({g.m, g.k});
    b = g.tb ? torch::randn({g.n, g.k}).t() : torch::randn({g.k, g.n});
    c = torch::empty({g.m, g.n});
  }
  void run() { at::mm_out(c, a, b); }
};

// Median seconds per call of `fn` over `repeats` timings of `calls` calls each.
double time_per_call(const std::function<void()>& fn, int calls, int repeats) {
  fn();
  std::vector<double> t;
  for (int r = 0; r < repeats; ++r) {
    const double t0 = now();
    for (int i = 0; i < calls; ++i) fn();
    t.push_back((now() - t0) / calls);
  }
  return median(t);
}

double gemm_rate(const Gemm& g, int repeats) {
  GemmBuffers buf(g);
  const int calls = std::max(1, static_cast<int>(2e8 / g.flops()));
  return g.flops() / time_per_call([&] { buf.run(); }, calls, repeats);
}

// The GEMMs of one MLP pass, by the same rules as FastMlp (weights (in, out)).
void mlp_forward(std::vector<Gemm>& out, std::vector<int64_t> sizes) {
  for (size_t l = 0; l + 1 < sizes.size(); ++l) out.push_back({kBatch, sizes[l], sizes[l + 1]});
}
void mlp_backward(std::vector<Gemm>& out, std::vector<int64_t> sizes, bool weight_grads,
                  int64_t input_cols) {
  for (size_t l = sizes.size() - 1; l-- > 0;) {
    if (weight_grads) out.push_back({sizes[l], kBatch, sizes[l + 1], true, false});  // A^T G
    const int64_t cols = l > 0 ? sizes[l] : input_cols;
    if (cols > 0) out.push_back({kBatch, sizes[l + 1], cols, false, true});  // G W^T
  }
}

std::vector<Gemm> iql_gemms() {
  const std::vector<int64_t> q{kObs + kAct, kHidden, kHidden, 1}, v{kObs, kHidden, kHidden, 1},
      pi{kObs, kHidden, kHidden, kAct};
  std::vector<Gemm> g;
  mlp_forward(g, v);                              // (1) V(s')
  for (int e = 0; e < 2; ++e) mlp_forward(g, q);  // (2) Q_target
  mlp_forward(g, v);
  mlp_backward(g, v, true, 0);
  for (int e = 0; e < 2; ++e) {  // (3)
    mlp_forward(g, q);
    mlp_backward(g, q, true, 0);
  }
  mlp_forward(g, pi);  // (5)
  mlp_backward(g, pi, true, 0);
  return g;
}

// Two TD3+BC updates: one critic-only, one with the delayed actor step.
std::vector<Gemm> td3bc_gemms_two_updates() {
  const std::vector<int64_t> q{kObs + kAct, kHidden, kHidden, 1}, pi{kObs, kHidden, kHidden, kAct};
  std::vector<Gemm> g;
  for (int u = 0; u < 2; ++u) {
    mlp_forward(g, pi);
    for (int e = 0; e < 4; ++e) mlp_forward(g, q);
    for (int e = 0; e < 2; ++e) mlp_backward(g, q, true, 0);
  }
  mlp_forward(g, pi);
  mlp_forward(g, q);
  mlp_backward(g, q, false, kAct);
  mlp_backward(g, pi, true, 0);
  return g;
}

double total_flops(const std::vector<Gemm>& gs) {
  double f = 0;
  for (const auto& g : gs) f += g.flops();
  return f;
}

// Seconds to run exactly these GEMMs back to back (preallocated): the floor an update can reach.
double gemm_floor(const std::vector<Gemm>& gs, int repeats) {
  std::vector<GemmBuffers> bufs;
  for (const auto& g : gs) bufs.emplace_back(g);
  return time_per_call(
      [&] {
        for (auto& b : bufs) b.run();
      },
      20, repeats);
}

Batch random_batch(at::Generator& gen) {
  Batch b;
  b.obs = torch::randn({kBatch, kObs}, gen);
  b.actions = torch::rand({kBatch, kAct}, gen) * 2 - 1;
  b.rewards = torch::randn({kBatch}, gen);
  b.next_obs = torch::randn({kBatch, kObs}, gen);
  b.dones = (torch::rand({kBatch}, gen) < 0.01).to(torch::kFloat32);
  return b;
}

// ---- Baseline: the straightforward implementation (torch::nn modules, autograd,
// torch::optim::Adam per network), as a port of the reference code would look.
struct AutogradIql {
  Mlp q1 = make_mlp(kObs + kAct, kHidden, 2, 1), q2 = make_mlp(kObs + kAct, kHidden, 2, 1);
  Mlp q1t = make_mlp(kObs + kAct, kHidden, 2, 1), q2t = make_mlp(kObs + kAct, kHidden, 2, 1);
  Mlp v = make_mlp(kObs, kHidden, 2, 1), pi = make_mlp(kObs, kHidden, 2, kAct, Activation::Tanh);
  torch::Tensor log_std = torch::zeros({kAct}, torch::requires_grad());
  std::vector<torch::Tensor> qp;
  std::unique_ptr<torch::optim::Adam> oq, ov, opi;
  AutogradIql() {
    qp = q1->parameters();
    for (auto& p : q2->parameters()) qp.push_back(p);
    auto pp = pi->parameters();
    pp.push_back(log_std);
    oq = std::make_unique<torch::optim::Adam>(qp, torch::optim::AdamOptions(3e-4));
    ov = std::make_unique<torch::optim::Adam>(v->parameters(), torch::optim::AdamOptions(3e-4));
    opi = std::make_unique<torch::optim::Adam>(pp, torch::optim::AdamOptions(3e-4));
  }
  void update(const Batch& b) {
    auto sa = torch::cat({b.obs, b.actions}, 1);
    torch::Tensor next_v, tq;
    {
      torch::NoGradGuard ng;
      next_v = v->forward(b.next_obs).squeeze(1);
      tq = torch::min(q1t->forward(sa), q2t->forward(sa)).squeeze(1);
    }
    auto adv = tq - v->forward(b.obs).squeeze(1);
    auto vl = torch::mean(torch::abs(0.7 - (adv < 0).to(torch::kFloat32)) * adv.pow(2));
    ov->zero_grad();
    vl.backward();
    ov->step();
    auto y = b.rewards + (1 - b.dones) * 0.99 * next_v;
    auto ql = (torch::mse_loss(q1->forward(sa).squeeze(1), y) +
               torch::mse_loss(q2->forward(sa).squeeze(1), y)) /
              2;
    oq->zero_grad();
    ql.backward();
    oq->step();
    {
      torch::NoGradGuard ng;
      auto src = qp;
      auto dst = q1t->parameters();
      for (auto& p : q2t->parameters()) dst.push_back(p);
      for (size_t i = 0; i < dst.size(); ++i) dst[i].mul_(1 - 0.005).add_(src[i], 0.005);
    }
    auto w = torch::exp(3.0 * adv.detach()).clamp_max(100);
    auto mu = pi->forward(b.obs);
    auto ls = log_std.clamp(-20, 2);
    auto lp = (-(b.actions - mu).pow(2) / (2 * torch::exp(2 * ls)) - ls).sum(-1);
    auto al = -(w * lp).mean();
    opi->zero_grad();
    al.backward();
    opi->step();
  }
};

struct AutogradTd3Bc {
  Mlp q1 = make_mlp(kObs + kAct, kHidden, 2, 1), q2 = make_mlp(kObs + kAct, kHidden, 2, 1);
  Mlp q1t = make_mlp(kObs + kAct, kHidden, 2, 1), q2t = make_mlp(kObs + kAct, kHidden, 2, 1);
  Mlp pi = make_mlp(kObs, kHidden, 2, kAct, Activation::Tanh);
  Mlp pit = make_mlp(kObs, kHidden, 2, kAct, Activation::Tanh);
  std::vector<torch::Tensor> qp, qtp;
  std::unique_ptr<torch::optim::Adam> oq, opi;
  int64_t it = 0;
  AutogradTd3Bc() {
    qp = q1->parameters();
    for (auto& p : q2->parameters()) qp.push_back(p);
    qtp = q1t->parameters();
    for (auto& p : q2t->parameters()) qtp.push_back(p);
    oq = std::make_unique<torch::optim::Adam>(qp, torch::optim::AdamOptions(3e-4));
    opi = std::make_unique<torch::optim::Adam>(pi->parameters(), torch::optim::AdamOptions(3e-4));
  }
  void update(const Batch& b) {
    ++it;
    torch::Tensor y;
    {
      torch::NoGradGuard ng;
      auto noise = (torch::randn_like(b.actions) * 0.2).clamp(-0.5, 0.5);
      auto na = (pit->forward(b.next_obs) + noise).clamp(-1, 1);
      auto nsa = torch::cat({b.next_obs, na}, 1);
      y = b.rewards +
          (1 - b.dones) * 0.99 * torch::min(q1t->forward(nsa), q2t->forward(nsa)).squeeze(1);
    }
    auto sa = torch::cat({b.obs, b.actions}, 1);
    auto cl = torch::mse_loss(q1->forward(sa).squeeze(1), y) +
              torch::mse_loss(q2->forward(sa).squeeze(1), y);
    oq->zero_grad();
    cl.backward();
    oq->step();
    if (it % 2) return;
    auto p = pi->forward(b.obs);
    auto q = q1->forward(torch::cat({b.obs, p}, 1));
    auto al = -(2.5 / q.abs().mean().detach()) * q.mean() + torch::mse_loss(p, b.actions);
    opi->zero_grad();
    al.backward();
    opi->step();
    torch::NoGradGuard ng;
    for (size_t i = 0; i < qtp.size(); ++i) qtp[i].mul_(1 - 0.005).add_(qp[i], 0.005);
    auto pt = pit->parameters(), ps = pi->parameters();
    for (size_t i = 0; i < pt.size(); ++i) pt[i].mul_(1 - 0.005).add_(ps[i], 0.005);
  }
};

// Median updates/s over `repeats` runs of `updates` updates, after a warm-up.
double updates_per_s(const std::function<void(const Batch&)>& update, int updates, int repeats) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(1);
  std::vector<Batch> batches;
  for (int i = 0; i < 16; ++i) batches.push_back(random_batch(gen));
  for (int i = 0; i < 20; ++i) update(batches[i % 16]);
  std::vector<double> rates;
  for (int r = 0; r < repeats; ++r) {
    const double t0 = now();
    for (int i = 0; i < updates; ++i) update(batches[i % 16]);
    rates.push_back(updates / (now() - t0));
  }
  return median(rates);
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 1, repeats = 5, updates = 200;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--threads")) threads = std::stoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--repeats")) repeats = std::stoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--updates")) updates = std::stoi(argv[i + 1]);
  }
  torch::set_num_threads(threads);
  torch::manual_seed(0);
  fmt::print(
      "bench_offline: torch threads {}, obs {}, act {}, hidden {}x{}, batch {}; medians of "
      "{} repeats\n\n",
      threads, kObs, kAct, kHidden, kHidden, kBatch, repeats);

  fmt::print("{:<34} {:>10}\n", "GEMM (M x K x N, op)", "GFLOP/s");
  const Gemm peak_shape{1024, 1024, 1024};
  const double peak = gemm_rate(peak_shape, repeats);
  fmt::print("{:<34} {:>10.1f}   <- peak\n", "1024 x 1024 x 1024", peak / 1e9);
  for (const Gemm& g : std::vector<Gemm>{{256, 256, 256},
                                         {256, 256, 256, true, false},
                                         {256, 256, 256, false, true},
                                         {256, 14, 256},
                                         {256, 11, 256},
                                         {14, 256, 256, true, false},
                                         {256, 256, 1},
                                         {256, 256, 3},
                                         {256, 1, 256, false, true},
                                         {256, 256, 3, false, true}}) {
    fmt::print(
        "{:<34} {:>10.1f}\n",
        fmt::format("{} x {} x {}{}{}", g.m, g.k, g.n, g.ta ? " A^T" : "", g.tb ? " B^T" : ""),
        gemm_rate(g, repeats) / 1e9);
  }

  NoSync sync;
  OfflineOptions o;
  o.obs_dim = kObs;
  o.act_dim = kAct;
  o.hidden = kHidden;
  o.algo = "iql";
  auto iql = make_offline_learner(o, sync);
  o.algo = "td3bc";
  auto td3 = make_offline_learner(o, sync);
  const double iql_flops = iql->update_flops(kBatch), td3_flops = td3->update_flops(kBatch);
  const auto iql_g = iql_gemms();
  const auto td3_g = td3bc_gemms_two_updates();
  fmt::print(
      "\nFLOPs per update (2*M*N*K per GEMM executed): IQL {:.1f} MFLOP ({} GEMMs), "
      "TD3+BC {:.1f} MFLOP (avg over the delayed actor step, {} GEMMs per 2 updates)\n",
      iql_flops / 1e6, iql_g.size(), td3_flops / 1e6, td3_g.size());
  if (std::abs(total_flops(iql_g) - iql_flops) > 1 ||
      std::abs(total_flops(td3_g) / 2 - td3_flops) > 1)
    fmt::print("WARNING: GEMM list and learner FLOP count disagree\n");
  const double iql_floor = gemm_floor(iql_g, repeats);
  const double td3_floor = gemm_floor(td3_g, repeats) / 2;

  const double iql_ups = updates_per_s([&](const Batch& b) { iql->update(b); }, updates, repeats);
  const double td3_ups = updates_per_s([&](const Batch& b) { td3->update(b); }, updates, repeats);
  AutogradIql ag_iql;
  AutogradTd3Bc ag_td3;
  const int base_updates = std::max(20, updates / 2);
  const double ag_iql_ups =
      updates_per_s([&](const Batch& b) { ag_iql.update(b); }, base_updates, repeats);
  const double ag_td3_ups =
      updates_per_s([&](const Batch& b) { ag_td3.update(b); }, base_updates, repeats);
  // Re-measure the peak after the runs: the machine is shared, report the pair's mean.
  const double peak2 = gemm_rate(peak_shape, repeats);
  const double peak_avg = (peak + peak2) / 2;

  fmt::print("\n{:<30} {:>10} {:>10} {:>9} {:>11} {:>12}\n", "update", "updates/s", "GFLOP/s",
             "% peak", "GEMM floor", "vs autograd");
  auto row = [&](const char* name, double ups, double flops, double floor, double base) {
    fmt::print("{:<30} {:>10.1f} {:>10.1f} {:>8.1f}% {:>10.1f}% {:>11.2f}x\n", name, ups,
               ups * flops / 1e9, 100 * ups * flops / peak_avg, floor > 0 ? 100 * floor * ups : 0.0,
               base > 0 ? ups / base : 1.0);
  };
  row("IQL fast (flat, hand bwd)", iql_ups, iql_flops, iql_floor, ag_iql_ups);
  row("IQL autograd + optim::Adam", ag_iql_ups, iql_flops, 0, 0);
  row("TD3+BC fast (flat, hand bwd)", td3_ups, td3_flops, td3_floor, ag_td3_ups);
  row("TD3+BC autograd + optim::Adam", ag_td3_ups, td3_flops, 0, 0);
  fmt::print(
      "\npeak 1024^3 GEMM: {:.1f} GFLOP/s before, {:.1f} after (mean {:.1f} used for % peak)"
      "\ntargets at 0.8 x peak: IQL {:.0f} updates/s, TD3+BC {:.0f} updates/s\n"
      "GEMM floor = time of exactly the update's GEMMs back to back (share of update time)\n",
      peak / 1e9, peak2 / 1e9, peak_avg / 1e9, 0.8 * peak_avg / iql_flops,
      0.8 * peak_avg / td3_flops);
  return 0;
}
