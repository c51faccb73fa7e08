// docs/config.md is the output of `relabel check --defaults --markdown`: generated from the
// schema and the registries, so a key, default or method added in code without regenerating
// the reference fails here.
#include <gtest/gtest.h>

#include "tests/support/test_support.h"

using relabel::test::read_file;
using relabel::test::run_relabel;

TEST(ConfigReference, DocsConfigMdIsTheGeneratedReference) {
  auto r = run_relabel("check --defaults --markdown");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string committed = read_file(std::string(RELABEL_SOURCE_DIR) + "/docs/config.md");
  EXPECT_EQ(r.output, committed) << "docs/config.md is stale: regenerate it with "
                                    "`build/relabel check --defaults --markdown > docs/config.md`";
  // It documents every registered method and learner with its paper.
  for (const char* s : {"### reward.method = \"reload\"", "### reward.method = \"cdred\"",
                        "### policy.algo = \"iql\"", "### policy.algo = \"world_model\"",
                        "arXiv 2507.12815", "Kostrikov et al., ICLR 2022"})
    EXPECT_NE(r.output.find(s), std::string::npos) << s;
  EXPECT_EQ(run_relabel("check --markdown").exit_code, 2);
}
