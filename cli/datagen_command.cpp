// relabel datagen: train SAC on a task and write its D4RL-style dataset suite (datagen/datagen.h).
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <iomanip>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/option_checks.h"
#include "comm/context.h"
#include "comm/failure.h"
#include "comm/idle_barrier.h"
#include "core/error.h"
#include "core/log.h"
#include "datagen/datagen.h"
#include "run/stop_signals.h"

namespace relabel::cli {
namespace {

void print_summary(const nlohmann::json& s) {
  std::cout << "task " << s["task"].get<std::string>() << ": R_random "
            << s["ref_min_score"].get<double>() << ", R_expert " << s["ref_max_score"].get<double>()
            << ", wall " << s["wall_s"].get<double>() << " s\n";
  std::cout << std::left << std::setw(16) << "dataset" << std::setw(10) << "rows" << std::setw(10)
            << "episodes"
            << "mean return\n";
  for (const auto& kind : relabel::datagen::suite_kinds()) {
    const auto& f = s["files"][kind];
    std::cout << std::left << std::setw(16) << kind << std::setw(10) << f["rows"].get<int64_t>()
              << std::setw(10) << f["episodes"].get<int64_t>() << f["mean_return"].dump() << "\n";
  }
}

void run_datagen_command(ProcessArgs args, const relabel::datagen::DatagenOptions& options,
                         bool dry_run) {
  relabel::comm::Context ctx(args.argc, args.argv);
  relabel::init_logging(ctx.rank(), ctx.size());
  // SIGTERM/SIGINT (scancel, Ctrl-C) save the training state and end with exit 0, like runs.
  const auto& stop = relabel::run::install_stop_signal_handlers();
  // Generation is single-process: rank 0 works while the others wait without spinning a core;
  // its error takes them down with its message (comm/failure.h).
  relabel::comm::or_abort(ctx.host_world(), [&] {
    if (!ctx.is_root()) return;
    auto o = relabel::datagen::resolve_datagen_options(options);
    if (dry_run) {
      std::cout << "datagen " << o.task << " -> " << o.out_dir << ": steps " << o.steps
                << ", start steps " << o.start_steps << ", eval every " << o.eval_every << " ("
                << o.eval_episodes << " episodes), size " << o.size << " (medium-expert "
                << 2 * o.size << "), seed " << o.seed << "\n";
    } else {
      o.stop = &stop;
      const auto summary = relabel::datagen::run_datagen(o);
      if (summary.value("status", "") == "stopped")
        std::cout << "datagen " << o.task << " stopped by signal " << relabel::run::stop_signal()
                  << ": rerun the same command to resume (" << o.out_dir << ")\n";
      else
        print_summary(summary);
    }
  });
  relabel::comm::idle_barrier(ctx.host_world(), 50);
}

const CommandRegistrar kDatagen(40, [](CLI::App& app, ProcessArgs args, int*) {
  auto* cmd = app.add_subcommand(
      "datagen",
      "Train SAC on a task and write its dataset suite: random, medium, medium-replay, expert "
      "and medium-expert (D4RL layout)");
  auto o = std::make_shared<relabel::datagen::DatagenOptions>();
  auto dry = std::make_shared<bool>(false);
  cmd->add_option("--task", o->task, "registered task, e.g. pendulum, hopper")->required();
  cmd->add_option("--out", o->out_dir,
                  "output directory (default: $RELABEL_DATA/<task>, else "
                  "~/.cache/relabel/datasets/<task>)")
      ->check(non_empty_path());
  cmd->add_option("--steps", o->steps, "SAC environment steps (default: per task)")
      ->check(whole_at_least(1));
  cmd->add_option("--size", o->size, "rows per dataset, medium-expert twice (default: per task)")
      ->check(whole_at_least(1));
  cmd->add_option("--seed", o->seed, "seed of training and collection")
      ->capture_default_str()
      ->check(seed_value());
  cmd->add_option("--start-steps", o->start_steps,
                  "uniform-random steps before SAC acts (default: per task)")
      ->check(whole_at_least(0));
  cmd->add_option("--eval-every", o->eval_every,
                  "steps between evaluations, i.e. medium-policy candidates (default: per task)")
      ->check(whole_at_least(1));
  cmd->add_option("--eval-episodes", o->eval_episodes, "episodes per evaluation")
      ->capture_default_str()
      ->check(whole_int_at_least(1));
  cmd->add_option("--checkpoint-minutes", o->checkpoint_minutes,
                  "save the training state (sac_train.pt) this often; a re-run resumes from it")
      ->capture_default_str()
      ->check(real_at_least(0));
  cmd->add_flag("--dry-run", *dry, "print the resolved settings and exit");
  cmd->callback([args, o, dry] { run_datagen_command(args, *o, *dry); });
});

}  // namespace
}  // namespace relabel::cli
