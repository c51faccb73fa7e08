// Aggregation over synthetic run directories: grouping, counts, per-task statistics, curves,
// probability of improvement, missing and malformed runs.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "core/error.h"
#include "report/aggregate.h"
#include "tests/report/synthetic_runs.h"
#include "tests/support/test_support.h"

using namespace relabel::report;
using relabel::test::TempDir;
using relabel::test::write_file;

namespace {

AggregateOptions fast() {
  AggregateOptions o;
  o.bootstrap.reps = 300;
  return o;
}

int find_group(const Aggregation& a, const std::string& method) {
  for (size_t i = 0; i < a.groups.size(); ++i)
    if (a.groups[i].method == method) return static_cast<int>(i);
  return -1;
}

}  // namespace

TEST(Aggregate, GroupsThreeMethodsTwoTasksFiveSeeds) {
  TempDir dir("report-agg");
  relabel::test::write_standard_sweep(dir.path());
  Aggregation a = aggregate(read_run_directory(dir.path()), fast());
  ASSERT_EQ(a.tasks.size(), 2u);
  EXPECT_EQ(a.tasks[0].label(), "hopper-medium");
  EXPECT_EQ(a.tasks[1].label(), "walker2d-medium");
  ASSERT_EQ(a.groups.size(), 3u);
  EXPECT_TRUE(a.hyperparameters.empty()) << "seed must not define groups";
  EXPECT_EQ(a.n_done, 30);
  ASSERT_EQ(a.failed.size(), 1u);
  EXPECT_EQ(a.failed[0].id, "m1t0s5");
  EXPECT_NE(a.failed[0].error.find("NaN in critic loss"), std::string::npos);
  ASSERT_EQ(a.pending.size(), 1u);
  EXPECT_EQ(a.pending[0].id, "m2t1s5");

  for (int m = 0; m < 3; ++m) {
    int g = find_group(a, relabel::test::kMethods[m]);
    ASSERT_GE(g, 0) << relabel::test::kMethods[m];
    const Group& grp = a.groups[g];
    EXPECT_EQ(grp.n_done, 10);
    EXPECT_EQ(grp.n_tasks, 2);
    for (int t = 0; t < 2; ++t) {
      const Cell& c = grp.cells[t];
      EXPECT_EQ(c.n_done, 5);
      EXPECT_NEAR(c.mean, relabel::test::base_score(m, t), 1e-9);
      EXPECT_NEAR(c.std, std::sqrt(10.0), 1e-9);  // ddof = 1 of {-4, -2, 0, 2, 4}
      EXPECT_NEAR(c.median, relabel::test::base_score(m, t), 1e-9);
      EXPECT_NEAR(c.iqm, relabel::test::base_score(m, t), 1e-9);  // {-2, 0, 2} kept
      EXPECT_LE(c.mean_ci.lo, c.mean);
      EXPECT_GE(c.mean_ci.hi, c.mean);
      EXPECT_GE(c.mean_ci.lo, c.mean - 4);
      // Curves: steps 0..5000, every seed at every step, last point the final mean.
      ASSERT_EQ(c.curve.size(), 6u);
      EXPECT_EQ(c.curve.back().step, 5000);
      EXPECT_EQ(c.curve.back().n, 5);
      EXPECT_NEAR(c.curve.back().mean, c.mean, 1e-9);
      EXPECT_NEAR(c.curve.front().mean, 0.0, 1e-12);
    }
    double b0 = relabel::test::base_score(m, 0), b1 = relabel::test::base_score(m, 1);
    EXPECT_NEAR(grp.point.mean, (b0 + b1) / 2, 1e-9);
    EXPECT_NEAR(grp.point.median, (b0 + b1) / 2, 1e-9);
    EXPECT_NEAR(grp.point.optimality_gap, 100 - (b0 + b1) / 2, 1e-9);
    EXPECT_LE(grp.iqm_ci.lo, grp.point.iqm);
    EXPECT_GE(grp.iqm_ci.hi, grp.point.iqm);
  }
  // Counts of the failed and the pending run land in their cells.
  int reload = find_group(a, "reload+iql"), zero = find_group(a, "zero+iql");
  EXPECT_EQ(a.groups[reload].cells[0].n_failed, 1);
  EXPECT_EQ(a.groups[reload].n_failed, 1);
  EXPECT_EQ(a.groups[zero].cells[1].n_pending, 1);
  EXPECT_EQ(a.groups[zero].n_pending, 1);

  // ground_truth beats zero on every seed of every task: P = 1 and 0 the other way round.
  int gt = find_group(a, "ground_truth+iql");
  ASSERT_NE(a.improvement(gt, zero), nullptr);
  EXPECT_DOUBLE_EQ(a.improvement(gt, zero)->probability, 1.0);
  EXPECT_DOUBLE_EQ(a.improvement(zero, gt)->probability, 0.0);
  EXPECT_EQ(a.improvement(gt, zero)->tasks, 2);
  // gt vs reload: hopper {66..74} vs {56..64}, every pair wins (1); walker {76..84} vs
  // {71..79} overlaps: count its wins and ties pair by pair.
  double wins = 0;
  for (int i = -4; i <= 4; i += 2)
    for (int j = -4; j <= 4; j += 2) wins += (80 + i > 75 + j) ? 1 : (80 + i == 75 + j ? 0.5 : 0);
  EXPECT_NEAR(a.improvement(gt, reload)->probability, (1.0 + wins / 25) / 2, 1e-12);
  EXPECT_EQ(a.compared.size(), 3u);
  EXPECT_LE(a.improvement(gt, reload)->ci.lo, a.improvement(gt, reload)->probability);

  // Ranking by IQM: ground truth first.
  EXPECT_EQ(a.ranked_groups().front(), gt);
  // Profile: τ = 0 counts every run, and the grid spans at least [0, 100].
  EXPECT_EQ(a.taus.front(), 0);
  EXPECT_EQ(a.taus.back(), 100);
  EXPECT_DOUBLE_EQ(a.groups[gt].profile.front(), 1.0);
  EXPECT_DOUBLE_EQ(a.groups[gt].profile.back(), 0.0);
}

