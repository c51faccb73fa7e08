// io::SpaceReserve: real blocks held until release, so a full disk still takes the failure record.
#include "io/space_reserve.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "tests/support/test_support.h"

namespace relabel::io {
namespace {

TEST(SpaceReserve, HoldsAllocatedBlocksUntilReleased) {
  relabel::test::TempDir dir;
  const std::string path = dir / ".relabel.reserve";
  SpaceReserve reserve(path, 256 * 1024);
  EXPECT_TRUE(reserve.error().empty()) << reserve.error();
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_GE(st.st_blocks * 512, 256 * 1024);  // allocated, not a sparse file
  reserve.release();
  EXPECT_FALSE(std::filesystem::exists(path));
  reserve.release();  // idempotent
}

TEST(SpaceReserve, ReleasedWhenDestroyed) {
  relabel::test::TempDir dir;
  const std::string path = dir / ".relabel.reserve";
  { SpaceReserve reserve(path); }
  EXPECT_FALSE(std::filesystem::exists(path));
}

}  // namespace
}  // namespace relabel::io
