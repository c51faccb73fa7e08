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
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    // One line like every other input error (CLI11 adds "Run with --help ..." on a second).
    std::fprintf(stderr, "relabel: error: %s\n", e.what());
    return relabel::kExitUsage;
  } catch (const relabel::Error& e) {
    relabel::comm::fail_process(e.what(), e.exit_code());
  } catch (const std::exception& e) {
    // Under mpirun an error on one rank must not leave the others in a collective.
    relabel::comm::fail_process(relabel::error_message(e), relabel::kExitRunFailure);
  }
  return exit_code;
}
