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
                        "arXiv:2507.12815", "Kostrikov, Nair & Levine, ICLR 2022"})
    EXPECT_NE(r.output.find(s), std::string::npos) << s;
  // Every learner and every method except the baselines (ground_truth, zero) names the paper
  // its defaults come from, on the line that introduces it.
  for (const char* owner :
       {"policy.algo = \"iql\"", "policy.algo = \"td3bc\"", "policy.algo = \"bc\"",
        "policy.algo = \"world_model\"", "reward.method = \"reload\"",
        "reward.method = \"imputation\"", "reward.method = \"cdred\""}) {
    size_t at = r.output.find(std::string("### ") + owner);
    ASSERT_NE(at, std::string::npos) << owner;
    size_t line = r.output.find('\n', r.output.find('\n', at) + 2);
    std::string intro = r.output.substr(at, line - at);
    EXPECT_TRUE(intro.find("Defaults: ") != std::string::npos ||
                intro.find("Reference: ") != std::string::npos)
        << owner << " cites no paper: " << intro;
  }
  EXPECT_EQ(run_relabel("check --markdown").exit_code, 2);
}
