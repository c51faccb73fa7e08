#pragma once
// Helpers for tests that drive `relabel run` end to end on the shared pendulum suite (a ctest
// fixture generates it once into $RELABEL_DATA; see tests/CMakeLists.txt).
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "tests/support/test_support.h"

namespace relabel::test {

// A run config for the cached pendulum suite. `extra` is appended TOML (sections allowed).
std::string pendulum_config(const std::string& dir, const std::string& reward,
                            const std::string& algo, int steps, const std::string& extra = "");

// Writes cfg to dir/name.toml, runs `relabel run` (optionally under mpirun), asserts exit 0
// (gtest failure otherwise) and returns the run's result.json.
nlohmann::json run_config(const TempDir& dir, const std::string& name, const std::string& cfg,
                          int ranks = 1, const std::string& extra_args = "");

std::string pendulum_file(const std::string& kind);

// The base config of the sweep tests: ground-truth TD3+BC on the cached pendulum suite (or on
// the file `dataset_path`), `steps` updates, one evaluation at the end, a checkpoint every
// `checkpoint_every` (0: none).
std::string sweep_base_config(int steps, int checkpoint_every, int eval_episodes = 2,
                              const std::string& dataset_path = "");

// The parsed result.json of every run of a sweep directory that has one.
std::vector<nlohmann::json> sweep_results(
    const std::string& sweep_dir);  // $RELABEL_DATA/pendulum/<kind>.hdf5

// Parses a result.json the run wrote (gtest failure otherwise): io::run_record_from_json must
// accept every record the writer in run/ produces, and writing it back changes nothing.
nlohmann::json parse_result(const std::string& path);

}  // namespace relabel::test
