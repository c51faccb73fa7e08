#pragma once
// Each verb of the relabel CLI registers itself on the app; the callback runs the verb and
// throws relabel::Error on bad input. One file per verb.
namespace CLI {
class App;
}

namespace relabel::cli {

// argc/argv reach MPI_Init through these (verbs that need a Context create one).
struct ProcessArgs {
  int* argc;
  char*** argv;
};

void add_info_command(CLI::App& app, ProcessArgs args);

}  // namespace relabel::cli
