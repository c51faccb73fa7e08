// TensorBoard event files, read back by an independent decoder (tests/io/decode_tfevents.py:
// Debian's python3-protobuf with the schema built from TensorFlow's field numbers, and the
// crc32c package for the TFRecord checksums).
#include "io/event_file.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <sstream>

#include "tests/support/test_support.h"
#include "tests/support/tfevents.h"

namespace relabel::io {
namespace {

using nlohmann::json;
using relabel::test::TempDir;

std::string only_event_file(const std::string& dir) {
  const auto files = relabel::test::event_files(dir);
  EXPECT_EQ(files.size(), 1u) << dir;
  return files.empty() ? std::string() : files[0];
}

TEST(EventFile, Crc32cMatchesThePublishedCheckValue) {
  // The CRC-32C check value of "123456789" (RFC 3720 / the CRC catalogue): 0xE3069283.
  EXPECT_EQ(crc32c("123456789", 9), 0xE3069283u);
  EXPECT_EQ(crc32c("", 0), 0u);
  const uint32_t c = 0xE3069283u;
  EXPECT_EQ(masked_crc32c("123456789", 9), ((c >> 15) | (c << 17)) + 0xa282ead8u);
}

TEST(EventFile, ScalarsDecodeWithAnIndependentReader) {
  TempDir dir("relabel-events");
  std::string path;
  {
    EventFileWriter writer(dir.path());
    path = writer.path();
    writer.add_scalars(0, {{"train/loss", 1.5}, {"eval/normalised_score", 0.0}});
    writer.add_scalars(1000, {{"train/loss", -0.25}});
    writer.add_scalars(2000, {});  // nothing to write: no record
    writer.add_scalars(123456789012LL, {{"eval/return", -143.75}});
    // Flushed at every batch: the decoder reads everything while the writer is still open.
    EXPECT_EQ(relabel::test::decode_tfevents(path).size(), 4u);
  }
  EXPECT_EQ(only_event_file(dir.path()), path);
  EXPECT_NE(path.find("events.out.tfevents."), std::string::npos);
  const auto events = relabel::test::decode_tfevents(path);
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[0]["file_version"], "brain.Event:2");
  EXPECT_GT(events[0]["wall_time"].get<double>(), 1.7e9);  // seconds since 1970
  EXPECT_EQ(events[1]["step"], 0);
  EXPECT_EQ(events[1]["scalars"]["train/loss"], 1.5);
  // 0.0 is written (explicit presence), not dropped as a proto3 default.
  ASSERT_TRUE(events[1]["scalars"].contains("eval/normalised_score"));
  EXPECT_EQ(events[1]["scalars"]["eval/normalised_score"], 0.0);
  EXPECT_EQ(events[2]["step"], 1000);
  EXPECT_EQ(events[2]["scalars"]["train/loss"], -0.25);
  EXPECT_EQ(events[3]["step"], 123456789012LL);
  EXPECT_EQ(events[3]["scalars"]["eval/return"], -143.75);
}

TEST(EventFile, ACorruptedByteIsCaughtByTheChecksum) {
  TempDir dir("relabel-events");
  std::string path;
  {
    EventFileWriter writer(dir.path());
    path = writer.path();
    writer.add_scalars(7, {{"train/loss", 2.0}});
  }
  std::string bytes = relabel::test::read_file(path);
  bytes[bytes.size() - 6] ^= 0x01;  // inside the last record's payload
  relabel::test::write_file(path, bytes);
  auto r = relabel::test::run_command("/usr/bin/python3 " + std::string(RELABEL_SOURCE_DIR) +
                                      "/tests/io/decode_tfevents.py " + path);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("bad data CRC"), std::string::npos) << r.output;
}

TEST(EventFile, UnwritableDirectoryNamesTheFile) {
  try {
    EventFileWriter writer("/proc/no-such-dir");
    FAIL() << "expected an error";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("/proc/no-such-dir/events.out.tfevents."),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace relabel::io
