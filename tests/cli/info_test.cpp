#include <gtest/gtest.h>

#include "tests/support/test_support.h"

using relabel::test::run_relabel;

TEST(Cli, InfoPrintsBuildConfiguration) {
  auto r = run_relabel("info");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* key : {"LibTorch", "MPI", "HDF5", "MuJoCo", "NCCL", "BLAS", "ranks", "threads"})
    EXPECT_NE(r.output.find(key), std::string::npos) << key << " missing in:\n" << r.output;
  EXPECT_NE(r.output.find("(parallel)"), std::string::npos) << r.output;
}

TEST(Cli, UnknownVerbIsUsageError) {
  auto r = run_relabel("no-such-verb");
  EXPECT_EQ(r.exit_code, 2) << r.output;
}