TEST(Aggregate, SweptHyperparametersDefineGroupsButSeedAndTaskKeysDoNot) {
  TempDir dir("report-hp");
  int n = 0;
  for (double zeta : {0.1, 1.0, 10.0})
    for (int t = 0; t < 2; ++t)
      for (int s = 0; s < 3; ++s) {
        relabel::test::SyntheticRun r;
        r.id = "r" + std::to_string(n++);
        r.task = relabel::test::kTasks[t];
        r.dataset = relabel::test::kDatasets[t];
        r.method = "cdred+iql";
        // task.name zipped with the dataset is the task column, not a hyperparameter.
        r.params = {{"reward.zeta", zeta},
                    {"task.name", r.task},
                    {"seed", s},
                    {"dataset.label_fraction", t == 0 ? 0.1 : 0.5}};
        r.seed = s;
        r.final_score = 50 + 10 * std::log10(zeta) + s;
        write_run(dir.path(), r);
      }
  Aggregation a = aggregate(read_run_directory(dir.path()), fast());
  // label_fraction is fixed by the task here (zipped with it), so it does not split groups.
  ASSERT_EQ(a.hyperparameters, (std::vector<std::string>{"reward.zeta"}));
  EXPECT_EQ(a.hyperparameter_labels, (std::vector<std::string>{"zeta"}));
  ASSERT_EQ(a.groups.size(), 3u);
  EXPECT_EQ(a.groups[0].values[0].text, "0.1");
  EXPECT_EQ(a.groups[2].values[0].text, "10.0");
  EXPECT_EQ(a.groups[0].label, "cdred+iql zeta=0.1");
  EXPECT_NEAR(a.groups[2].point.mean, 61.0, 1e-9);
  EXPECT_EQ(a.groups[1].n_done, 6);
}

