#pragma once
// TensorBoard event files decoded by the independent reader tests/io/decode_tfevents.py
// (python3-protobuf, python3-crc32c): one JSON object per record.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/test_support.h"

namespace relabel::test {

inline std::vector<nlohmann::json> decode_tfevents(const std::string& path) {
  auto r = run_command("/usr/bin/python3 " + std::string(RELABEL_SOURCE_DIR) +
                       "/tests/io/decode_tfevents.py " + path);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  std::vector<nlohmann::json> events;
  std::istringstream lines(r.output);
  for (std::string line; std::getline(lines, line);)
    if (!line.empty()) events.push_back(nlohmann::json::parse(line));
  return events;
}

// The event files of a run directory (events.out.tfevents.*).
inline std::vector<std::string> event_files(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().filename().string().rfind("events.out.tfevents.", 0) == 0)
      out.push_back(e.path().string());
  return out;
}

}  // namespace relabel::test
