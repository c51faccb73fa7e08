// relabel status DIR: counts of done / running / failed / preempted / pending runs of a sweep,
// the failed runs' messages, throughput and ETA.
#include <CLI/CLI.hpp>

#include <cstdio>

#include "cli/commands.h"
#include "core/error.h"
#include "report/status.h"

namespace relabel::cli {
namespace {

const CommandRegistrar kStatus(30, [](CLI::App& app, ProcessArgs, int*) {
  struct Args {
    std::string dir;
    bool list = false;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("status", "Show a sweep's progress: done/running/failed/...");
  cmd->add_option("dir", args->dir, "sweep directory")->required();
  cmd->add_flag("--runs", args->list, "list every run with its status and score");
  cmd->callback([args] {
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
