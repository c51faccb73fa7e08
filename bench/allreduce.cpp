// bench_allreduce: all-reduce latency and bus bandwidth versus message size (MpiCollective
// against a raw MPI_Allreduce of the same bytes), and GradientSync's cost for the gradients of
// a 256x256 IQL network set against one raw MPI_Allreduce of the same bytes.
// Run: build/bench/bench_allreduce            (1 rank)
//      mpirun -np 2 build/bench/bench_allreduce [--max-mb 64] [--sizes-only|--sync-only]
// busbw = algbw * 2(n-1)/n with algbw = bytes / time of the collective's sum, as nccl-tests
// define it. "mean" is ReduceOp::Mean (what GradientSync uses) against the raw SUM: a ratio near
// 1 means the averaging costs nothing beyond the reduction.
#include <mpi.h>
#include <torch/torch.h>
#include <CLI/CLI.hpp>

#include <time.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <vector>

#include "algos/nets/mlp.h"
#include "comm/context.h"
#include "comm/gradient_sync.h"
#include "comm/mpi_collective.h"

using namespace relabel;

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// A timed call and optional untimed preparation before each call.
struct Candidate {
  std::function<void()> run;
  std::function<void()> setup = [] {};
};

struct Sample {
  double wall, cpu;
};

// The slowest rank's wall time and calling-thread CPU time for one call, ranks aligned by a
// barrier first. CPU time excludes the time this process waited for a core, which on a shared,
// oversubscribed machine is most of the noise.
// With calls > 1 the candidate runs that many times back to back (setup included, untimed only
// for the first) and the time per call is returned: its data stay in cache between calls.
Sample timed_once(const Candidate& c, MPI_Comm comm, int calls = 1) {
  c.setup();
  MPI_Barrier(comm);
  timespec c0{}, c1{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
  double t0 = MPI_Wtime();
  c.run();
  for (int i = 1; i < calls; ++i) {
    c.setup();
    c.run();
  }
  double t[2] = {(MPI_Wtime() - t0) / calls, 0};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
  t[1] = (double(c1.tv_sec - c0.tv_sec) + 1e-9 * double(c1.tv_nsec - c0.tv_nsec)) / calls;
  MPI_Allreduce(MPI_IN_PLACE, t, 2, MPI_DOUBLE, MPI_MAX, comm);
  return {t[0], t[1]};
}

struct Timing {
  std::vector<double> wall, cpu;  // medians per candidate, seconds
  int reps = 0;
};

// Medians of each candidate's time per call, sampled interleaved so all see the same machine
// load. After warm-up the repeat count is chosen (the same on every rank) so the measurement
// takes about `budget_s`, between min_reps and max_reps.
Timing time_interleaved(const std::vector<Candidate>& cands, int min_reps, int max_reps,
                        MPI_Comm comm, double budget_s = 1.5, int calls = 1) {
  double round = 0;
  for (int i = 0; i < 3; ++i) {
    round = 0;
    for (auto& c : cands) round += timed_once(c, comm, calls).wall * calls;
  }
  Timing out;
  out.reps =
      static_cast<int>(std::clamp(budget_s / std::max(round, 1e-9), static_cast<double>(min_reps),
                                  static_cast<double>(max_reps)));
  std::vector<std::vector<double>> wall(cands.size()), cpu(cands.size());
  for (int i = 0; i < out.reps; ++i)
    for (size_t k = 0; k < cands.size(); ++k) {
      Sample s = timed_once(cands[k], comm, calls);
      wall[k].push_back(s.wall);
      cpu[k].push_back(s.cpu);
    }
  for (size_t k = 0; k < cands.size(); ++k) {
    out.wall.push_back(median(wall[k]));
    out.cpu.push_back(median(cpu[k]));
  }
  return out;
}

std::string human_bytes(int64_t b) {
  char buf[32];
  if (b >= (1 << 20))
    std::snprintf(buf, sizeof buf, "%lld MB", static_cast<long long>(b >> 20));
  else if (b >= (1 << 10))
    std::snprintf(buf, sizeof buf, "%lld KB", static_cast<long long>(b >> 10));
  else
    std::snprintf(buf, sizeof buf, "%lld B", static_cast<long long>(b));
  return buf;
}

void bench_sizes(relabel::comm::MpiCollective& world, int64_t max_bytes) {
  const int n = world.size();
  const double bus = n > 1 ? 2.0 * (n - 1) / n : 1.0;
  if (world.is_root()) {
    std::printf("all-reduce (float32 sum), %d rank(s); median of repeats after warm-up\n", n);
    std::printf("%10s %6s %11s %11s %10s %10s %8s %11s %9s\n", "size", "reps", "raw sum us",
                "coll sum us", "algbw GB/s", "busbw GB/s", "sum/raw", "coll mean us", "mean/raw");
  }
  for (int64_t bytes = 4; bytes <= max_bytes; bytes *= 4) {
    auto t = torch::ones({bytes / 4});
    std::vector<float> raw(static_cast<size_t>(bytes / 4), 1.0f);
    Candidate raw_call{[&] {
      MPI_Allreduce(MPI_IN_PLACE, raw.data(), static_cast<int>(raw.size()), MPI_FLOAT, MPI_SUM,
                    world.comm());
    }};
    Candidate coll_call{[&] { world.all_reduce(t, relabel::comm::ReduceOp::Sum); }};
    Candidate mean_call{[&] { world.all_reduce(t, relabel::comm::ReduceOp::Mean); }};
    auto timing = time_interleaved({raw_call, coll_call, mean_call}, 5, 1000, world.comm());
    const auto& m = timing.wall;
    int reps = timing.reps;
    double algbw = m[1] > 0 ? bytes / m[1] / 1e9 : 0;
    if (world.is_root())
      std::printf("%10s %6d %11.2f %11.2f %10.3f %10.3f %8.3f %11.2f %9.3f\n",
                  human_bytes(bytes).c_str(), reps, m[0] * 1e6, m[1] * 1e6, algbw, algbw * bus,
                  m[0] > 0 ? m[1] / m[0] : 0, m[2] * 1e6, m[0] > 0 ? m[2] / m[0] : 0);
  }
}

// IQL at 256x256 for obs 11, act 3: twin Q MLP[14,256,256,1] x2, V MLP[11,256,256,1] and the
// actor MLP[11,256,256,3].
std::vector<torch::Tensor> iql_parameters() {
  std::vector<algos::Mlp> nets = {algos::make_mlp(14, 256, 2, 1), algos::make_mlp(14, 256, 2, 1),
                                  algos::make_mlp(11, 256, 2, 1), algos::make_mlp(11, 256, 2, 3)};
  std::vector<torch::Tensor> params;
  for (auto& net : nets)
    for (auto& p : net->parameters()) params.push_back(p);
  return params;
}

void bench_gradient_sync(relabel::comm::MpiCollective& world) {
  auto params = iql_parameters();
  int64_t numel = 0;
  for (auto& p : params) {
    p.mutable_grad() = torch::randn_like(p);
    numel += p.numel();
  }
  std::vector<float> raw(static_cast<size_t>(numel), 1.0f);
  auto raw_fn = [&] {
    MPI_Allreduce(MPI_IN_PLACE, raw.data(), static_cast<int>(raw.size()), MPI_FLOAT, MPI_SUM,
                  world.comm());
  };
  relabel::comm::GradientSync sync_default(world);  // 25 MB buckets: one bucket here
  relabel::comm::GradientSync sync_small(world, relabel::comm::GradientSyncOptions{256u << 10});
  relabel::comm::GradientSync sync_fresh(world);
  // zero_grad(set_to_none) hands autograd's fresh gradient tensors to every step: they are
  // copied into the bucket. Otherwise gradients stay in the bucket between steps.
  std::vector<torch::Tensor> fresh;
  for (auto& p : params) fresh.push_back(p.grad().clone());
  auto set_fresh = [&] {
    for (size_t i = 0; i < params.size(); ++i) params[i].mutable_grad() = fresh[i];
  };
  // The floor of GradientSync's own work: one scaling pass over the same bytes.
  auto scratch = torch::ones({numel});
  const std::vector<Candidate> cands = {{raw_fn},
                                        {[&] { sync_default.average_gradients(params); }},
                                        {[&] { sync_small.average_gradients(params); }},
                                        {[&] { sync_fresh.average_gradients(params); }, set_fresh},
                                        {[&] { scratch.mul_(0.5); }}};
  const char* names[] = {
      "raw MPI_Allreduce (same bytes)", "GradientSync, 25 MB buckets (grads in bucket)",
      "GradientSync, 256 KB buckets (grads in bucket)", "GradientSync, 25 MB buckets (fresh grads)",
      "one scaling pass over the bytes (floor)"};
  // Two regimes: single calls interleaved across the five candidates (each call finds its
  // 1.1 MB partly evicted from the 1 MB L2 by the others: the cold case), and blocks of 16
  // calls per candidate (warm, as in training, where backward has just written the gradients).
  for (int calls : {1, 16}) {
    auto m = time_interleaved(cands, 50, calls == 1 ? 1000 : 200, world.comm(), 6.0, calls);
    if (!world.is_root()) continue;
    std::printf(
        "\nGradientSync on the IQL 256x256 set (%lld params, %.2f MB, %d rank(s)), %s, "
        "medians of %d\n",
        static_cast<long long>(numel), numel * 4 / 1e6, world.size(),
        calls == 1 ? "single calls interleaved (cold)" : "blocks of 16 calls (warm)", m.reps);
    std::printf("%-48s %10s %8s %10s %8s\n", "", "wall us", "vs raw", "cpu us", "vs raw");
    for (size_t k = 0; k < 5; ++k)
      std::printf("%-48s %10.2f %8.3f %10.2f %8.3f\n", names[k], m.wall[k] * 1e6,
                  m.wall[0] > 0 ? m.wall[k] / m.wall[0] : 0, m.cpu[k] * 1e6,
                  m.cpu[0] > 0 ? m.cpu[k] / m.cpu[0] : 0);
  }
  if (!world.is_root()) return;
  std::printf("target: GradientSync (25 MB) <= 1.10 x raw\n");
}

}  // namespace

int main(int argc, char** argv) {
  relabel::comm::Context ctx(&argc, &argv);
  CLI::App app{"bench_allreduce: all-reduce latency/bandwidth and GradientSync overhead"};
  int64_t max_mb = 64;
  bool sizes_only = false, sync_only = false;
  app.add_option("--max-mb", max_mb, "largest message of the size sweep, in MB (power of 4)");
  app.add_flag("--sizes-only", sizes_only, "only the size sweep");
  app.add_flag("--sync-only", sync_only, "only the GradientSync comparison");
  CLI11_PARSE(app, argc, argv);
  relabel::comm::MpiCollective world(ctx.world());
  if (!sync_only) bench_sizes(world, max_mb << 20);
  if (!sizes_only) bench_gradient_sync(world);
  return 0;
}