TEST(Aggregate, NumericTextParamsOrderAsNumbers) {
  TempDir dir("report-textparams");
  int n = 0;
  for (const char* k : {"10", "2", "0.5"})
    for (int s = 0; s < 2; ++s) {
      relabel::test::SyntheticRun r;
      r.id = "r" + std::to_string(n++);
      r.task = "hopper";
      r.method = "reload+iql";
      r.params = {{"reward.num_targets", k}, {"seed", std::to_string(s)}};
      r.final_score = 10 + s;
      write_run(dir.path(), r);
    }
  Aggregation a = aggregate(read_run_directory(dir.path()), fast());
  ASSERT_EQ(a.groups.size(), 3u);
  EXPECT_EQ(a.groups[0].values[0].text, "0.5");
  EXPECT_EQ(a.groups[1].values[0].text, "2");
  EXPECT_EQ(a.groups[2].values[0].text, "10");
  EXPECT_EQ(*a.groups[2].values[0].number, 10.0);
}

TEST(Aggregate, MalformedFilesAreCountedNotFatal) {
  TempDir dir("report-bad");
  relabel::test::write_standard_sweep(dir.path());
  std::filesystem::create_directories(dir / "runs/broken");
  write_file(dir / "runs/broken/result.json", "{\"id\": \"broken\", \"status\": ");
  std::filesystem::create_directories(dir / "runs/nokey");
  write_file(dir / "runs/nokey/result.json",
             R"({"id": "nokey", "status": "done", "task": "hopper", "final_score": 3})");
  std::filesystem::create_directories(dir / "runs/badscore");
  write_file(dir / "runs/badscore/result.json",
             R"({"status": "done", "task": "hopper", "method": "x", "final_score": "high"})");
  RunSet set = read_run_directory(dir.path());
  ASSERT_EQ(set.malformed.size(), 3u);
  std::string all;
  for (const auto& m : set.malformed) all += m.message + "\n";
  EXPECT_NE(all.find("runs/broken/result.json: invalid JSON"), std::string::npos) << all;
  EXPECT_NE(all.find("runs/nokey/result.json: key 'method' is missing"), std::string::npos) << all;
  EXPECT_NE(all.find("runs/badscore/result.json: key 'final_score' must be a number"),
            std::string::npos)
      << all;
  Aggregation a = aggregate(std::move(set), fast());
  EXPECT_EQ(a.n_done, 30);
  EXPECT_EQ(a.malformed.size(), 3u);
}

TEST(Aggregate, SweepJsonEntriesWithoutRunDirectoriesArePending) {
  // The older "expansion" list (docs/formats.md) and the scheduler's "runs" list (string values, a
  // status each).
  for (const char* list : {"expansion", "runs"}) {
    TempDir dir("report-sweepjson");
    relabel::test::write_standard_sweep(dir.path());
    // Seed 6 of zero+iql on hopper, known only from sweep.json; and one run nothing can place.
    // (A directory it does not list would be no run of it: every one is listed, most by id only.)
    std::string others;
    for (const auto& id : run_directory_names(dir / "runs"))
      if (id != "m0t0s0" && id != "m2t1s5") others += R"({"id": ")" + id + R"("},)";
    write_file(dir / "sweep.json", std::string(R"({"name": "t", ")") + list + R"(": [)" + others +
                                       R"(
        {"id": "m0t0s0", "params": {"seed": "0"}, "status": "done"},
        {"id": "m2t1s5", "params": {"seed": 5}},
        {"id": "new1", "params": {"seed": "6", "task.name": "hopper",
                                  "dataset.name": "hopper-medium", "reward.method": "zero",
                                  "policy.algo": "iql"}, "status": "pending"},
        {"id": "new2", "params": {"seed": 7, "reward.zeta": 3}}
      ]})");
    Aggregation a = aggregate(read_run_directory(dir.path()), fast());
    EXPECT_EQ(a.n_done, 30) << list;
    ASSERT_EQ(a.pending.size(), 3u) << list;  // m2t1s5 (no result.json), new1, new2
    int zero = find_group(a, "zero+iql");
    ASSERT_GE(zero, 0);
    EXPECT_EQ(a.groups.size(), 3u) << list;
    EXPECT_EQ(a.groups[zero].cells[0].n_pending, 1) << list;
    bool saw_unplaced = false;
    for (const auto& r : a.pending)
      if (r.id == "new2") {
        saw_unplaced = true;
        EXPECT_TRUE(r.task.empty());
        EXPECT_NE(r.error.find("sweep.json"), std::string::npos);
      }
    EXPECT_TRUE(saw_unplaced) << list;
  }
}

