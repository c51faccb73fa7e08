// Every key in a run's config hash is part of every run's identity: a key the engine gains
// changes the hash of every run that resolves it, so every finished run (and every kept record,
// docs/sweeps.md) reads as another configuration's and is refused. The hashed keys are pinned in
// tests/data/hashed_keys.txt: a key of a new method or learner is appended to it (no finished
// run resolves it); a key added to an existing one declares added_later() (left out of the hash
// at the value that computes what runs did before it) or is appended on purpose.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "config/config_schema.h"
#include "tests/support/test_support.h"

TEST(ConfigHashKeys, EveryHashedKeyIsPinnedOrAddedLater) {
  const std::string pinned_path = std::string(RELABEL_TEST_DATA) + "/hashed_keys.txt";
  std::set<std::string> pinned;
  for (const auto& line : relabel::test::split_lines(relabel::test::read_file(pinned_path)))
    if (!line.empty() && line[0] != '#') pinned.insert(line);
  ASSERT_FALSE(pinned.empty()) << pinned_path;

  // A declared key is pinned per owner ("policy.expectile iql"): adding a key to an existing
  // learner changes that learner's hashes even when another learner already declares the path.
  std::set<std::string> hashed;
  for (const auto& key : relabel::config::run_schema()) {
    if (!key.hashed || key.hash_neutral) continue;
    if (key.selector.empty()) hashed.insert(key.path);
    for (const auto& owner : key.used_by) hashed.insert(key.path + " " + owner);
  }

  std::ostringstream added, removed;
  for (const auto& k : hashed)
    if (!pinned.count(k)) added << "  " << k << "\n";
  for (const auto& k : pinned)
    if (!hashed.count(k)) removed << "  " << k << "\n";
  EXPECT_TRUE(added.str().empty())
      << "keys in the config hash that " << pinned_path
      << " does not pin (a declared key as \"path owner\"). A key of a new reward method or "
         "learner: append it to that list (no "
         "finished run resolves it, so no run's hash changes). A key added to an existing "
         "method, learner or the engine: declare it added_later() (neutral at the value that "
         "computes what runs did before the key), since otherwise it changes the hash of every "
         "run that resolves it and their finished runs are refused as another config's; append "
         "it instead only if every such run's identity should change:\n"
      << added.str();
  EXPECT_TRUE(removed.str().empty())
      << "pinned keys no longer in the config hash (removing a key changes the hash of every run "
         "that had it; remove it from the list if that is meant):\n"
      << removed.str();
}

// Declaring cannot throw (keys are declared during static initialisation): an invalid neutral
// value is kept as declared and refused by the startup check
// (RegistrationCheck.AnAddedLaterNeutralValueFollowsTheKeysRule).
TEST(ConfigHashKeys, AddedLaterKeepsTheNeutralValueInTheKeysType) {
  auto key = relabel::param("x", 0.5, "a key").in(0, 1);
  key.added_later(relabel::ConfigValue(int64_t{1}));  // an integer is a valid float
  ASSERT_TRUE(key.hash_neutral.has_value());
  EXPECT_EQ(std::get<double>(*key.hash_neutral), 1.0);
  key.added_later();
  EXPECT_EQ(std::get<double>(*key.hash_neutral), 0.5);
  EXPECT_NO_THROW(key.added_later(relabel::ConfigValue(2.0)));
  EXPECT_EQ(std::get<double>(*key.hash_neutral), 2.0);
}
