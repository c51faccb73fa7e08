// Write-back (to_toml loads back to an equal config), the config hash, documented defaults.
#include <gtest/gtest.h>

#include <toml++/toml.h>

#include <set>

#include "config/config_schema.h"
#include "config/config_write.h"
#include "tests/config/config_test_util.h"

using relabel::config::config_hash;
using relabel::config::load_run_config;
using relabel::config::to_toml;
using relabel::test::kValidHead;
using relabel::test::TempDir;
using relabel::test::write_file;

TEST(ConfigWrite, RoundTripLoadsBackEqual) {
  TempDir dir;
  auto path = dir / "a.toml";
  write_file(path, std::string("name = \"rt\"\nseed = 42\n") + kValidHead);
  auto a = load_run_config(
      path, {"task.ref_min_score=-1e-05", "task.ref_max_score=1234.5678", "policy.expectile=0.1",
             "reward.method=imputation", "reward.lr=3e-7", "train.steps=123456",
             "policy.deterministic_actor=true", "reward.baseline=full", "output.dir=out/rt"});
  auto text = to_toml(a);
  auto back_path = dir / "b.toml";
  write_file(back_path, text);
  auto b = load_run_config(back_path);
  EXPECT_TRUE(a == b) << text << "\n---\n" << to_toml(b);
  EXPECT_EQ(text, to_toml(b));
  EXPECT_EQ(b.task.ref_min_score, -1e-05);
  EXPECT_EQ(b.output.dir, "out/rt");
  // A changed key breaks equality.
  b.policy.params.set("expectile", 0.2);
  EXPECT_FALSE(a == b);
}

TEST(ConfigWrite, RoundTripOfEveryDefaultKey) {
  // The resolved defaults (with a dataset) survive write/load with every key present.
  TempDir dir;
  auto path = dir / "d.toml";
  write_file(path, kValidHead);
  auto a = load_run_config(path);
  auto text = to_toml(a);
  auto table = toml::parse(text);
  // Exactly the keys the run uses: the engine's, and those its method and learner declare.
  size_t keys = 0;
  for (const auto& key : relabel::config::run_schema()) {
    if (key.optional) continue;  // unset optional floats are left out
    const bool used = relabel::config::key_in_use(key, a);
    EXPECT_EQ(static_cast<bool>(table.at_path(key.path)), used) << key.path << " in\n" << text;
    keys += used;
  }
  EXPECT_GT(keys, 35u);
  write_file(dir / "e.toml", text);
  EXPECT_TRUE(a == load_run_config(dir / "e.toml"));
}

TEST(ConfigWrite, StringsAreEscaped) {
  TempDir dir;
  write_file(dir / "d.toml", kValidHead);
  auto a = load_run_config(dir / "d.toml", {"output.dir=\"a\\\"b\\\\c\\td\""});
  EXPECT_EQ(a.output.dir, "a\"b\\c\td");
  write_file(dir / "e.toml", to_toml(a));
  EXPECT_EQ(load_run_config(dir / "e.toml").output.dir, a.output.dir);
}

TEST(ConfigWrite, HashIsStableAndIgnoresOutputDir) {
  TempDir dir;
  write_file(dir / "d.toml", kValidHead);
  auto a = load_run_config(dir / "d.toml");
  auto h = config_hash(a);
  EXPECT_EQ(h.size(), 16u);
  EXPECT_EQ(h.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(config_hash(load_run_config(dir / "d.toml")), h);
  auto b = a;
  b.output.dir = "elsewhere";
  b.source_path = "other.toml";
  EXPECT_EQ(config_hash(b), h);
  b.seed = 1;
  EXPECT_NE(config_hash(b), h);
  b = a;
  b.policy.params.set("expectile", std::nextafter(0.7, 2.0));  // the last bit of a float counts
  EXPECT_NE(config_hash(b), h);
  // Keys of methods the run does not use are not part of its identity.
  b = a;
  b.reward.params.set("zeta", 0.5);  // ground_truth does not declare zeta
  EXPECT_EQ(config_hash(b), h);
  // Another file, named as d.toml (the name is hashed), that sets cdred's zeta.
  write_file(dir / "z.toml", std::string("name = \"d\"\n") + kValidHead + "[reward]\nzeta = 0.5\n");
  b = relabel::config::load_run_config(dir / "z.toml");
  EXPECT_EQ(config_hash(b), h);  // resolution drops what the method does not declare
  EXPECT_FALSE(b.reward.params.has("zeta"));
}

TEST(ConfigWrite, DefaultsTextIsValidTomlDocumentingEveryKey) {
  auto text = relabel::config::defaults_toml();
  toml::table table;
  ASSERT_NO_THROW(table = toml::parse(text)) << text;
  for (const auto& key : relabel::config::run_schema()) {
    bool commented = key.optional || !key.derived.empty();
    EXPECT_EQ(static_cast<bool>(table.at_path(key.path)), !commented) << key.path;
    EXPECT_NE(text.find(key.doc), std::string::npos) << key.path;
  }
  EXPECT_NE(text.find("# IQL expectile of the value loss [policy.algo = iql]; in (0, 1)\n"
                      "expectile = 0.7\n"),
            std::string::npos)
      << text;
  // A key two methods declare with different rules documents both.
  EXPECT_NE(text.find("default: per reward.method: cdred 0.9 (in [0, 1]); reload 1.0 (> 0)"),
            std::string::npos)
      << text;
}
