#pragma once
// Sweep test helpers: a base run config and a spec in one temp dir.
#include <string>

#include "core/error.h"
#include "sweeps/spec.h"
#include "tests/support/test_support.h"

namespace relabel::test {

inline const char* kSweepBase =
    "name = \"base\"\n"
    "[task]\nname = \"pendulum\"\n"
    "[dataset]\nname = \"pendulum-medium\"\n"
    "[train]\nsteps = 1000\n";

// Writes base.toml (kSweepBase + extra) and spec.toml; returns the spec path.
inline std::string write_sweep(const TempDir& dir, const std::string& spec,
                               const std::string& base_extra = "") {
  write_file(dir / "base.toml", std::string(kSweepBase) + base_extra);
  write_file(dir / "spec.toml", spec);
  return dir / "spec.toml";
}

inline std::string sweep_error(const std::string& path) {
  try {
    sweeps::load_sweep(path);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace relabel::test
