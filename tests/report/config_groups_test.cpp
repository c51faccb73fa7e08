// `relabel report` never puts runs of different configurations in one cell: records whose
// config_hash_without_seed differ within a cell get their own method label, except the runs
// the directory's sweep.json lists (docs/formats.md, "result.json").
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "report/aggregate.h"
#include "tests/report/synthetic_runs.h"
#include "tests/support/test_support.h"

using namespace relabel::report;
using relabel::test::TempDir;

namespace {

// Seeds 0 and 1 of two configurations ("a..." and "c..."), one method, one dataset.
void write_two_configs(const std::string& dir) {
  for (const char* config : {"aaaaaaaa11111111", "cccccccc22222222"})
    for (int seed = 0; seed < 2; ++seed) {
      auto r =
          relabel::test::pendulum_run(std::string(1, config[0]) + std::to_string(seed), seed,
                                      config[0] == 'a' ? 80 + seed : 10 + seed, "pendulum-medium");
      r.config_hash_without_seed = config;
      relabel::test::write_run(dir, r);
    }
}

std::vector<std::pair<std::string, int>> groups(const std::string& dir) {
  Aggregation a = aggregate(read_run_directory(dir), AggregateOptions{});
  std::vector<std::pair<std::string, int>> out;
  for (const auto& g : a.groups) out.push_back({g.method, g.n_done});
  return out;
}

using Groups = std::vector<std::pair<std::string, int>>;

}  // namespace

TEST(ConfigGroups, RunsOfTwoConfigurationsInOneDirectoryAreTwoCells) {
  TempDir dir("report-configs");
  write_two_configs(dir.path());
  EXPECT_EQ(groups(dir.path()), (Groups{{"ground_truth+iql (config aaaaaaaa)", 2},
                                        {"ground_truth+iql (config cccccccc)", 2}}));

  // The sweep that owns the directory lists its runs: the others are not runs of it (left out,
  // with a warning: sweep_runs_test.cpp), the listed ones keep the plain label.
  relabel::test::write_file(dir / "sweep.json", R"({"name": "s", "runs": [
      {"id": "c0", "params": {"seed": 0}}, {"id": "c1", "params": {"seed": 1}}]})");
  EXPECT_EQ(groups(dir.path()), (Groups{{"ground_truth+iql", 2}}));
  // Listed runs of two configurations: each configuration gets its own label.
  relabel::test::write_file(dir / "sweep.json", R"({"name": "s", "runs": [
      {"id": "c0", "params": {"seed": 0}}, {"id": "c1", "params": {"seed": 1}},
      {"id": "a0", "params": {"seed": 0}}, {"id": "a1", "params": {"seed": 1}}]})");
  EXPECT_EQ(groups(dir.path()), (Groups{{"ground_truth+iql (config aaaaaaaa)", 2},
                                        {"ground_truth+iql (config cccccccc)", 2}}));
}

TEST(ConfigGroups, OneConfigurationOrRecordsWithoutTheHashKeepThePlainLabel) {
  TempDir dir("report-configs-one");
  for (int seed = 0; seed < 3; ++seed) {
    auto r = relabel::test::pendulum_run("r" + std::to_string(seed), seed, 50, "pendulum-medium");
    // Seed 2's record predates the hash: it joins the cell as before.
    if (seed < 2) r.config_hash_without_seed = "aaaaaaaa11111111";
    relabel::test::write_run(dir.path(), r);
  }
  EXPECT_EQ(groups(dir.path()), (Groups{{"ground_truth+iql", 3}}));
}
