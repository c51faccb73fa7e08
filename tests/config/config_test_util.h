#pragma once
// Helpers for the config tests: write a TOML file into a temp dir and capture load errors.
#include <string>
#include <vector>

#include "config/config_load.h"
#include "core/error.h"
#include "tests/support/test_support.h"

namespace relabel::test {

// The message of the relabel::Error that loading throws, or "" when it loads.
inline std::string load_error(const std::string& path, const std::vector<std::string>& sets = {}) {
  try {
    relabel::config::load_run_config(path, sets);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// A minimal valid offline config body (task pendulum, a named suite), 4 lines.
inline const char* kValidHead =
    "[task]\n"
    "name = \"pendulum\"\n"
    "[dataset]\n"
    "name = \"pendulum-medium\"\n";

}  // namespace relabel::test
