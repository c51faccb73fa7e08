// bench_offline: update throughput of the offline learners at hopper dims (obs 11, act 3,
// 256x256 MLPs, batch 256) against the single-core GEMM peak of the same BLAS measured in the
// same run, and against a plain autograd + torch::optim::Adam implementation (the baseline).
// Usage: bench_offline [--threads N] [--repeats R] [--updates U] [--no-baseline]
//        bench_offline --profile iql|td3bc|bc --updates U   (just the updates, for perf record)
//        mpirun -np 2 bench_offline   (data-parallel: global batch 256 per rank vs 1 rank)
//        bench_offline --device cuda [--batches 256,4096,16384] [--kernels auto|fast|torch]
//          (updates/s on a device, batches resident there, against its measured GEMM rate)
#include <fmt/core.h>
#include <fmt/format.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <ctime>
#include <functional>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include <mpi.h>

#include "algos/nets/mlp.h"
#include "algos/offline/learner.h"
#include "comm/collective_factory.h"
#include "comm/context.h"
#include "comm/gradient_sync.h"
#include "comm/idle_barrier.h"
#include "comm/mpi_collective.h"

using namespace relabel::algos;

namespace {

constexpr int64_t kObs = 11, kAct = 3, kHidden = 256, kBatch = 256;

// The machine may be shared. With one torch thread the clock is this process's CPU time (immune
// to being descheduled); with more threads, wall-clock time. Interference that CPU time cannot
// remove (a busy SMT sibling, shared caches) is handled by pairing: every chunk of updates is
// followed by a peak-GEMM probe and the ratio is taken per repeat.
bool g_cpu_clock = true;
double now() {
  if (g_cpu_clock) {
    timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// One GEMM C(M, N) = op(A) op(B) with inner size K; ta/tb: operand stored transposed (as the
// backward's A^T G and G W^T are). extra_k / extra_m: the executed shape has one more inner
// (forward: the bias row) or output row (weight gradient: the bias gradient) than the model's;
// flops() counts the model's. As in FastMlp, N = 1 runs as gemv and K = 1 as a broadcast product.
struct Gemm {
  int64_t m, k, n;
  bool ta = false, tb = false;
  int extra_k = 0, extra_m = 0;
  double flops() const { return 2.0 * m * n * k; }
};

struct GemmBuffers {
  torch::Tensor a, b, c, c_vec, b_vec;
  explicit GemmBuffers(const Gemm& g) {
    const int64_t m = g.m + g.extra_m, k = g.k + g.extra_k;
    a = g.ta ? torch::randn({k, m}).t() : torch::randn({m, k});
    b = g.tb ? torch::randn({g.n, k}).t() : torch::randn({k, g.n});
    c = torch::empty({m, g.n});
    if (g.n == 1) {
      c_vec = c.view({m});
      b_vec = b.reshape({k});
    }
  }
  void run() {
    if (c_vec.defined())
      at::mv_out(c_vec, a, b_vec);
    else if (a.size(1) == 1)
      at::mul_out(c, a, b);
    else
      at::mm_out(c, a, b);
  }
};

// (median, best) GFLOP/s of one GEMM shape.
std::pair<double, double> gemm_rate(const Gemm& g, int repeats) {
  GemmBuffers buf(g);
  const int calls = std::max(1, static_cast<int>(5e7 / g.flops()));
  buf.run();
  std::vector<double> t;
  for (int r = 0; r < std::max(repeats, 9); ++r) {
    const double t0 = now();
    for (int i = 0; i < calls; ++i) buf.run();
    t.push_back((now() - t0) / calls);
  }
  return {g.flops() / median(t) / 1e9, g.flops() / *std::min_element(t.begin(), t.end()) / 1e9};
}

// The GEMMs of one MLP pass, by the same rules as FastMlp ([W; b] stored (in + 1, out)).
void mlp_forward(std::vector<Gemm>& out, std::vector<int64_t> sizes) {
  for (size_t l = 0; l + 1 < sizes.size(); ++l)
    out.push_back({kBatch, sizes[l], sizes[l + 1], false, false, 1, 0});
}
void mlp_backward(std::vector<Gemm>& out, std::vector<int64_t> sizes, bool weight_grads,
                  int64_t input_cols) {
  for (size_t l = sizes.size() - 1; l-- > 0;) {
    if (weight_grads)
      out.push_back({sizes[l], kBatch, sizes[l + 1], true, false, 0, 1});  // [A 1]^T G
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

Batch random_batch(at::Generator& gen, int64_t rows = kBatch) {
  Batch b;
  b.obs = torch::randn({rows, kObs}, gen);
  b.actions = torch::rand({rows, kAct}, gen) * 2 - 1;
  b.rewards = torch::randn({rows}, gen);
  b.next_obs = torch::randn({rows, kObs}, gen);
  b.dones = (torch::rand({rows}, gen) < 0.01).to(torch::kFloat32);
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

// Seconds for exactly these GEMMs with hot caches: each distinct shape timed on its own
// (median), times its multiplicity. What an update that did nothing but its GEMMs would take.
double gemm_floor(const std::vector<Gemm>& gs) {
  std::map<std::tuple<int64_t, int64_t, int64_t, bool, bool, int, int>, int> count;
  for (const auto& g : gs) ++count[{g.m, g.k, g.n, g.ta, g.tb, g.extra_k, g.extra_m}];
  double t = 0;
  for (const auto& [key, n] : count) {
    const auto [m, k, nn, ta, tb, ek, em] = key;
    const Gemm g{m, k, nn, ta, tb, ek, em};
    GemmBuffers buf(g);
    const int calls = std::max(1, static_cast<int>(2e7 / g.flops()));
    buf.run();
    std::vector<double> ts;
    for (int r = 0; r < 9; ++r) {
      const double t0 = now();
      for (int i = 0; i < calls; ++i) buf.run();
      ts.push_back((now() - t0) / calls);
    }
    t += n * median(ts);
  }
  return t;
}

struct Paired {
  double ups, gflops, pct_peak, best_pct_peak, peak;
};

// `repeats` runs of `updates` updates after a warm-up. Each run is cut into chunks of 20
// updates, each followed by one timed 1024^3 GEMM (the peak probe). Per run: updates/s, the
// run's median peak and their ratio; reported: medians over runs (and the best ratio).
Paired measure(const std::function<void(const Batch&)>& update, double flops, int updates,
               int repeats) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(1);
  std::vector<Batch> batches;
  for (int i = 0; i < 16; ++i) batches.push_back(random_batch(gen));
  for (int i = 0; i < 20; ++i) update(batches[i % 16]);
  GemmBuffers peak_buf(Gemm{1024, 1024, 1024});
  const double peak_flops = 2.0 * 1024 * 1024 * 1024;
  std::vector<double> ups, peaks, ratios;
  for (int r = 0; r < repeats; ++r) {
    double t_upd = 0;
    std::vector<double> t_peak;
    for (int done = 0; done < updates;) {
      const int chunk = std::min(20, updates - done);
      double t0 = now();
      for (int i = 0; i < chunk; ++i) update(batches[(done + i) % 16]);
      t_upd += now() - t0;
      done += chunk;
      t0 = now();
      peak_buf.run();
      t_peak.push_back(now() - t0);
    }
    const double u = updates / t_upd, p = peak_flops / median(t_peak);
    ups.push_back(u);
    peaks.push_back(p);
    ratios.push_back(u * flops / p);
  }
  return {median(ups), median(ups) * flops / 1e9, 100 * median(ratios),
          100 * *std::max_element(ratios.begin(), ratios.end()), median(peaks) / 1e9};
}

// Splits the time in average_gradients into waiting for the slower rank (a barrier first) and
// the all-reduce itself: where the data-parallel overhead goes.
class TimedSync final : public GradSync {
 public:
  TimedSync(GradSync& inner, MPI_Comm comm) : inner_(inner), comm_(comm) {}
  void broadcast_parameters(const std::vector<at::Tensor>& p) override {
    inner_.broadcast_parameters(p);
  }
  void average_gradients(const std::vector<at::Tensor>& p) override {
    const double t0 = now();
    MPI_Barrier(comm_);
    const double t1 = now();
    inner_.average_gradients(p);
    wait += t1 - t0;
    reduce += now() - t1;
    ++calls;
  }
  int world_size() const override { return inner_.world_size(); }
  void all_reduce_sum(double* v, int n) override { inner_.all_reduce_sum(v, n); }
  double wait = 0, reduce = 0;
  long calls = 0;

 private:
  GradSync& inner_;
  MPI_Comm comm_;
};

// A barrier that sleeps instead of spinning (comm/idle_barrier.h) over a raw communicator.
void idle_wait(MPI_Comm comm) {
  relabel::comm::MpiCollective group(comm);
  relabel::comm::idle_barrier(group, 1);
}

// One timed repeat of `updates` updates, wall clock; with several ranks the slowest rank's time.
struct Timed {
  std::function<void(const Batch&)> update;
  MPI_Comm comm;
  std::vector<Batch> batches;
  double once(int updates) {
    idle_wait(comm);  // the ranks share the machine with the work: no spinning
    const double t0 = now();
    for (int i = 0; i < updates; ++i) update(batches[i % batches.size()]);
    double t = now() - t0;
    MPI_Allreduce(MPI_IN_PLACE, &t, 1, MPI_DOUBLE, MPI_MAX, comm);
    return updates / t;
  }
};

Timed make_timed(std::function<void(const Batch&)> update, MPI_Comm comm, int seed) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  Timed t{std::move(update), comm, {}};
  for (int i = 0; i < 16; ++i) t.batches.push_back(random_batch(gen));
  for (int i = 0; i < 20; ++i) t.update(t.batches[i % 16]);  // warm-up
  return t;
}

// Data-parallel throughput: P ranks with batch 256 each (global 256 P), gradients averaged by
// relabel::comm::GradientSync (one bucket per flat buffer), against one rank with batch 256. The
// four measurements (1 rank alone, P ranks without exchange, P ranks with GradientSync, and the
// same with a barrier first to split waiting from reducing) take turns within every repeat, so a
// change in the machine's speed during the run hits them alike; ratios are medians of the
// per-repeat ratios.
int data_parallel(relabel::comm::Context& ctx, int updates, int repeats) {
  g_cpu_clock = false;
  auto collective = relabel::comm::make_collective(ctx, MPI_COMM_WORLD);
  relabel::comm::GradientSync gsync(*collective);
  if (ctx.is_root())
    fmt::print(
        "bench_offline data-parallel: {} ranks, 1 torch thread each, batch {} per rank; "
        "{} repeats of {} updates, wall clock, the four rows of an algorithm interleaved per "
        "repeat\n\n{:<8} {:>6} {:>13} {:>10} {:>10} {:>12}\n",
        ctx.size(), kBatch, repeats, updates, "algo", "ranks", "global batch", "updates/s",
        "samples/s", "vs 1 rank");
  for (const char* algo : {"iql", "td3bc"}) {
    OfflineOptions o;
    o.obs_dim = kObs;
    o.act_dim = kAct;
    o.hidden = kHidden;
    o.algo = algo;
    NoSync none;
    std::unique_ptr<OfflineLearner> single_l;
    Timed single;
    if (ctx.is_root()) {
      single_l = make_offline_learner(o, none);
      single = make_timed([&](const Batch& b) { single_l->update(b); }, MPI_COMM_SELF, 1);
    }
    auto independent = make_offline_learner(o, none);
    auto alone =
        make_timed([&](const Batch& b) { independent->update(b); }, MPI_COMM_WORLD, 1 + ctx.rank());
    o.rank = ctx.rank();
    auto l = make_offline_learner(o, gsync);
    auto dp = make_timed([&](const Batch& b) { l->update(b); }, MPI_COMM_WORLD, 1 + ctx.rank());
    TimedSync timed(gsync, MPI_COMM_WORLD);
    auto lt = make_offline_learner(o, timed);
    auto dpt = make_timed([&](const Batch& b) { lt->update(b); }, MPI_COMM_WORLD, 1 + ctx.rank());
    timed.wait = timed.reduce = 0;
    timed.calls = 0;
    std::vector<double> u1, ua, ud, ut, r_alone, r_dp, r_dpt, r_ceil;
    for (int r = 0; r < repeats; ++r) {
      double one = 0;
      if (ctx.is_root()) one = single.once(updates);  // the other ranks wait without spinning
      idle_wait(MPI_COMM_WORLD);
      const double a = alone.once(updates), d = dp.once(updates), t = dpt.once(updates);
      u1.push_back(one), ua.push_back(a), ud.push_back(d), ut.push_back(t);
      const double p = ctx.size();
      if (one > 0) r_alone.push_back(a * p / one), r_dp.push_back(d * p / one);
      if (one > 0) r_dpt.push_back(t * p / one);
      r_ceil.push_back(d / a);
    }
    double split[2] = {1e3 * timed.wait / timed.calls, 1e3 * timed.reduce / timed.calls};
    std::vector<double> all(2 * ctx.size());
    MPI_Gather(split, 2, MPI_DOUBLE, all.data(), 2, MPI_DOUBLE, 0, MPI_COMM_WORLD);
    if (ctx.is_root()) {
      const int p = ctx.size();
      fmt::print("{:<8} {:>6} {:>13} {:>10.1f} {:>10.0f} {:>12}\n", algo, 1, kBatch, median(u1),
                 median(u1) * kBatch, "1.00x");
      fmt::print("{:<8} {:>6} {:>13} {:>10.1f} {:>10.0f} {:>11.2f}x   no exchange (ceiling)\n",
                 algo, p, kBatch * p, median(ua), median(ua) * kBatch * p, median(r_alone));
      fmt::print(
          "{:<8} {:>6} {:>13} {:>10.1f} {:>10.0f} {:>11.2f}x   GradientSync: {:.0f}% of "
          "the ceiling; per repeat: {}\n",
          algo, p, kBatch * p, median(ud), median(ud) * kBatch * p, median(r_dp),
          100.0 * median(r_ceil), fmt::format("{:.2f}", fmt::join(r_dp, " ")));
      std::string per_rank;
      for (int r = 0; r < p; ++r)
        per_rank += fmt::format("  rank {}: wait {:.3f} ms, all-reduce {:.3f} ms", r, all[2 * r],
                                all[2 * r + 1]);
      fmt::print(
          "{:<8} {:>6} {:>13} {:>10.1f} {:>10.0f} {:>11.2f}x   barrier then GradientSync, "
          "per update:{}\n",
          algo, p, kBatch * p, median(ut), median(ut) * kBatch * p, median(r_dpt), per_rank);
    }
  }
  return 0;
}

// --device: IQL and TD3+BC updates/s on `device` at each batch size, the batches already on the
// device (what the learner costs, not the data path), wall clock; reading the last update's
// losses waits for the device, so the time covers the work queued. Against the device's float32
// GEMM rate measured here (one square matmul, n = 8192 on a GPU, 1024 on the CPU).
int device_throughput(const std::string& device, const std::string& kernels,
                      const std::vector<int64_t>& batches, int updates) {
  g_cpu_clock = false;
  const auto dev = torch::Device(device);
  const int64_t n = dev.is_cpu() ? 1024 : 8192;
  const auto a = torch::randn({n, n}, torch::TensorOptions().device(dev));
  auto c = torch::mm(a, a);
  (void)c.sum().item<float>();
  const int reps = dev.is_cpu() ? 3 : 20;
  double t0 = now();
  for (int i = 0; i < reps; ++i) c = torch::mm(a, a);
  (void)c.sum().item<float>();
  const double gemm_gflops = 2.0 * n * n * n * reps / (now() - t0) / 1e9;
  fmt::print(
      "bench_offline --device {}: kernels {}, obs {}, act {}, hidden {}x{}; GEMM {}^3: "
      "{:.0f} GFLOP/s\n\n{:<8} {:>7} {:>11} {:>12} {:>9} {:>10}\n",
      device, kernels, kObs, kAct, kHidden, kHidden, n, gemm_gflops, "algo", "batch", "updates/s",
      "samples/s", "GFLOP/s", "% of GEMM");
  for (const char* algo : {"iql", "td3bc"}) {
    for (int64_t rows : batches) {
      OfflineOptions o;
      o.obs_dim = kObs;
      o.act_dim = kAct;
      o.hidden = kHidden;
      o.algo = algo;
      o.device = device;
      o.kernels = kernels;
      NoSync none;
      auto l = make_offline_learner(o, none);
      auto gen = at::make_generator<at::CPUGeneratorImpl>(1);
      std::vector<Batch> bs;
      for (int i = 0; i < 4; ++i) {
        auto b = random_batch(gen, rows);
        bs.push_back({b.obs.to(dev), b.actions.to(dev), b.rewards.to(dev), b.next_obs.to(dev),
                      b.dones.to(dev)});
      }
      for (int i = 0; i < 10; ++i) l->update(bs[i % 4]);  // warm-up (allocator, kernels)
      (void)l->update(bs[0]).values();
      const double t = now();
      Metrics last;
      for (int i = 0; i < updates; ++i) last = l->update(bs[i % 4]);
      (void)last.values();
      const double ups = updates / (now() - t);
      const double gflops = ups * l->update_flops(rows) / 1e9;
      fmt::print("{:<8} {:>7} {:>11.1f} {:>12.0f} {:>9.1f} {:>9.1f}%\n", algo, rows, ups,
                 ups * rows, gflops, 100 * gflops / gemm_gflops);
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 1, repeats = 5, updates = 200;
  bool baseline = true;
  std::string profile;  // --profile ALGO: only run `updates` updates of ALGO (for perf record)
  std::string device, kernels = "auto";
  std::vector<int64_t> batches = {256, 4096, 16384};
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--no-baseline") baseline = false;
    if (i + 1 >= argc) continue;
    if (a == "--profile") profile = argv[++i];
    if (a == "--threads") threads = std::stoi(argv[++i]);
    if (a == "--repeats") repeats = std::stoi(argv[++i]);
    if (a == "--updates") updates = std::stoi(argv[++i]);
    if (a == "--device") device = argv[++i];
    if (a == "--kernels") kernels = argv[++i];
    if (a == "--batches") {
      batches.clear();
      const std::string list = argv[++i];
      for (size_t at = 0; at < list.size();) {
        const size_t comma = std::min(list.find(',', at), list.size());
        batches.push_back(std::stoll(list.substr(at, comma - at)));
        at = comma + 1;
      }
    }
  }
  relabel::comm::Context ctx(&argc, &argv);
  torch::set_num_threads(threads);
  torch::manual_seed(0);
  if (ctx.size() > 1) return data_parallel(ctx, updates, repeats);
  if (!device.empty()) return device_throughput(device, kernels, batches, updates);
  if (!profile.empty()) {
    NoSync none;
    OfflineOptions o;
    o.obs_dim = kObs;
    o.act_dim = kAct;
    o.hidden = kHidden;
    o.algo = profile;
    auto l = make_offline_learner(o, none);
    auto gen = at::make_generator<at::CPUGeneratorImpl>(1);
    std::vector<Batch> batches;
    for (int i = 0; i < 16; ++i) batches.push_back(random_batch(gen));
    const double t0 = now();
    for (int i = 0; i < updates; ++i) l->update(batches[i % 16]);
    fmt::print("{}: {} updates, {:.1f} updates/s\n", profile, updates, updates / (now() - t0));
    return 0;
  }
  g_cpu_clock = threads == 1;
  fmt::print(
      "bench_offline: torch threads {}, obs {}, act {}, hidden {}x{}, batch {}; {} repeats of {} "
      "updates; clock: {}\n\n",
      threads, kObs, kAct, kHidden, kHidden, kBatch, repeats, updates,
      g_cpu_clock ? "process CPU time" : "wall");

  fmt::print("{:<30} {:>12} {:>12}\n", "GEMM (M x K x N, op)", "median GF/s", "best GF/s");
  for (const Gemm& g : std::vector<Gemm>{{1024, 1024, 1024},
                                         {256, 256, 256},
                                         {256, 256, 256, true, false},
                                         {256, 256, 256, false, true},
                                         {256, 257, 256},
                                         {257, 256, 256, true, false},
                                         {256, 15, 256},
                                         {256, 12, 256},
                                         {15, 256, 256, true, false},
                                         {256, 257, 3},
                                         {256, 256, 3, false, true}}) {
    const auto [med, best] = gemm_rate(g, repeats);
    fmt::print(
        "{:<30} {:>12.1f} {:>12.1f}\n",
        fmt::format("{} x {} x {}{}{}", g.m, g.k, g.n, g.ta ? " A^T" : "", g.tb ? " B^T" : ""), med,
        best);
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
      "\nFLOPs per update, 2*M*N*K per weight GEMM: IQL {:.1f} MFLOP ({} GEMMs), TD3+BC {:.1f} "
      "MFLOP (averaged over the delayed actor step; {} GEMMs per 2 updates).\n"
      "The bias rides in the GEMMs as an extra row of ones (K = in + 1), 0.4% more work, not "
      "counted.\n",
      iql_flops / 1e6, iql_g.size(), td3_flops / 1e6, td3_g.size());
  if (std::abs(total_flops(iql_g) - iql_flops) > 1 ||
      std::abs(total_flops(td3_g) / 2 - td3_flops) > 1)
    fmt::print("WARNING: GEMM list and learner FLOP count disagree\n");

  const double iql_floor = gemm_floor(iql_g), td3_floor = gemm_floor(td3_g) / 2;
  const auto fi = measure([&](const Batch& b) { iql->update(b); }, iql_flops, updates, repeats);
  const auto ft = measure([&](const Batch& b) { td3->update(b); }, td3_flops, updates, repeats);
  Paired bi{}, bt{};
  if (baseline) {
    AutogradIql ag_iql;
    AutogradTd3Bc ag_td3;
    bi = measure([&](const Batch& b) { ag_iql.update(b); }, iql_flops, updates, repeats);
    bt = measure([&](const Batch& b) { ag_td3.update(b); }, td3_flops, updates, repeats);
  }

  fmt::print("\n{:<30} {:>10} {:>9} {:>10} {:>10} {:>10} {:>11} {:>9}\n", "update", "updates/s",
             "GFLOP/s", "peak GF/s", "% peak", "best %", "GEMM floor", "speed-up");
  auto row = [&](const char* name, const Paired& p, double floor, double base_ups) {
    fmt::print("{:<30} {:>10.1f} {:>9.1f} {:>10.1f} {:>9.1f}% {:>9.1f}% {:>10.1f}% {:>8.2f}x\n",
               name, p.ups, p.gflops, p.peak, p.pct_peak, p.best_pct_peak, 100 * floor * p.ups,
               base_ups > 0 ? p.ups / base_ups : 1.0);
  };
  row("IQL fast (flat, hand bwd)", fi, iql_floor, bi.ups);
  if (baseline) row("IQL autograd + optim::Adam", bi, iql_floor, 0);
  row("TD3+BC fast (flat, hand bwd)", ft, td3_floor, bt.ups);
  if (baseline) row("TD3+BC autograd + optim::Adam", bt, td3_floor, 0);
  fmt::print(
      "\n% peak: per repeat, achieved GFLOP/s over the median 1024^3 GEMM rate probed between "
      "its update chunks; median (and best) over repeats.\nTarget 0.8 x peak: IQL >= {:.0f} "
      "updates/s, TD3+BC >= {:.0f} updates/s at the measured peak.\nGEMM floor: the update's "
      "GEMMs timed shape by shape with hot caches, as a share of the update's time.\n",
      0.8 * fi.peak * 1e9 / iql_flops, 0.8 * ft.peak * 1e9 / td3_flops);
  return 0;
}
