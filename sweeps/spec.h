#pragma once
// Sweep specification (docs/sweeps.md, "Spec format"): parsing, validation of every
// swept key and value against the run schema, and deterministic expansion into runs.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "config/config.h"

namespace relabel::sweeps {

struct RunSpec {
  std::string id;  // 12 hex digits of the resolved config's hash (seed included, output.dir not)
  relabel::config::RunConfig config;  // resolved; output.dir = <sweep dir>/runs/<id>
  // Swept keys and their values as resolved (typed, as in TOML), then "seed".
  std::vector<std::pair<std::string, relabel::ConfigValue>> params;
  int64_t seed = 0;
};

struct SweepSpec {
  std::string name;         // default: the spec file's stem
  std::string source_path;  // the spec file
  std::string base_path;    // the base run config as found
  std::string dir;          // default runs/<name>
  std::vector<int64_t> seeds;
  int64_t ranks_per_run = 1;
  std::vector<std::string> swept_keys;  // zip, grid, random keys in params order
  std::vector<std::string> overrides;   // --set key=value applied to the base, as given
  // Expansion order: zip index (outer) x grid (Cartesian, file order, last key fastest) x
  // random draws x seeds (innermost).
  std::vector<RunSpec> runs;
};

struct SweepOptions {
  std::vector<std::string> overrides;  // --set key=value, applied to the base config
  std::string out_dir;                 // replaces the default sweep directory
};

// The positions of spec.runs in the order a sweep claims them (its dry run lists them, and an
// array task's --index counts in it): the expansion's own, or with `breadth_first` seed by seed,
// every cell's first seed in expansion order, then every cell's second, ...
// (`relabel sweep --breadth-first`): a sweep stopped early has a first result in every cell
// instead of all seeds of the first cells.
std::vector<int64_t> claim_order(const SweepSpec& spec, bool breadth_first);

// True when the TOML file's top level has a sweep key (base, grid, zip, random, seeds).
bool is_sweep_spec(const std::string& path);

// Parses, validates and expands; every error is a one-line relabel::Error naming the spec file,
// line, column and key, raised before anything runs.
SweepSpec load_sweep(const std::string& path, const SweepOptions& options = {});

}  // namespace relabel::sweeps
