// Whole-file text reads (core/text_file.h): the bytes as written, a missing file named with its
// reason, and nullopt for an absent optional file.
#include "core/text_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <utility>

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

// A FIFO would block the reader until a writer appears (relabel status hung on a result.json
// made with mkfifo); a directory read as an I/O error without the path. Both are named.
TEST(TextFile, ADirectoryOrAFifoIsAnErrorNamingThePath) {
  TempDir dir;
  const std::string fifo = dir / "result.json";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  for (const auto& [path, why] :
       {std::pair{fifo, ": not a regular file"}, std::pair{dir.path(), ": is a directory"}}) {
    try {
      relabel::read_text_file_if_present(path);
      FAIL() << path << " was read";
    } catch (const relabel::Error& e) {
      EXPECT_EQ(std::string(e.what()), path + why);
    }
  }
}