// A spec that sweeps methods but not the task: pending runs take what their params leave out
// (task, dataset, the other half of the method) from the sweep's base config, relative to the
// spec, so every cell of a partial sweep shows its pending runs.
TEST(Aggregate, PendingRunsTakeTheTaskFromTheSweepsBaseConfig) {
  TempDir dir("report-sweepbase");
  relabel::test::write_standard_sweep(dir.path());
  const int zero_walker_before = [&] {
    Aggregation a = aggregate(read_run_directory(dir.path()), fast());
    return a.groups[find_group(a, "zero+iql")].cells[1].n_pending;
  }();
  std::filesystem::create_directories(dir / "spec/sweeps");
  write_file(dir / "spec/base.toml",
             "[task]\nname = \"hopper\"\n[dataset]\nname = \"hopper-medium\"\n"
             "[reward]\nmethod = \"zero\"\n[policy]\nalgo = \"iql\"\n");
  // m2t1s5 (config.toml only) is listed: a directory sweep.json does not list is a run only
  // with a result.json.
  write_file(dir / "sweep.json", R"({"name": "t", "base": "../base.toml", "spec_path": ")" +
                                     (dir / "spec/sweeps/t.toml") + R"(", "runs": [
        {"id": "m2t1s5", "params": {"seed": 5}},
        {"id": "p1", "params": {"seed": 8, "reward.method": "cdred"}, "status": "pending"},
        {"id": "p2", "params": {"seed": 8, "dataset.name": "walker2d-medium",
                                "task.name": "walker2d"}, "status": "pending"}
      ]})");
  Aggregation a = aggregate(read_run_directory(dir.path()), fast());
  int cdred = find_group(a, "cdred+iql"), zero = find_group(a, "zero+iql");
  ASSERT_GE(cdred, 0);
  ASSERT_GE(zero, 0);
  ASSERT_EQ(a.tasks[0].label(), "hopper-medium");
  ASSERT_EQ(a.tasks[1].label(), "walker2d-medium");
  EXPECT_EQ(a.groups[cdred].cells[0].n_pending, 1);  // p1: the base's task and dataset
  EXPECT_EQ(a.groups[cdred].cells[1].n_pending, 0);
  // p2: its own task, the base's method.
  EXPECT_EQ(a.groups[zero].cells[1].n_pending, zero_walker_before + 1);
  // Without the base config, p1 cannot be placed (as before).
  std::filesystem::remove(dir / "spec/base.toml");
  a = aggregate(read_run_directory(dir.path()), fast());
  EXPECT_LT(find_group(a, "cdred+iql"), 0);
}

