// Whole-file text reads (core/text_file.h): the bytes as written, a missing file named with its
// reason, and nullopt for an absent optional file.
#include "core/text_file.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "tests/support/test_support.h"

using relabel::test::TempDir;

TEST(TextFile, ReadsTheBytesAsWritten) {
  TempDir dir;
  const std::string path = dir / "a.txt";
  const std::string bytes = std::string("line 1\nline 2\0tail\n", 19);
  relabel::test::write_file(path, bytes);
  EXPECT_EQ(relabel::read_text_file(path), bytes);
  EXPECT_EQ(relabel::read_text_file_if_present(path).value_or(""), bytes);
}

TEST(TextFile, MissingFileIsAnErrorNamingPathAndReason) {
  TempDir dir;
  const std::string path = dir / "missing.json";
  EXPECT_FALSE(relabel::read_text_file_if_present(path).has_value());
  try {
    relabel::read_text_file(path);
    FAIL() << "a missing file must be an error";
  } catch (const relabel::Error& e) {
    EXPECT_EQ(std::string(e.what()), path + ": cannot read: No such file or directory");
  }
}
