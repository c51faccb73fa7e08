#include "io/atomic_file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "tests/support/test_support.h"

namespace relabel::io {
namespace {

size_t entries(const std::string& dir) {
  size_t n = 0;
  for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator(dir)) ++n;
  return n;
}

TEST(AtomicFile, WritesAndReplacesWithoutLeavingTemporaries) {
  relabel::test::TempDir dir;
  std::string path = dir / "result.json";
  write_file_atomic(path, "first");
  EXPECT_EQ(relabel::test::read_file(path), "first");
  write_json_atomic(path, nlohmann::json{{"status", "done"}, {"score", 1.5}});
  auto j = nlohmann::json::parse(relabel::test::read_file(path));
  EXPECT_EQ(j["status"], "done");
  EXPECT_DOUBLE_EQ(j["score"].get<double>(), 1.5);
  EXPECT_EQ(entries(dir.path()), 1u);  // no temporary left behind
}

TEST(AtomicFile, AbandonedWriteKeepsTheOldFileAndRemovesTheTemporary) {
  relabel::test::TempDir dir;
  std::string path = dir / "ckpt.bin";
  write_file_atomic(path, "old content");
  std::string temp;
  try {
    AtomicFile file(path);
    temp = file.temp_path();
    relabel::test::write_file(temp, "new but par");  // a writer that fails half-way
    EXPECT_TRUE(std::filesystem::exists(temp));
    throw std::runtime_error("writer failed");
  } catch (const std::runtime_error&) {
  }
  EXPECT_FALSE(std::filesystem::exists(temp));
  EXPECT_EQ(relabel::test::read_file(path), "old content");  // never a partial file
  EXPECT_EQ(entries(dir.path()), 1u);
}

TEST(AtomicFile, TemporaryLivesHiddenInTheSameDirectory) {
  relabel::test::TempDir dir;
  AtomicFile file(dir / "a.hdf5");
  std::filesystem::path temp(file.temp_path());
  EXPECT_EQ(temp.parent_path().string(), dir.path());
  EXPECT_EQ(temp.filename().string().rfind(".a.hdf5.tmp-", 0), 0u);
}

TEST(AtomicFile, MissingDirectoryIsAnError) {
  relabel::test::TempDir dir;
  std::string path = dir / "nope/result.json";
  try {
    write_file_atomic(path, "x");
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
}

TEST(AtomicFile, StaleTemporariesOfKilledWritersAreRemoved) {
  relabel::test::TempDir dir;
  std::filesystem::create_directories(dir / "ckpt/rank1");
  relabel::test::write_file(dir / ".result.json.tmp-123-0", "{");
  relabel::test::write_file(dir / "ckpt/.step_100.pt.tmp-123-4", "partial");
  relabel::test::write_file(dir / "ckpt/rank1/.step_100.pt.tmp-124-1", "partial");
  relabel::test::write_file(dir / "result.json", "{}");
  relabel::test::write_file(dir / "ckpt/step_50.pt", "kept");
  relabel::test::write_file(dir / ".relabel.lock", "");
  EXPECT_EQ(remove_stale_temporaries(dir.path()), 3);
  EXPECT_EQ(entries(dir.path()), 3u);    // result.json, ckpt, .relabel.lock
  EXPECT_EQ(entries(dir / "ckpt"), 2u);  // step_50.pt, rank1
  EXPECT_EQ(entries(dir / "ckpt/rank1"), 0u);
  EXPECT_EQ(remove_stale_temporaries(dir / "missing"), 0);
}

}  // namespace
}  // namespace relabel::io
