// Every ```toml block of docs/sweeps.md is a complete sweep spec that `relabel check` accepts,
// so the documented format cannot drift from the parser.
#include <gtest/gtest.h>

#include "tests/support/test_support.h"

using relabel::test::read_file;
using relabel::test::run_command;
using relabel::test::TempDir;
using relabel::test::write_file;

namespace {

std::vector<std::string> toml_blocks(const std::string& markdown) {
  std::vector<std::string> out;
  const std::string open = "```toml\n", close = "\n```";
  for (size_t at = markdown.find(open); at != std::string::npos; at = markdown.find(open, at + 1)) {
    size_t begin = at + open.size(), end = markdown.find(close, begin);
    if (end == std::string::npos) break;
    out.push_back(markdown.substr(begin, end - begin + 1));
  }
  return out;
}

}  // namespace

TEST(SweepsDoc, EveryTomlExampleIsAValidSpec) {
  const std::string src = RELABEL_SOURCE_DIR;
  auto blocks = toml_blocks(read_file(src + "/docs/sweeps.md"));
  ASSERT_GE(blocks.size(), 5u) << "docs/sweeps.md lost its examples";
  TempDir dir("sweeps-doc");
  for (size_t i = 0; i < blocks.size(); ++i) {
    SCOPED_TRACE("example " + std::to_string(i + 1) + ":\n" + blocks[i]);
    ASSERT_NE(blocks[i].find("base = "), std::string::npos) << "not a sweep spec";
    std::string spec = dir / ("example" + std::to_string(i + 1) + ".toml");
    write_file(spec, blocks[i]);
    // Their base configs live in configs/sweeps/ (relative bases resolve from the working
    // directory when they are not next to the spec).
    auto r = run_command("cd " + src + "/configs/sweeps && " + RELABEL_BINARY + " check " + spec);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(r.output.find("error"), std::string::npos) << r.output;
  }
}
