// relabel run CFG.toml: one experiment, alone or under mpirun -np P (docs/architecture.md).
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <utility>

#include "cli/commands.h"
#include "cli/option_checks.h"
#include "comm/collective_factory.h"
#include "comm/context.h"
#include "config/config_load.h"
#include "core/error.h"
#include "core/log.h"
#include "io/output_location.h"
#include "run/run_pipeline.h"
#include "run/stop_signals.h"

namespace relabel::cli {
namespace {

// "12.3", or what a run without an evaluation has instead of a score.
std::string score_text(const std::optional<double>& score) {
  return score ? fmt::format("{:.1f}", *score) : std::string("none: not evaluated");
}

struct RunArgs {
  std::string config;
  std::vector<std::string> overrides;
  std::string out;
  bool force = false;
  int64_t stop_at = -1;
  bool all_ranks_log = false;
  int threads_per_rank = 0;  // 0: the config's parallel.threads_per_rank
};

int run_run(const RunArgs& args, ProcessArgs process) {
  std::vector<std::string> overrides = args.overrides;
  if (!args.out.empty()) overrides.push_back("output.dir=" + args.out);
  // Validate before MPI starts: input errors exit 2 without touching the cluster.
  std::vector<relabel::config::UnusedKey> unused;
  relabel::config::RunConfig config =
      relabel::config::load_run_config(args.config, overrides, &unused);
  relabel::io::check_output_location(config.output.dir, "output.dir");
  // A sweep's or a dataset suite's directory is not a run's: the run's files would mix with theirs.
  for (const auto& [file, what] : {std::pair{"sweep.json", "a sweep's directory"},
                                   std::pair{"datagen.json", "a dataset suite's directory"}})
    if (std::filesystem::exists(config.output.dir + "/" + file))
      throw Error(fmt::format("output.dir {}: {} ({}); a run needs a directory of its own",
                              config.output.dir, what, file));
  relabel::io::prepare_output_location(config.output.dir, "output.dir");
  relabel::comm::ContextOptions copts;
  copts.threads_per_rank = args.threads_per_rank > 0
                               ? args.threads_per_rank
                               : static_cast<int>(config.parallel.threads_per_rank);
  copts.device = config.parallel.device;
  relabel::comm::Context ctx(process.argc, process.argv, copts);
  relabel::LogOptions lopts;
  lopts.all_ranks = args.all_ranks_log;
  relabel::init_logging(ctx.rank(), ctx.size(), lopts);
  // Another method's keys in the file are fine (a file may serve several), but say so: a
  // researcher who set reward.zeta on a ground-truth run should learn that it ran without it.
  for (const auto& line : relabel::config::ignored_keys_lines(args.config, unused))
    spdlog::warn("{}", line);
  auto comm = relabel::comm::make_collective(ctx, ctx.world());
  relabel::run::RunControl control;
  control.stop_flag = &relabel::run::install_stop_signal_handlers();
  control.stop_at_step = args.stop_at;
  control.force = args.force;
  auto outcome = relabel::run::run_experiment(config, *comm, control);
  if (ctx.is_root()) {
    switch (outcome.status) {
      case relabel::run::RunStatus::Skipped:
        std::printf("%s: already done (final score %s); --force re-runs it\n", outcome.dir.c_str(),
                    score_text(outcome.final_score).c_str());
        break;
      case relabel::run::RunStatus::Preempted:
        std::printf("%s: preempted; checkpoint written, run the same command to resume\n",
                    outcome.dir.c_str());
        break;
      default:
        std::printf("%s: %s, final normalised score %s (best %s)\n", outcome.dir.c_str(),
                    relabel::run::to_string(outcome.status),
                    score_text(outcome.final_score).c_str(),
                    score_text(outcome.best_score).c_str());
    }
  }
  return kExitOk;
}

const CommandRegistrar kRun(10, [](CLI::App& app, ProcessArgs process, int* exit_code) {
  auto args = std::make_shared<RunArgs>();
  auto* cmd = app.add_subcommand("run", "Run one experiment (alone or under mpirun -np P)");
  cmd->add_option("config", args->config, "run configuration (TOML)")
      ->required()
      ->check(non_empty_path());
  cmd->add_option("--set", args->overrides, "override a key: --set policy.expectile=0.8")
      ->take_all();
  cmd->add_option("--out", args->out, "run directory (overrides output.dir)")
      ->check(non_empty_path());
  cmd->add_flag("--force", args->force,
                "start the run directory over: remove its result.json and checkpoints (also "
                "when they belong to another config or dataset), then run");
  cmd->add_option("--stop-at", args->stop_at,
                  "checkpoint and stop as if preempted after this many steps")
      ->check(whole_at_least(0));
  cmd->add_flag("--log-all-ranks", args->all_ranks_log, "log from every rank, not only rank 0");
  cmd->add_option("--threads-per-rank", args->threads_per_rank,
                  "torch threads per rank, overriding parallel.threads_per_rank for this process "
                  "(the run's identity is unchanged; the sbatch script passes --cpus-per-task)")
      ->check(whole_in(1, relabel::config::kMaxThreadsPerRank));
  cmd->callback([args, process, exit_code] { *exit_code = run_run(*args, process); });
});

}  // namespace
}  // namespace relabel::cli
