// sweep.json keeps each swept value's TOML type (numbers as JSON numbers, booleans as booleans,
// strings as strings) and records the --set overrides applied to the base (issue 17, 3b/3d).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "sweeps/scheduler.h"
#include "tests/sweeps/spec_test_util.h"

namespace {

using nlohmann::json;
using relabel::test::read_file;
using relabel::test::TempDir;
using relabel::test::write_sweep;

TEST(SweepJson, ParamsKeepTheirTypeAndOverridesAreRecorded) {
  TempDir dir;
  const std::string spec = write_sweep(dir,
                                       "base = \"base.toml\"\nseeds = [0, 1]\n"
                                       "[grid]\n\"reward.beta\" = [0.5, 2.0]\n"
                                       "\"policy.hidden\" = [64]\n"
                                       "\"policy.normalize_obs\" = [true, false]\n"
                                       "\"policy.reward_scaling\" = [\"none\"]\n",
                                       "[reward]\nmethod = \"reload\"\n");
  relabel::sweeps::SweepOptions options;
  options.overrides = {"train.steps=500", "policy.temperature=2.0"};
  options.out_dir = dir / "out";
  auto s = relabel::sweeps::load_sweep(spec, options);
  ASSERT_EQ(s.runs.size(), 8u);
  relabel::sweeps::write_sweep_json(s);
  const json j = json::parse(read_file(dir / "out/sweep.json"));
  EXPECT_EQ(j["overrides"], json({"train.steps=500", "policy.temperature=2.0"}));
  ASSERT_EQ(j["runs"].size(), 8u);
  for (const auto& run : j["runs"]) {
    const json& p = run["params"];
    EXPECT_TRUE(p["reward.beta"].is_number_float()) << p;
    EXPECT_TRUE(p["policy.hidden"].is_number_integer()) << p;
    EXPECT_EQ(p["policy.hidden"], 64);
    EXPECT_TRUE(p["policy.normalize_obs"].is_boolean()) << p;
    EXPECT_EQ(p["policy.reward_scaling"], "none");
    EXPECT_TRUE(p["seed"].is_number_integer()) << p;
  }
  EXPECT_EQ(j["runs"][0]["params"]["reward.beta"].get<double>(), 0.5);
  EXPECT_EQ(j["runs"][0]["params"]["policy.normalize_obs"], true);
  EXPECT_EQ(j["runs"][2]["params"]["policy.normalize_obs"], false);
  EXPECT_EQ(j["runs"][1]["params"]["seed"], 1);

  // Without --set the list is there, empty.
  auto plain = relabel::sweeps::load_sweep(spec, {{}, dir / "plain"});
  relabel::sweeps::write_sweep_json(plain);
  EXPECT_EQ(json::parse(read_file(dir / "plain/sweep.json"))["overrides"], json::array());
}

}  // namespace

// Each entry carries the task, dataset and method labels its result.json will carry, so a report
// places runs not yet started in their cells (a method label can depend on the method's keys).
TEST(SweepJson, EntriesCarryTheLabelsTheirRunsWillRecord) {
  TempDir dir;
  const std::string spec =
      write_sweep(dir,
                  "base = \"base.toml\"\nseeds = [0]\n"
                  "[grid]\n\"reward.baseline\" = [\"none\", \"labels_only\"]\n",
                  "[reward]\nmethod = \"imputation\"\n"
                  "[policy]\nalgo = \"td3bc\"\n");
  relabel::sweeps::SweepOptions options;
  options.out_dir = dir / "out";
  auto s = relabel::sweeps::load_sweep(spec, options);
  ASSERT_EQ(s.runs.size(), 2u);
  relabel::sweeps::write_sweep_json(s);
  const json j = json::parse(read_file(dir / "out/sweep.json"));
  ASSERT_EQ(j["runs"].size(), 2u);
  EXPECT_EQ(j["runs"][0]["method"], "imputation+td3bc");
  EXPECT_EQ(j["runs"][1]["method"], "imputation-labels_only+td3bc");
  for (const auto& run : j["runs"]) {
    EXPECT_EQ(run["task"], s.runs[0].config.task.name) << run;
    EXPECT_EQ(run["dataset"], s.runs[0].config.dataset.name) << run;
    EXPECT_FALSE(run["dataset"].get<std::string>().empty()) << run;
  }
}
