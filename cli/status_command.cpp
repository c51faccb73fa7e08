// relabel status DIR: counts of done / running / failed / preempted / pending runs of a sweep,
// the failed runs' messages, throughput and ETA; of one run's directory, its state, step and
// scores.
#include <CLI/CLI.hpp>

#include <cstdio>

#include "cli/commands.h"
#include "cli/option_checks.h"
#include "core/error.h"
#include "report/run_status.h"
#include "report/status.h"

namespace relabel::cli {
namespace {

const CommandRegistrar kStatus(30, [](CLI::App& app, ProcessArgs, int*) {
  struct Args {
    std::string dir;
    bool list = false;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand(
      "status", "Show a sweep's progress (done/running/failed/...) or one run's state and step");
  cmd->add_option("dir", args->dir, "sweep directory, or one run's directory")
      ->required()
      ->check(non_empty_path());
  cmd->add_flag("--runs", args->list, "list every run of a sweep with its status and score");
  cmd->callback([args] {
    if (report::is_run_directory(args->dir)) {
      // Ignoring it would print one run where the user asked for a sweep's list.
      if (args->list)
        throw Error(args->dir +
                    ": one run's directory, not a sweep's; --runs lists a sweep's runs");
      const auto run = report::read_run_status(args->dir);
      std::fputs(report::format_run_status(run).c_str(), stdout);
      std::fflush(stdout);
      if (run.state.status == "malformed") throw Error(run.state.error);  // as for a sweep
      return;
    }
    auto status = report::read_sweep_status(args->dir);
    std::fputs(report::format_sweep_status(status, args->list).c_str(), stdout);
    // Damaged records are input errors: listed above, and the exit code says so.
    for (const auto& run : status.runs)
      if (run.status == "malformed") {
        std::fflush(stdout);
        throw Error(run.error + (status.malformed > 1
                                     ? " (and " + std::to_string(status.malformed - 1) +
                                           " more malformed records)"
                                     : ""));
      }
  });
});

}  // namespace
}  // namespace relabel::cli
