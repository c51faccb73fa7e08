// bench_gpu_check: the correctness half of bench/gpu/run.sh (issue 15), runnable on any machine.
//  1. The offline learners' first N updates on the CPU fast path and on --device with the torch
//     path (OfflineOptions::kernels), from the same seed and batches (TD3+BC's target noise is
//     drawn on the CPU, so the streams agree): prints the largest loss difference per learner
//     and fails above --tolerance.
//  2. A 1-rank round trip through the collective of --device (NCCL for cuda, MPI for cpu):
//     all-reduce sum and mean, broadcast, all-gather of a device tensor, each checked against the
//     input; then GradientSync's broadcast and gradient averaging on a learner's flat buffer.
//     With one rank GradientSync returns without calling the collective, so step 2 calls the
//     collective directly first: that is the part NCCL runs.
// Usage: bench_gpu_check [--device cuda] [--updates 100] [--tolerance 1e-3] [--batch 256]
// Exit status 0 when every check passes, 1 otherwise.
#include <fmt/core.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "algos/offline/learner.h"
#include "comm/collective_factory.h"
#include "comm/context.h"
#include "comm/gradient_sync.h"

using namespace relabel;

namespace {

algos::Batch check_batch(int64_t n, int64_t obs, int64_t act, uint64_t seed) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  algos::Batch b;
  b.obs = torch::randn({n, obs}, gen);
  b.actions = torch::rand({n, act}, gen) * 1.8 - 0.9;
  b.rewards = torch::randn({n}, gen);
  b.next_obs = torch::randn({n, obs}, gen);
  b.dones = (torch::rand({n}, gen) < 0.2).to(torch::kFloat32);
  return b;
}

// Largest |loss difference| over the first `updates` updates, CPU fast path vs `device`.
double loss_difference(const std::string& algo, const std::string& device, int updates,
                       int64_t batch) {
  algos::OfflineOptions o;
  o.algo = algo;
  o.obs_dim = 11;  // hopper's dimensions, the default 256x256 networks
  o.act_dim = 3;
  o.total_steps = updates;
  o.seed = 7;
  algos::NoSync none;
  o.kernels = "fast";
  auto cpu = algos::make_offline_learner(o, none);
  o.kernels = "torch";
  o.device = device;
  auto dev = algos::make_offline_learner(o, none);
  double largest = 0;
  for (int i = 0; i < updates; ++i) {
    const auto b = check_batch(batch, 11, 3, 1000 + i);
    const auto mc = cpu->update(b).values(), md = dev->update(b).values();
    for (const auto& [k, v] : mc) {
      const double d = md.count(k) ? std::abs(md.at(k) - v) : INFINITY;
      largest = std::max(largest, d);
    }
  }
  return largest;
}

bool collective_round_trip(comm::Collective& c) {
  const auto opts = torch::TensorOptions().device(c.device());
  const auto x = torch::arange(1, 1025, opts.dtype(torch::kFloat32));
  bool ok = true;
  auto report = [&](const char* what, bool pass) {
    fmt::print("  {:<44} {}\n", what, pass ? "ok" : "FAILED");
    ok = ok && pass;
  };
  auto sum = x.clone();
  c.all_reduce(sum, comm::ReduceOp::Sum);
  report("all_reduce sum equals size x input", torch::equal(sum.cpu(), (x * c.size()).cpu()));
  auto mean = x.clone();
  c.all_reduce(mean, comm::ReduceOp::Mean);
  report("all_reduce mean equals the input", torch::allclose(mean.cpu(), x.cpu()));
  auto b = c.rank() == 0 ? x.clone() : torch::zeros_like(x);
  c.broadcast(b, 0);
  report("broadcast from rank 0", torch::equal(b.cpu(), x.cpu()));
  const auto g = c.all_gather(x.view({1, -1}));
  report("all_gather rows", g.size(0) == c.size() && torch::equal(g[0].cpu(), x.cpu()));

  // GradientSync on a learner's flat buffers on this device.
  comm::GradientSync sync(c);
  algos::OfflineOptions o;
  o.obs_dim = 11;
  o.act_dim = 3;
  o.device = c.device().str();
  auto l = algos::make_offline_learner(o, sync);  // broadcast_parameters at construction
  const auto m = l->update(check_batch(256, 11, 3, 5)).values();  // average_gradients
  report("GradientSync broadcast + average in an update", std::isfinite(m.at("q_loss")));
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  std::string device = "cuda";
  int updates = 100;
  double tolerance = 1e-3;
  int64_t batch = 256;
  for (int i = 1; i + 1 < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--device") device = argv[++i];
    if (a == "--updates") updates = std::stoi(argv[++i]);
    if (a == "--tolerance") tolerance = std::stod(argv[++i]);
    if (a == "--batch") batch = std::stoll(argv[++i]);
  }
  comm::Context ctx(&argc, &argv);
  torch::manual_seed(0);
  bool ok = true;
  fmt::print("bench_gpu_check: device {}, {} updates at batch {}, tolerance {:g}\n", device,
             updates, batch, tolerance);
  for (const char* algo : {"iql", "td3bc", "bc"}) {
    const double d = loss_difference(algo, device, updates, batch);
    const bool pass = d <= tolerance;
    fmt::print("  {:<6} largest loss difference, CPU fast vs {} torch: {:.3g}  {}\n", algo, device,
               d, pass ? "ok" : "FAILED");
    ok = ok && pass;
  }
  auto collective = comm::make_collective(device, ctx.local_rank(), MPI_COMM_WORLD);
  fmt::print("collective on {} ({} rank(s)):\n", collective->device().str(), collective->size());
  ok = collective_round_trip(*collective) && ok;
  fmt::print("{}\n", ok ? "all checks passed" : "SOME CHECKS FAILED");
  return ok ? 0 : 1;
}