// A method's label can depend on its keys (imputation's baselines: "imputation-labels_only").
// Runs not yet done must land in the cell of the runs that are, never in a row of their own
// that says the cell has nothing pending: by the labels the sweep writes into sweep.json; for an
// older sweep.json without them, by a finished sibling's labels (same params but the seed), else
// by the label of the same method configuration on other data; the sweep's labels also win over
// a started run's config.toml (its raw reward.method).
TEST(Aggregate, PendingRunsJoinTheCellOfAMethodLabelDerivedFromItsKeys) {
  TempDir dir("report-labels");
  auto params = [](const char* baseline, const char* dataset, int seed) {
    return nlohmann::json{{"reward.method", "imputation"},
                          {"reward.baseline", baseline},
                          {"task.name", "hopper"},
                          {"dataset.name", dataset},
                          {"seed", seed}};
  };
  auto done = [&](const std::string& id, const char* baseline, int seed, double score) {
    relabel::test::SyntheticRun r;
    r.id = id;
    r.task = "hopper";
    r.dataset = "hopper-medium";
    r.method = std::string("imputation-") + baseline + "+td3bc";
    r.params = params(baseline, "hopper-medium", seed);
    r.seed = seed;
    r.final_score = score;
    relabel::test::write_run(dir.path(), r);
  };
  done("lo0", "labels_only", 0, 2.0);
  done("full0", "full", 0, 40.0);
  // A running run's record keeps its own labels (written by another version, say) over the
  // sweep's.
  {
    relabel::test::SyntheticRun r;
    r.id = "old1";
    r.status = "running";
    r.task = "hopper";
    r.dataset = "hopper-medium";
    r.method = "imputation-v0+td3bc";
    r.params = params("none", "hopper-medium", 1);
    r.seed = 1;
    relabel::test::write_run(dir.path(), r);
  }
  // A started run without result.json: its config.toml names only reward.method.
  std::filesystem::create_directories(dir / "runs/full2");
  write_file(dir / "runs/full2/config.toml",
             "seed = 2\n[task]\nname = \"hopper\"\n[dataset]\nname = \"hopper-medium\"\n"
             "[reward]\nmethod = \"imputation\"\nbaseline = \"full\"\n"
             "[policy]\nalgo = \"td3bc\"\n");
  auto entry = [&](const std::string& id, const char* baseline, const char* dataset, int seed,
                   bool labels) {
    nlohmann::json e = {{"id", id}, {"params", params(baseline, dataset, seed)}};
    if (labels) {
      e["task"] = "hopper";
      e["dataset"] = dataset;
      e["method"] = std::string("imputation-") + baseline + "+td3bc";
    }
    e["status"] = "pending";
    return e;
  };
  for (bool labels : {false, true}) {
    nlohmann::json sweep = {{"name", "t"}};
    sweep["runs"] = {entry("lo0", "labels_only", "hopper-medium", 0, labels),
                     entry("lo1", "labels_only", "hopper-medium", 1, labels),
                     entry("full0", "full", "hopper-medium", 0, labels),
                     entry("full1", "full", "hopper-medium", 1, labels),
                     entry("full2", "full", "hopper-medium", 2, labels),
                     entry("fullx0", "full", "hopper-medium-expert", 0, labels),
                     entry("old1", "none", "hopper-medium", 1, labels)};
    write_file(dir / "sweep.json", sweep.dump());
    Aggregation a = aggregate(read_run_directory(dir.path()), fast());
    std::string groups;
    for (const auto& g : a.groups) groups += g.method + "; ";
    ASSERT_EQ(a.tasks.size(), 2u) << groups;
    ASSERT_EQ(a.tasks[1].label(), "hopper-medium-expert");
    int lo = find_group(a, "imputation-labels_only+td3bc");
    int full = find_group(a, "imputation-full+td3bc");
    ASSERT_GE(lo, 0) << groups;
    ASSERT_GE(full, 0) << groups;
    EXPECT_EQ(a.groups[lo].cells[0].n_pending, 1) << groups;
    // fullx0, on data no full run has finished on: by the sweep's label, or by full0's.
    EXPECT_EQ(a.groups[full].cells[1].n_pending, 1) << groups;
    ASSERT_GE(find_group(a, "imputation-v0+td3bc"), 0) << groups;
    EXPECT_EQ(a.groups[find_group(a, "imputation-v0+td3bc")].cells[0].n_pending, 1) << groups;
    if (labels) {
      // full1 (no directory) and full2 (config.toml only) by the sweep's labels.
      EXPECT_EQ(a.groups[full].cells[0].n_pending, 2) << groups;
      EXPECT_EQ(a.groups.size(), 3u) << groups;  // no "imputation+td3bc" row of pending runs
    } else {
      // full1 by its finished sibling; full2's config.toml has only the raw name, as before.
      EXPECT_EQ(a.groups[full].cells[0].n_pending, 1) << groups;
      EXPECT_GE(find_group(a, "imputation+td3bc"), 0) << groups;
      EXPECT_EQ(a.groups.size(), 4u) << groups;
    }
  }
}

