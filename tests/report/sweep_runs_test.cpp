// Where a run the report knows little about goes: a dataset file has one label however a run
// names it (its record, a started run's config.toml, the sweep's base config).
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "report/aggregate.h"
#include "tests/report/synthetic_runs.h"
#include "tests/support/test_support.h"

using nlohmann::json;
using relabel::test::read_file;
using relabel::test::run_relabel;
using relabel::test::TempDir;
using relabel::test::write_file;

namespace {

// A run of the sweep below: pendulum on the file medium-expert.hdf5 (labelled by its stem, as
// run::dataset_label does), method REWARD+ALGO, the zip's keys and the seed as params.
json params(const std::string& reward, const std::string& algo, int seed) {
  return {{"reward.method", reward}, {"policy.algo", algo}, {"seed", seed}};
}

relabel::test::SyntheticRun done_run(const std::string& id, const std::string& reward,
                                     const std::string& algo, int seed, double score) {
  relabel::test::SyntheticRun r;
  r.id = id;
  r.task = "pendulum";
  r.dataset = "medium-expert";
  r.method = reward + "+" + algo;
  r.params = params(reward, algo, seed);
  r.seed = seed;
  r.final_score = score;
  return r;
}

json entry(const std::string& id, const std::string& reward, const std::string& algo, int seed,
           bool labels = true) {
  json e = {{"id", id}, {"params", params(reward, algo, seed)}, {"status", "done"}};
  if (labels) {
    e["task"] = "pendulum";
    e["dataset"] = "medium-expert";
    e["method"] = reward + "+" + algo;
  }
  return e;
}

// sweep.json as the scheduler writes it, with a base config that names the dataset by its path
// (and no reward method: the zip sets it).
void write_sweep_json(const TempDir& dir, const json& runs) {
  write_file(
      dir / "base.toml",
      "[task]\nname = \"pendulum\"\n[dataset]\npath = \"/data/pendulum/medium-expert.hdf5\"\n"
      "[policy]\nalgo = \"iql\"\n");
  json sweep = {
      {"name", "s"}, {"spec_path", dir / "spec.toml"}, {"base", "base.toml"}, {"runs", runs}};
  write_file(dir / "sweep.json", sweep.dump(2));
}

}  // namespace

// A dataset given by its path is labelled by the file's stem wherever the report finds it: in a
// run's record, in a started run's config.toml, in the sweep's base config (older sweep.json
// entries without labels). Never a column of its own for the full path.
TEST(SweepRuns, DatasetPathHasOneLabelInRecordsConfigsAndTheBaseConfig) {
  TempDir dir("report-dataset-label");
  relabel::test::write_run(dir.path(), done_run("g0", "ground_truth", "iql", 0, 60));
  // Started, no record yet: only its config.toml.
  std::filesystem::create_directories(dir / "runs/g1");
  write_file(dir / "runs/g1/config.toml",
             "seed = 1\n[task]\nname = \"pendulum\"\n[dataset]\n"
             "path = \"/data/pendulum/medium-expert.hdf5\"\n[reward]\nmethod = \"ground_truth\"\n"
             "[policy]\nalgo = \"iql\"\n");
  // Not started, from an older sweep.json: its labels come from the base config.
  write_sweep_json(dir, json::array({entry("g0", "ground_truth", "iql", 0, false),
                                     entry("g1", "ground_truth", "iql", 1, false),
                                     entry("c2", "cdred", "iql", 2, false)}));
  relabel::report::Aggregation a =
      relabel::report::aggregate(relabel::report::read_run_directory(dir.path()));
  std::string labels;
  for (const auto& t : a.tasks) labels += "[" + t.label() + "]";
  ASSERT_EQ(a.tasks.size(), 1u) << labels;
  EXPECT_EQ(a.tasks[0].label(), "pendulum medium-expert");
  ASSERT_EQ(a.groups.size(), 2u);
  EXPECT_EQ(a.groups[0].method, "cdred+iql");
  EXPECT_EQ(a.groups[0].cells[0].n_pending, 1);
  EXPECT_EQ(a.groups[1].method, "ground_truth+iql");
  EXPECT_EQ(a.groups[1].cells[0].n_done, 1);
  EXPECT_EQ(a.groups[1].cells[0].n_pending, 1);
}
