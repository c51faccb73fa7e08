// `relabel status` on damaged sweep directories: a malformed sweep.json or result.json is named
// in one line and the exit code is 2 (not a raw JSON exception, not a run shown as running).
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/support/test_support.h"

using relabel::test::run_relabel;
using relabel::test::TempDir;
using relabel::test::write_file;

namespace {

std::string last_line(const std::string& text) {
  std::string t = text;
  if (!t.empty() && t.back() == '\n') t.pop_back();
  return t.substr(t.rfind('\n') + 1);
}

}  // namespace

TEST(StatusCli, MalformedSweepJsonIsNamed) {
  TempDir dir;
  write_file(dir / "sweep.json", R"({"name": "s", "runs": 3})");
  auto r = run_relabel("status " + dir.path());
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_EQ(r.output.rfind("relabel: error: " + (dir / "sweep.json") + ": ", 0), 0u) << r.output;
  EXPECT_EQ(r.output.find('\n'), r.output.size() - 1) << r.output;  // one line

  write_file(dir / "sweep.json", R"({"name": "s", "runs": [)");
  r = run_relabel("status " + dir.path());
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_EQ(r.output, "relabel: error: " + (dir / "sweep.json") + ": not valid JSON\n");

  write_file(dir / "sweep.json", R"([1, 2])");
  r = run_relabel("status " + dir.path());
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_EQ(r.output, "relabel: error: " + (dir / "sweep.json") + ": must be a JSON object\n");
}

TEST(StatusCli, MalformedResultJsonIsListedAndNamed) {
  TempDir dir;
  write_file(dir / "sweep.json",
             R"({"name": "s", "runs": [{"id": "a", "params": {}}, {"id": "b", "params": {}}]})");
  std::filesystem::create_directories(dir / "runs/a");
  write_file(dir / "runs/a/result.json", "{\"status\": \"do");
  auto r = run_relabel("status " + dir.path());
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("running 0, failed 0, preempted 0, interrupted 0, pending 1"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("  malformed a: " + (dir / "runs/a/result.json") + ": invalid JSON"),
            std::string::npos)
      << r.output;
  EXPECT_EQ(last_line(r.output).rfind(
                "relabel: error: " + (dir / "runs/a/result.json") + ": invalid JSON", 0),
            0u)
      << r.output;
}

// A result.json that is no readable file (a symbolic link loop, a directory) is a malformed
// record like one that does not parse: listed, named in the last line, exit 2 (it was an
// uncaught filesystem error, exit 1). A sweep.json that is a loop is a one-line error.
TEST(StatusCli, ResultJsonThatIsNotAReadableFileIsMalformed) {
  TempDir dir;
  write_file(dir / "sweep.json",
             R"({"name": "s", "runs": [{"id": "a", "params": {}}, {"id": "b", "params": {}}]})");
  std::filesystem::create_directories(dir / "runs/a");
  std::filesystem::create_symlink("result.json", dir / "runs/a/result.json");
  std::filesystem::create_directories(dir / "runs/b/result.json");
  auto r = run_relabel("status " + dir.path());
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("  malformed 2\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("  malformed a: " + (dir / "runs/a/result.json") +
                          ": cannot read: Too many levels of symbolic links\n"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("  malformed b: " + (dir / "runs/b/result.json") + ": is a directory\n"),
            std::string::npos)
      << r.output;
  EXPECT_EQ(last_line(r.output),
            "relabel: error: " + (dir / "runs/a/result.json") +
                ": cannot read: Too many levels of symbolic links (and 1 more malformed records)");

  std::filesystem::remove(dir / "sweep.json");
  std::filesystem::create_symlink("sweep.json", dir / "sweep.json");
  r = run_relabel("status " + dir.path());
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_EQ(r.output, "relabel: error: " + (dir / "sweep.json") +
                          ": cannot read: Too many levels of symbolic links\n");
}
