// relabel report DIR: aggregate a sweep (or one run) directory into tables and plots.
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/option_checks.h"
#include "core/log.h"
#include "report/metrics.h"
#include "report/report_tables.h"
#include "report/report_writer.h"
#include "report/seed_warning.h"

namespace relabel::cli {
namespace {

struct ReportArgs {
  std::string dir, out;
  int reps = 2000;
  uint64_t seed = 0;
  bool no_plots = false;
  std::vector<std::string> traces;
};

void run_report(const ReportArgs& args) {
  relabel::init_logging(0, 1);
  report::ReportOptions options;
  options.out_dir = args.out;
  options.aggregate.bootstrap.reps = args.reps;
  options.aggregate.bootstrap.seed = args.seed;
  options.plots = !args.no_plots;
  options.aggregate.traces = args.traces;
  auto r = report::write_report(args.dir, options);
  if (std::string w = report::few_seeds_warning(r.aggregation); !w.empty())
    spdlog::warn("report: {}", w);
  spdlog::info(
      "report: {} ({} tasks, {} groups, {} plots): {}/{{summary.csv, runs.csv, report.md, "
      "report.tex, report.html{}}}",
      report::run_counts(r.aggregation), r.aggregation.tasks.size(), r.aggregation.groups.size(),
      r.plots, r.out_dir, r.plots > 0 ? ", plots/" : "");
}

const CommandRegistrar kReport(30, [](CLI::App& app, ProcessArgs, int*) {
  auto args = std::make_shared<ReportArgs>();
  auto* cmd = app.add_subcommand(
      "report",
      "Aggregate a sweep directory: summary.csv, runs.csv, report.md, report.tex, report.html");
  cmd->add_option("dir", args->dir, "Sweep or run directory (holding runs/ or sweep.json)")
      ->required()
      ->check(non_empty_path());
  cmd->add_option("--out", args->out, "Write the report files here instead of DIR")
      ->check(non_empty_path());
  cmd->add_option("--bootstrap-reps", args->reps, "Bootstrap repetitions for the 95% CIs")
      ->check(whole_in(1, report::kMaxBootstrapReps))
      ->capture_default_str();
  cmd->add_option("--seed", args->seed, "Seed of the bootstrap (same seed, same CIs)")
      ->check(seed_value())
      ->capture_default_str();
  cmd->add_flag("--no-plots", args->no_plots, "Do not run gnuplot (tables only)");
  cmd->add_option("--traces", args->traces,
                  "Training metrics of metrics.jsonl to draw over steps, per group (mean over "
                  "seeds): e.g. cdred_b_phi_expert,cdred_b_phi_replay; written to traces.csv")
      ->delimiter(',');
  cmd->callback([args] { run_report(*args); });
});

}  // namespace
}  // namespace relabel::cli
