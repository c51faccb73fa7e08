// relabel check: validate a run config or a sweep spec and print what would run; runs nothing
// (no MPI start), so it is safe on a login node.
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <iostream>
#include <set>

#include "cli/commands.h"
#include "cli/option_checks.h"
#include "config/config_load.h"
#include "config/config_reference.h"
#include "config/config_write.h"
#include "core/error.h"
#include "io/output_location.h"
#include "run/offline_data.h"
#include "sweeps/spec.h"

namespace relabel::cli {
namespace {

struct CheckOptions {
  std::string file;
  std::vector<std::string> sets;
  bool defaults = false;
  bool markdown = false;
};

void print_run_config(const CheckOptions& o) {
  std::vector<relabel::config::UnusedKey> unused;
  auto config = relabel::config::load_run_config(o.file, o.sets, &unused);
  relabel::io::check_output_location(config.output.dir, "output.dir");
  std::cout << fmt::format("# {}: valid run configuration (config_hash {})\n", o.file,
                           relabel::config::config_hash(config));
  for (const auto& line : relabel::config::ignored_keys_lines(o.file, unused))
    std::cout << "# " << line << "\n";
  // Valid, but a run would stop at its start: say so here (the config stays valid: the suite can
  // be made before the run, and a login node may not hold the data cache).
  if (auto missing = relabel::run::missing_suite(config))
    std::cout << "# warning: " << *missing << "\n";
  std::cout << relabel::config::to_toml(config);
}

// The run count, then one row per run: id and swept values (columns aligned).
void print_sweep(const CheckOptions& o) {
  sweeps::SweepOptions options;
  options.overrides = o.sets;
  auto sweep = sweeps::load_sweep(o.file, options);
  relabel::io::check_output_location(sweep.dir, "sweep directory");
  // The runs' directories are <dir>/runs/<12 hex digits>: only the sweep's own can be too long.
  if (!sweep.runs.empty())
    relabel::io::check_output_location(sweep.runs.front().config.output.dir, "run directory");
  std::cout << fmt::format("# {}: valid sweep '{}': {} runs (base {}, dir {}, ranks_per_run {})\n",
                           o.file, sweep.name, sweep.runs.size(), sweep.base_path, sweep.dir,
                           sweep.ranks_per_run);
  // As for a run config, once per missing dataset (runs of one suite share the warning).
  std::set<std::string> warned;
  for (const auto& run : sweep.runs)
    if (auto missing = relabel::run::missing_suite(run.config))
      if (warned.insert(*missing).second) std::cout << "# warning: " << *missing << "\n";
  std::vector<std::string> keys = sweep.swept_keys;
  keys.push_back("seed");
  std::vector<std::string> header{"id"};
  header.insert(header.end(), keys.begin(), keys.end());
  std::vector<std::vector<std::string>> rows{header};
  for (const auto& run : sweep.runs) {
    std::vector<std::string> row{run.id};
    // A swept key the run's method or learner does not read is not among its params: "-".
    for (const auto& k : keys) {
      auto it = std::find_if(run.params.begin(), run.params.end(),
                             [&](const auto& p) { return p.first == k; });
      row.push_back(it == run.params.end() ? "-" : value_text(it->second));
    }
    rows.push_back(std::move(row));
  }
  std::vector<size_t> width(header.size(), 0);
  for (const auto& row : rows)
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i)
      line += i + 1 < row.size() ? fmt::format("{:<{}}  ", row[i], width[i]) : row[i];
    std::cout << line << "\n";
  }
}

void run_check(const CheckOptions& o) {
  if (o.markdown && !o.defaults) throw Error("check: --markdown goes with --defaults");
  if (o.defaults) {
    if (!o.file.empty()) throw Error("check: give either FILE or --defaults, not both");
    if (!o.sets.empty())
      throw Error("check: --set applies to a FILE; --defaults prints the defaults as they are");
    std::cout << (o.markdown ? relabel::config::config_reference_markdown()
                             : relabel::config::defaults_toml());
    return;
  }
  if (o.file.empty()) throw Error("check: FILE is required (or --defaults)");
  if (sweeps::is_sweep_spec(o.file))
    print_sweep(o);
  else
    print_run_config(o);
}

const CommandRegistrar kCheck(15, [](CLI::App& app, ProcessArgs, int*) {
  auto opts = std::make_shared<CheckOptions>();
  auto* cmd = app.add_subcommand(
      "check", "Validate a run config or sweep spec and print the resolved configuration");
  cmd->add_option("file", opts->file, "run config or sweep spec (TOML)")->check(non_empty_path());
  cmd->add_option("--set", opts->sets, "override a config key: --set policy.expectile=0.8")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
  cmd->add_flag("--defaults", opts->defaults, "print every key with its default and doc");
  cmd->add_flag("--markdown", opts->markdown,
                "with --defaults: the configuration reference as Markdown (docs/config.md)");
  cmd->callback([opts] { run_check(*opts); });
});

}  // namespace
}  // namespace relabel::cli
