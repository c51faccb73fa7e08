// relabel: one command line for runs, sweeps, reports, dataset generation and SLURM.
#include <mpi.h>
#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>

#include "cli/commands.h"
#include "core/error.h"

namespace {

// Under mpirun an error on one rank must not leave the others in a collective: abort them all.
[[noreturn]] void fail(const std::string& message, int code) {
  int initialized = 0, finalized = 0, size = 1;
  MPI_Initialized(&initialized);
  MPI_Finalized(&finalized);
  if (initialized && !finalized) MPI_Comm_size(MPI_COMM_WORLD, &size);
  std::fprintf(stderr, "relabel: error: %s\n", message.c_str());
  std::fflush(stderr);
  if (size > 1) MPI_Abort(MPI_COMM_WORLD, code);
  if (initialized && !finalized) MPI_Finalize();
  std::exit(code);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"relabel: distributed experiments for reinforcement learning with learned rewards"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("relabel ") + RELABEL_VERSION);
  relabel::cli::ProcessArgs args{&argc, &argv};
  int exit_code = relabel::kExitOk;
  for (const auto& [order, setup] : relabel::cli::registered_commands())
    setup(app, args, &exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : relabel::kExitUsage;
  } catch (const relabel::Error& e) {
    fail(e.what(), e.exit_code());
  } catch (const std::exception& e) {
    fail(e.what(), relabel::kExitRunFailure);
  }
  return exit_code;
}
