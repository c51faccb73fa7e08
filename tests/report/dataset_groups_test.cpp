// `relabel report` groups runs by dataset identity, not by path alone: one path that held two
// different contents becomes two cells (docs/formats.md, "result.json").
#include <gtest/gtest.h>

#include "report/aggregate.h"
#include "tests/report/synthetic_runs.h"
#include "tests/support/test_support.h"

using namespace relabel::report;
using relabel::test::TempDir;

namespace {

void add_identity(const std::string& dir, const std::string& id, const std::string& checksum) {
  const std::string path = dir + "/runs/" + id + "/result.json";
  auto j = nlohmann::json::parse(relabel::test::read_file(path));
  j["dataset_identity"] = {{"path", "/data/p.hdf5"}, {"rows", 1000}, {"checksum", checksum}};
  relabel::test::write_file(path, j.dump(2));
}

}  // namespace

TEST(DatasetGroups, SamePathDifferentContentIsTwoCells) {
  TempDir dir("report-identity");
  for (int seed = 0; seed < 4; ++seed) {
    const auto r = relabel::test::pendulum_run("s" + std::to_string(seed), seed, 50 + seed);
    relabel::test::write_run(dir.path(), r);
    add_identity(dir.path(), r.id,
                 seed < 2 ? "fnv1a64-sum:aaaaaaaa00000000" : "fnv1a64-sum:bbbbbbbb00000000");
  }
  RunSet set = read_run_directory(dir.path());
  Aggregation a = aggregate(set, AggregateOptions{});
  ASSERT_EQ(a.tasks.size(), 2u);
  EXPECT_EQ(a.tasks[0].dataset, "p (data aaaaaaaa, 1000 rows)");
  EXPECT_EQ(a.tasks[1].dataset, "p (data bbbbbbbb, 1000 rows)");

  // One content only: the plain label.
  for (int seed = 2; seed < 4; ++seed)
    add_identity(dir.path(), "s" + std::to_string(seed), "fnv1a64-sum:aaaaaaaa00000000");
  a = aggregate(read_run_directory(dir.path()), AggregateOptions{});
  ASSERT_EQ(a.tasks.size(), 1u);
  EXPECT_EQ(a.tasks[0].dataset, "p");
}

// Scores normalised with different reference returns never share a cell either (an edited
// ref_max_score attribute between two seeds of a sweep, say).
TEST(DatasetGroups, SameDatasetDifferentReferenceReturnsIsTwoCells) {
  TempDir dir("report-refs");
  auto set_refs = [&](const std::string& id, double lo, double hi) {
    const std::string path = dir.path() + "/runs/" + id + "/result.json";
    auto j = nlohmann::json::parse(relabel::test::read_file(path));
    j["ref_random"] = lo;
    j["ref_expert"] = hi;
    relabel::test::write_file(path, j.dump(2));
  };
  for (int seed = 0; seed < 4; ++seed) {
    const auto r = relabel::test::pendulum_run("s" + std::to_string(seed), seed, 50 + seed);
    relabel::test::write_run(dir.path(), r);
    set_refs(r.id, -1236.0, seed < 2 ? -143.8 : -500.0);
  }
  Aggregation a = aggregate(read_run_directory(dir.path()), AggregateOptions{});
  ASSERT_EQ(a.tasks.size(), 2u);
  EXPECT_EQ(a.tasks[0].dataset, "p (refs -1236..-143.8)");
  EXPECT_EQ(a.tasks[1].dataset, "p (refs -1236..-500)");

  for (int seed = 2; seed < 4; ++seed) set_refs("s" + std::to_string(seed), -1236.0, -143.8);
  a = aggregate(read_run_directory(dir.path()), AggregateOptions{});
  ASSERT_EQ(a.tasks.size(), 1u);
  EXPECT_EQ(a.tasks[0].dataset, "p");
}
