// relabel sweep SPEC.toml: expand a sweep and run it over MPI groups (mpirun -np P).
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <algorithm>

#include <cstdio>

#include "cli/commands.h"
#include "cli/option_checks.h"
#include "comm/context.h"
#include "config/config.h"
#include "core/error.h"
#include "core/log.h"
#include "io/output_location.h"
#include "run/stop_signals.h"
#include "sweeps/scheduler.h"
#include "sweeps/spec.h"

namespace relabel::cli {
namespace {

struct SweepArgs {
  std::string spec;
  std::string out;
  std::vector<std::string> overrides;
  bool dry_run = false;
  bool breadth_first = false;
  int64_t index = -1;
  int threads_per_rank = 0;  // 0: the spec's parallel.threads_per_rank
};

// The runs in the order a sweep claims them.
void print_dry_run(const sweeps::SweepSpec& spec, bool breadth_first) {
  std::printf("sweep %s: %zu runs, ranks_per_run %lld, directory %s\n", spec.name.c_str(),
              spec.runs.size(), static_cast<long long>(spec.ranks_per_run), spec.dir.c_str());
  for (int64_t i : sweeps::claim_order(spec, breadth_first)) {
    const auto& run = spec.runs[i];
    std::string values;
    for (const auto& [k, v] : run.params)
      values += (values.empty() ? "" : "  ") + k + "=" + value_text(v);
    std::printf("  %s  %s\n", run.id.c_str(), values.c_str());
  }
  std::printf("%zu runs\n", spec.runs.size());
}

int run_sweep_command(const SweepArgs& args, ProcessArgs process) {
  sweeps::SweepOptions options;
  options.overrides = args.overrides;
  options.out_dir = args.out;
  // Expansion and validation happen before MPI starts: errors exit 2 and nothing runs.
  sweeps::SweepSpec spec = sweeps::load_sweep(args.spec, options);
  if (args.dry_run) {
    print_dry_run(spec, args.breadth_first);
    return kExitOk;
  }
  if (spec.runs.empty()) throw Error(args.spec + ": the sweep expands to no runs");
  sweeps::check_sweep_directory(spec);
  relabel::io::prepare_output_location(spec.dir, "sweep directory");
  if (args.index >= 0) {
    // One run of the sweep on all ranks of this job (SLURM array mode: one run per task).
    if (args.index >= static_cast<int64_t>(spec.runs.size()))
      throw Error("--index " + std::to_string(args.index) + " but the sweep has " +
                  std::to_string(spec.runs.size()) + " runs");
  }
  relabel::comm::ContextOptions copts;
  const auto& first = spec.runs.front().config;
  copts.threads_per_rank = args.threads_per_rank > 0
                               ? args.threads_per_rank
                               : static_cast<int>(first.parallel.threads_per_rank);
  copts.device = first.parallel.device;
  relabel::comm::Context ctx(process.argc, process.argv, copts);
  relabel::init_logging(ctx.rank(), ctx.size());
  const auto& stop = relabel::run::install_stop_signal_handlers();
  if (ctx.is_root())
    spdlog::info("sweep {}: {} runs on {} ranks in groups of {} -> {}", spec.name, spec.runs.size(),
                 ctx.size(), spec.ranks_per_run, spec.dir);
  std::vector<int64_t> subset;
  if (args.index >= 0) subset.push_back(sweeps::claim_order(spec, args.breadth_first)[args.index]);
  auto counts = sweeps::run_sweep(spec, ctx, &stop, subset, args.breadth_first);
  if (!ctx.is_root()) return kExitOk;
  std::printf("sweep %s: %d done, %d failed, %d preempted, %d pending (of %zu) in %s\n",
              spec.name.c_str(), counts.done, counts.failed, counts.preempted, counts.pending,
              spec.runs.size(), spec.dir.c_str());
  if (counts.refused > 0)
    std::printf(
        "sweep %s: %d runs refused (their directories hold another config's or "
        "dataset's run; see above)\n",
        spec.name.c_str(), counts.refused);
  // Rank 0's own group: where its time went (bench_sweep reads this line).
  if (counts.runs > 0)
    std::printf(
        "sweep %s: rank 0 ran %d runs in %.2f s; scheduler overhead %.1f ms per run (%.2f%% of "
        "run time); final wait %.2f s\n",
        spec.name.c_str(), counts.runs, counts.run_seconds,
        1e3 * counts.scheduler_seconds / counts.runs,
        100.0 * counts.scheduler_seconds / std::max(counts.run_seconds, 1e-9),
        counts.final_wait_seconds);
  if (stop.load()) {
    std::printf("stopped by signal %d: rerun the same command to resume\n",
                relabel::run::stop_signal());
    return kExitOk;  // preemption is not a failure: the job can be requeued
  }
  if (counts.failed > 0) return kExitRunFailure;
  return counts.refused > 0 ? kExitUsage : kExitOk;
}

const CommandRegistrar kSweep(20, [](CLI::App& app, ProcessArgs process, int* exit_code) {
  auto args = std::make_shared<SweepArgs>();
  auto* cmd = app.add_subcommand("sweep", "Run a sweep of experiments over MPI rank groups");
  cmd->add_option("spec", args->spec, "sweep specification (TOML)")
      ->required()
      ->check(non_empty_path());
  cmd->add_option("--out", args->out, "sweep directory (default runs/<spec name>)")
      ->check(non_empty_path());
  cmd->add_option("--set", args->overrides, "override a base config key: --set train.steps=1000")
      ->take_all();
  cmd->add_flag("--dry-run", args->dry_run, "print the runs (id and swept values), run nothing");
  cmd->add_flag("--breadth-first", args->breadth_first,
                "claim the runs seed by seed (every cell's first seed, then every cell's second, "
                "...) so that a sweep stopped early has a result in every cell; ids unchanged");
  cmd->add_option(
         "--index", args->index,
         "run only the run at this position of the expansion, or of the breadth-first order "
         "with --breadth-first (SLURM array tasks)")
      ->check(whole_at_least(0));
  cmd->add_option("--threads-per-rank", args->threads_per_rank,
                  "torch threads per rank, overriding parallel.threads_per_rank for this process "
                  "(run ids are unchanged; the sbatch script passes --cpus-per-task)")
      ->check(whole_in(1, relabel::config::kMaxThreadsPerRank));
  cmd->callback([args, process, exit_code] { *exit_code = run_sweep_command(*args, process); });
});

}  // namespace
}  // namespace relabel::cli
