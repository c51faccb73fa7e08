#pragma once
// The parsed (not yet expanded) sweep spec: axes with every value and its position in the file.
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "config/config_schema.h"

namespace relabel::sweeps {

struct AxisValue {
  relabel::ConfigValue value;
  std::string origin;  // "FILE:LINE:COL" of the value
};

// A [grid] or [zip] entry: one config key and its values.
struct Axis {
  std::string key;
  std::string origin;  // position of the key
  std::vector<AxisValue> values;
};

// A [random] entry: `key = { uniform = [a, b] }` and friends.
struct Distribution {
  enum class Kind { kUniform, kLogUniform, kIntUniform, kChoice };
  std::string key;
  std::string origin;  // position of the distribution
  Kind kind = Kind::kUniform;
  double lo = 0.0, hi = 0.0;       // uniform, log_uniform
  int64_t ilo = 0, ihi = 0;        // int_uniform (inclusive)
  std::vector<AxisValue> choices;  // choice
};

struct ParsedSpec {
  std::string file;
  std::string name;
  std::string name_origin;
  std::string base;  // as written
  std::string base_origin;
  std::vector<AxisValue> seeds;  // empty: the base config's seed
  std::vector<Axis> grid, zip;
  std::vector<Distribution> random;
  int64_t count = 0;  // random draws (1 when there is no [random])
  uint64_t random_seed = 0;
  bool has_ranks_per_run = false;
  AxisValue ranks_per_run;
};

// Reads and checks the spec's structure and every key and value against the run schema.
ParsedSpec parse_sweep_spec(const std::string& path);

// One draw; deterministic for a given generator state on every platform (no std::*_distribution,
// whose algorithms the standard leaves to the library).
relabel::ConfigValue draw(const Distribution& d, std::mt19937_64& rng);

}  // namespace relabel::sweeps
