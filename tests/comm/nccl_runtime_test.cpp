// The NCCL backend's libraries are loaded on first use, not at start-up (comm/nccl_runtime.h).
// Runs without a GPU: loading and version queries need no device. Compiled in NCCL builds only.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#ifdef RELABEL_HAVE_NCCL
#include "comm/nccl_collective.h"
#include "comm/nccl_runtime.h"
#include "tests/support/test_support.h"

namespace {
bool mapped(const std::string& needle) {
  std::ifstream maps("/proc/self/maps");
  for (std::string line; std::getline(maps, line);)
    if (line.find(needle) != std::string::npos) return true;
  return false;
}
}  // namespace

// This test binary links the factory and the NCCL backend; relabel links what the CLI uses.
TEST(NcclRuntime, BinariesDoNotLinkNcclOrCudart) {
  const std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
  for (const std::string& exe : {self, std::string(RELABEL_BINARY)}) {
    auto r = relabel::test::run_command("readelf -d " + exe);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("NEEDED"), std::string::npos);
    EXPECT_EQ(r.output.find("libnccl"), std::string::npos) << exe << "\n" << r.output;
    EXPECT_EQ(r.output.find("libcudart"), std::string::npos) << exe << "\n" << r.output;
  }
}

TEST(NcclRuntime, LoadsOnDemandWithoutAGpu) {
  std::string why;
  const auto* api = relabel::comm::nccl_runtime::api(&why);
  ASSERT_NE(api, nullptr) << why;
  EXPECT_TRUE(mapped("libnccl"));
  int version = 0;
  ASSERT_EQ(api->ncclGetVersion(&version), ncclSuccess);
  EXPECT_EQ(version / 100, NCCL_MAJOR * 100 + NCCL_MINOR);  // the library matches the headers
  EXPECT_EQ(relabel::comm::NcclCollective::runtime_problem(), "");
  EXPECT_GE(relabel::comm::NcclCollective::visible_devices(), 0);  // no throw without a GPU
}
#endif