TEST(Aggregate, RunningAndPreemptedRecordsArePendingAndCurveCsvIsRead) {
  TempDir dir("report-status");
  relabel::test::SyntheticRun r;
  r.id = "a";
  r.task = "pendulum";
  r.method = "ground_truth+td3bc";
  r.final_score = 40;
  r.curve_points = 0;
  write_run(dir.path(), r);
  write_file(dir / "runs/a/curve.csv", "step,return,score\n0,-1200,10\n500,-600,40\n");
  r.id = "b";
  r.status = "preempted";
  write_run(dir.path(), r);
  Aggregation a = aggregate(read_run_directory(dir.path()), fast());
  ASSERT_EQ(a.groups.size(), 1u);
  const Cell& c = a.groups[0].cells[0];
  EXPECT_EQ(c.n_done, 1);
  EXPECT_EQ(c.n_pending, 1);
  ASSERT_EQ(c.curve.size(), 2u);
  EXPECT_EQ(c.curve[1].step, 500);
  EXPECT_EQ(c.curve[1].mean, 40);
  EXPECT_TRUE(std::isnan(c.std));
  ASSERT_EQ(a.pending.size(), 1u);
  EXPECT_EQ(a.pending[0].status, "preempted");
}

TEST(Aggregate, MissingDirectoryIsAnInputError) {
  EXPECT_THROW(read_run_directory("/nonexistent/sweep"), relabel::Error);
  TempDir empty("report-empty");
  try {
    read_run_directory(empty.path());
    FAIL() << "expected an error";
  } catch (const relabel::Error& e) {
    EXPECT_NE(std::string(e.what()).find("neither runs/ nor sweep.json"), std::string::npos);
  }
}

TEST(Aggregate, AFailureBeforeTheFirstRecordIsAFailedRun) {
  // run/run_pipeline.cpp records a run that fails before writing its first record as
  // {status, error, finished_at} alone: a failed run (id from its directory), not a malformed file.
  TempDir dir("report-bare-failure");
  relabel::test::write_standard_sweep(dir.path());
  std::filesystem::create_directories(dir / "runs/early");
  write_file(dir / "runs/early/result.json",
             R"({"error": "runs/early/config.toml: cannot rename temporary file into place",
                 "finished_at": "2026-01-01T00:00:00Z", "status": "failed"})");
  RunSet set = read_run_directory(dir.path());
  EXPECT_TRUE(set.malformed.empty());
  Aggregation a = aggregate(std::move(set), fast());
  EXPECT_EQ(a.n_done, 30);
  ASSERT_EQ(a.failed.size(), 2u);  // the standard sweep's failed run and this one
  EXPECT_EQ(a.failed[0].id, "early");
  EXPECT_NE(a.failed[0].error.find("cannot rename"), std::string::npos);
}

TEST(Aggregate, RecordsTakeTheirIdFromTheDirectoryAndTheirSeedFromParams) {
  TempDir dir("report-fallbacks");
  std::filesystem::create_directories(dir / "runs/r1");
  write_file(dir / "runs/r1/result.json",
             R"({"status": "done", "task": "t", "method": "m", "final_score": 5,
                 "params": {"seed": "4"}})");
  RunSet set = read_run_directory(dir.path());
  ASSERT_EQ(set.runs.size(), 1u);
  EXPECT_EQ(set.runs[0].id, "r1");
  EXPECT_EQ(set.runs[0].seed, 4);
}

// As relabel status shows it: a record still "running" whose directory lock nobody holds (the
// writer was killed) is "interrupted"; without a lock file to ask, it stays "running".
TEST(Aggregate, ARunningRecordWhoseWriterDiedIsInterrupted) {
  TempDir dir("report-interrupted");
  for (const char* id : {"dead", "old"}) {
    relabel::test::SyntheticRun r;
    r.id = id;
    r.status = "running";
    r.task = "pendulum";
    r.dataset = "pendulum-medium";
    r.method = "ground_truth+iql";
    r.final_score = 10;
    write_run(dir.path(), r);
  }
  write_file(dir / "runs/dead/.relabel.lock", "");  // held by no process
  RunSet set = read_run_directory(dir.path());
  ASSERT_EQ(set.runs.size(), 2u);
  EXPECT_EQ(set.runs[0].id, "dead");
  EXPECT_EQ(set.runs[0].status, "interrupted");
  EXPECT_EQ(set.runs[1].status, "running");
  Aggregation a = aggregate(set, fast());
  ASSERT_EQ(a.groups.size(), 1u);
  EXPECT_EQ(a.groups[0].n_pending, 2);
}
