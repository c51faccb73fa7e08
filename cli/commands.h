#pragma once
// Each verb of the relabel CLI lives in its own file and registers itself with a static
// CommandRegistrar, so adding a verb never touches main.cpp. The callback runs the verb and throws
// relabel::Error (exit 2) or relabel::RunError (exit 1); main() prints the one-line error.
#include <functional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace relabel::cli {

// argc/argv reach MPI_Init through these (verbs that need an relabel::comm::Context create one).
struct ProcessArgs {
  int* argc;
  char*** argv;
};

// Adds the verb's subcommand (options and callback) to `app`. The callback may set
// *exit_code to report a run failure without throwing (e.g. a sweep with failed runs).
using CommandSetup = std::function<void(CLI::App& app, ProcessArgs args, int* exit_code)>;

struct CommandRegistrar {
  CommandRegistrar(int order, CommandSetup setup);  // order: position in --help
};

const std::vector<std::pair<int, CommandSetup>>& registered_commands();

}  // namespace relabel::cli
