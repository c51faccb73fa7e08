#pragma once
// Helpers for tests that drive `relabel run` end to end on the shared pendulum suite (a ctest
// fixture generates it once into $RELABEL_DATA; see tests/CMakeLists.txt).
#include <nlohmann/json.hpp>

#include <string>

#include "tests/support/test_support.h"

namespace relabel::test {

// A run config for the cached pendulum suite. `extra` is appended TOML (sections allowed).
std::string pendulum_config(const std::string& dir, const std::string& reward,
                            const std::string& algo, int steps, const std::string& extra = "");

// Writes cfg to dir/name.toml, runs `relabel run` (optionally under mpirun), asserts exit 0
// (gtest failure otherwise) and returns the run's result.json.
nlohmann::json run_config(const TempDir& dir, const std::string& name, const std::string& cfg,
                          int ranks = 1, const std::string& extra_args = "");

std::string pendulum_file(const std::string& kind);  // $RELABEL_DATA/pendulum/<kind>.hdf5

// Parses a result.json the run wrote (gtest failure otherwise): io::run_record_from_json must
// accept every record the writer in run/ produces, and writing it back changes nothing.
nlohmann::json parse_result(const std::string& path);

}  // namespace relabel::test
