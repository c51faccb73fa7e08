// config/config_diff.h: the keys two resolved configurations differ in (what the refusal to
// resume another config's run directory names), output.dir excluded.
#include "config/config_diff.h"

#include <gtest/gtest.h>

using relabel::config::differing_keys;

TEST(ConfigDiff, NamesChangedAddedAndRemovedKeysButNotOutputDir) {
  const std::string a =
      "seed = 0\n[policy]\nexpectile = 0.7\nalgo = \"iql\"\n[output]\ndir = \"a\"\n";
  const std::string b =
      "seed = 0\n[policy]\nexpectile = 0.9\nalgo = \"iql\"\n[output]\ndir = \"b\"\n"
      "[reward]\nbeta = 1.0\n";
  EXPECT_EQ(differing_keys(a, b), (std::vector<std::string>{"policy.expectile", "reward.beta"}));
  EXPECT_TRUE(differing_keys(a, a).empty());
  // An unparsable text counts as empty: every key of the other differs.
  EXPECT_EQ(differing_keys("seed = [", "seed = 1\n"), (std::vector<std::string>{"seed"}));
}
