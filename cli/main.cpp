// relabel: one command line for runs, sweeps, reports, dataset generation and SLURM.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>

#include "cli/commands.h"
#include "comm/failure.h"
#include "config/registration_check.h"
#include "core/error.h"

int main(int argc, char** argv) {
  CLI::App app{"relabel: distributed experiments for reinforcement learning with learned rewards"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("relabel ") + RELABEL_VERSION);
  relabel::cli::ProcessArgs args{&argc, &argv};
  int exit_code = relabel::kExitOk;
  for (const auto& [order, setup] : relabel::cli::registered_commands())
    setup(app, args, &exit_code);
  try {
    // Registration mistakes (config/registration_check.h) are refused before any verb runs.
    relabel::config::check_registrations();
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : relabel::kExitUsage;
  } catch (const relabel::Error& e) {
    relabel::comm::fail_process(e.what(), e.exit_code());
  } catch (const std::exception& e) {
    // Under mpirun an error on one rank must not leave the others in a collective.
    relabel::comm::fail_process(e.what(), relabel::kExitRunFailure);
  }
  return exit_code;
}
