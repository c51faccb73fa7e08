// Which directories under runs/ are runs, and where a run the report knows little about goes:
// sweep.json's labels place a minimal failed record (status, error, finished_at only) in its
// cell, a dataset file has one label however a run names it, directories sweep.json does not
// list and that hold no record are not runs, and a directory without a record or a lock file is
// pending. `relabel status` and `relabel report` count these alike.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "report/aggregate.h"
#include "report/status.h"
#include "tests/report/synthetic_runs.h"
#include "tests/support/test_support.h"

using nlohmann::json;
using relabel::test::count;
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

std::string status_counts(const std::string& dir) {
  const std::string text =
      relabel::report::format_sweep_status(relabel::report::read_sweep_status(dir), false);
  const auto at = text.find("  done ");
  return text.substr(at + 2, text.find('\n', at) - at - 2);
}

}  // namespace

// A run that failed before its first record leaves status, error and finished_at: sweep.json
// names its task, dataset, method and params, so it is counted in its cell (the header's totals
// are the cells' sums) and listed with them.
TEST(SweepRuns, MinimalFailedRecordTakesItsCellAndLabelsFromSweepJson) {
  TempDir dir("report-minimal-failed");
  relabel::test::write_run(dir.path(), done_run("g0", "ground_truth", "td3bc", 0, 60));
  relabel::test::write_run(dir.path(), done_run("g1", "ground_truth", "td3bc", 1, 62));
  relabel::test::write_run(dir.path(), done_run("z0", "zero", "bc", 0, 40));
  std::filesystem::create_directories(dir / "runs/z1");
  write_file(dir / "runs/z1/result.json",
             R"({"status": "failed", "error": "boom", "finished_at": "2026-12-07T00:00:00Z"})");
  write_sweep_json(
      dir, json::array({entry("g0", "ground_truth", "td3bc", 0), entry("z0", "zero", "bc", 0),
                        entry("g1", "ground_truth", "td3bc", 1), entry("z1", "zero", "bc", 1)}));
  auto r = run_relabel("report " + dir.path() + " --no-plots --bootstrap-reps 50");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("3 done, 1 failed, 0 pending (1 tasks, 2 groups"), std::string::npos)
      << r.output;

  const std::string summary = read_file(dir / "summary.csv");
  EXPECT_EQ(count(summary, "\n"), 3u) << summary;  // header + 2 groups on one task
  EXPECT_NE(summary.find("\npendulum,medium-expert,zero+bc,1,1,0,0,40,"), std::string::npos)
      << summary;
  EXPECT_NE(summary.find("\npendulum,medium-expert,ground_truth+td3bc,2,0,0,0,61,"),
            std::string::npos)
      << summary;

  const std::string md = read_file(dir / "report.md");
  EXPECT_NE(md.find("| method | pendulum medium-expert |"), std::string::npos) << md;
  EXPECT_NE(md.find("| zero+bc | 40.0 (n=1; 1 failed) |"), std::string::npos) << md;
  EXPECT_NE(md.find("| z1 | pendulum medium-expert | zero+bc | policy.algo=bc, reward.method=zero, "
                    "seed=1 | boom |"),
            std::string::npos)
      << md;

  const std::string runs = read_file(dir / "runs.csv");
  EXPECT_NE(runs.find("\nz1,failed,pendulum,medium-expert,zero+bc,bc,zero,1,,,\n"),
            std::string::npos)
      << runs;
  EXPECT_EQ(status_counts(dir.path()),
            "done 3, running 0, failed 1, preempted 0, interrupted 0, pending 0");
}

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

namespace {

// A sweep.json listing two done ground-truth IQL runs, g0 (60) and g1 (62), and their folders.
void write_two_listed_runs(const TempDir& dir) {
  relabel::test::write_run(dir.path(), done_run("g0", "ground_truth", "iql", 0, 60));
  relabel::test::write_run(dir.path(), done_run("g1", "ground_truth", "iql", 1, 62));
  write_sweep_json(dir, json::array({entry("g0", "ground_truth", "iql", 0),
                                     entry("g1", "ground_truth", "iql", 1)}));
}

// The report of write_two_listed_runs' directory holds those two runs in one cell, nothing else.
void expect_only_the_two_listed_runs(const TempDir& dir, const std::string& output) {
  EXPECT_NE(output.find("2 done, 0 failed, 0 pending (1 tasks, 1 groups"), std::string::npos)
      << output;
  const std::string summary = read_file(dir / "summary.csv");
  EXPECT_EQ(count(summary, "\n"), 2u) << summary;
  EXPECT_NE(summary.find("\npendulum,medium-expert,ground_truth+iql,2,0,0,0,61,"),
            std::string::npos)
      << summary;
}

}  // namespace

// A folder under runs/ that sweep.json does not list and that holds no result.json is no run (a
// notebook's checkpoints, notes, a run of an older spec that never wrote a record): no pending
// count, no task column, no warning. A hidden folder is never a run, with or without sweep.json.
TEST(SweepRuns, UnlistedDirectoriesWithoutARecordAreNotRuns) {
  TempDir dir("report-unlisted");
  write_two_listed_runs(dir);
  std::filesystem::create_directories(dir / "runs/.ipynb_checkpoints");
  std::filesystem::create_directories(dir / "runs/notes");
  write_file(dir / "runs/notes/todo.txt", "rerun seed 3\n");
  std::filesystem::create_directories(dir / "runs/old");
  write_file(
      dir / "runs/old/config.toml",
      "seed = 0\n[task]\nname = \"pendulum\"\n[dataset]\npath = \"/data/pendulum/other.hdf5\"\n"
      "[reward]\nmethod = \"zero\"\n[policy]\nalgo = \"iql\"\n");

  auto r = run_relabel("report " + dir.path() + " --no-plots --bootstrap-reps 50");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  expect_only_the_two_listed_runs(dir, r.output);
  const std::string md = read_file(dir / "report.md");
  EXPECT_NE(md.find("| method | pendulum medium-expert |"), std::string::npos) << md;
  EXPECT_EQ(md.find("other"), std::string::npos) << md;
  EXPECT_EQ(read_file(dir / "runs.csv").find("notes"), std::string::npos);
  EXPECT_EQ(status_counts(dir.path()),
            "done 2, running 0, failed 0, preempted 0, interrupted 0, pending 0");

  // Without sweep.json every visible folder is a run (not started: pending), the hidden one not.
  std::filesystem::remove(dir / "sweep.json");
  r = run_relabel("report " + dir.path() + " --no-plots --bootstrap-reps 50");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("2 done, 0 failed, 2 pending"), std::string::npos) << r.output;
  EXPECT_EQ(read_file(dir / "runs.csv").find("ipynb"), std::string::npos);
  EXPECT_EQ(status_counts(dir.path()),
            "done 2, running 0, failed 0, preempted 0, interrupted 0, pending 2");
}

// A run locks its directory before writing anything there: without a record, a held lock is a
// run starting up, a lock nobody holds a run that died before its first record, and no lock
// file at all nothing relabel started (an empty folder, a copied config): pending, as the report
// counts it.
TEST(SweepRuns, DirectoryWithoutRecordOrLockIsPendingInStatusAndReport) {
  TempDir dir("report-no-record");
  relabel::test::write_run(dir.path(), done_run("g0", "ground_truth", "iql", 0, 60));
  std::filesystem::create_directories(dir / "runs/empty");
  std::filesystem::create_directories(dir / "runs/configured");
  write_file(dir / "runs/configured/config.toml",
             "seed = 1\n[task]\nname = \"pendulum\"\n[dataset]\n"
             "path = \"/data/pendulum/medium-expert.hdf5\"\n[reward]\nmethod = \"ground_truth\"\n"
             "[policy]\nalgo = \"iql\"\n");
  std::filesystem::create_directories(dir / "runs/dead");
  write_file(dir / "runs/dead/.relabel.lock", "node7 4242 2026-01-01T00:00:00Z\n");

  relabel::report::SweepStatus st = relabel::report::read_sweep_status(dir.path());
  ASSERT_EQ(st.runs.size(), 4u);
  EXPECT_EQ(st.runs[0].id, "configured");
  EXPECT_EQ(st.runs[0].status, "pending");
  EXPECT_EQ(st.runs[1].id, "dead");
  EXPECT_EQ(st.runs[1].status, "interrupted");
  EXPECT_EQ(st.runs[2].id, "empty");
  EXPECT_EQ(st.runs[2].status, "pending");
  EXPECT_EQ(status_counts(dir.path()),
            "done 1, running 0, failed 0, preempted 0, interrupted 1, pending 2");

  auto r = run_relabel("report " + dir.path() + " --no-plots --bootstrap-reps 50");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("1 done, 0 failed, 3 pending"), std::string::npos) << r.output;
  const std::string runs = read_file(dir / "runs.csv");
  EXPECT_NE(runs.find("\nconfigured,pending,pendulum,medium-expert,ground_truth+iql,"),
            std::string::npos)
      << runs;
  EXPECT_NE(runs.find("\ndead,interrupted,"), std::string::npos) << runs;
  EXPECT_NE(runs.find("\nempty,pending,"), std::string::npos) << runs;
  // The configured run joins the done run's cell.
  EXPECT_NE(
      read_file(dir / "summary.csv").find("\npendulum,medium-expert,ground_truth+iql,1,0,1,0,60,"),
      std::string::npos);
}

// With a sweep.json the sweep's runs are the ones it lists, for status and report alike: a folder
// holding a result.json that it does not list (a run copied in from elsewhere, here one whose
// record even claims a listed run's id, and a malformed one) is not counted, not in any table
// and not listed as malformed; both commands name the folders in one warning line. (The report
// used to aggregate such a record into the sweep's cells while status did not count it.)
TEST(SweepRuns, UnlistedRunFoldersAreLeftOutOfStatusAndReportWithOneWarning) {
  TempDir dir("report-unlisted-records");
  write_two_listed_runs(dir);
  relabel::test::write_run(dir.path(), done_run("copied", "ground_truth", "iql", 2, 0));
  relabel::test::write_run(dir.path(), done_run("other", "zero", "iql", 0, 10));
  std::filesystem::create_directories(dir / "runs/torn");
  write_file(dir / "runs/torn/result.json", "{\"status\": ");
  // A record copied into a folder of another name keeps its id: it must not replace g0's.
  json copied = json::parse(read_file(dir / "runs/copied/result.json"));
  copied["id"] = "g0";
  write_file(dir / "runs/copied/result.json", copied.dump());
  const std::string warning =
      dir.path() + "/runs: 3 folders with a result.json that " + dir.path() +
      "/sweep.json does not list, left out (not runs of this sweep): copied, other, torn\n";

  auto r = run_relabel("report " + dir.path() + " --no-plots --bootstrap-reps 50");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(count(r.output, "left out"), 1u) << r.output;
  EXPECT_EQ(count(r.output, "warning: " + warning), 1u) << r.output;
  expect_only_the_two_listed_runs(dir, r.output);
  const std::string runs = read_file(dir / "runs.csv");
  EXPECT_EQ(count(runs, "\n"), 3u) << runs;  // header, g0, g1
  EXPECT_EQ(read_file(dir / "report.md").find("Malformed"), std::string::npos);

  auto s = run_relabel("status " + dir.path());
  ASSERT_EQ(s.exit_code, 0) << s.output;
  EXPECT_EQ(count(s.output, "warning: " + warning), 1u) << s.output;
  EXPECT_EQ(status_counts(dir.path()),
            "done 2, running 0, failed 0, preempted 0, interrupted 0, pending 0");
}

// Without sweep.json a failed run counts in its cell when its record names it (task, method, or
// params that place it), and a minimal failed record (status, error, finished_at) that names
// nothing is listed under "Failed runs" by its folder's name, with task and method unknown, and
// counted in the totals. It is not put into a cell by its siblings: its empty params matched
// every plain run's, so it was counted as a failure of whichever cell the directory held.
TEST(SweepRuns, MinimalFailedRecordWithoutSweepJsonIsListedByFolderNotGuessedIntoACell) {
  TempDir dir("report-minimal-failed-plain");
  for (int seed = 0; seed < 3; ++seed) {
    auto r = done_run("g" + std::to_string(seed), "ground_truth", "td3bc", seed, 60 + seed);
    r.params = json::object();  // plain runs: no swept values
    if (seed == 2) {
      r.status = "failed";
      r.error = "diverged";
    }
    relabel::test::write_run(dir.path(), r);
  }
  std::filesystem::create_directories(dir / "runs/z1");
  write_file(dir / "runs/z1/result.json",
             R"({"status": "failed", "error": "boom", "finished_at": "2026-12-07T00:00:00Z"})");

  auto r = run_relabel("report " + dir.path() + " --no-plots --bootstrap-reps 50");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("2 done, 2 failed, 0 pending (1 tasks, 1 groups"), std::string::npos)
      << r.output;
  const std::string summary = read_file(dir / "summary.csv");
  EXPECT_NE(summary.find("\npendulum,medium-expert,ground_truth+td3bc,2,1,0,0,60.5,"),
            std::string::npos)
      << summary;
  const std::string md = read_file(dir / "report.md");
  EXPECT_NE(md.find("| ground_truth+td3bc | 60.5 ± 0.7 (n=2; 1 failed) |"), std::string::npos)
      << md;
  EXPECT_NE(md.find("### Failed runs (2)"), std::string::npos) << md;
  EXPECT_NE(md.find("| g2 | pendulum medium-expert | ground_truth+td3bc | "), std::string::npos)
      << md;
  EXPECT_NE(md.find("| z1 | ? | ? | – | boom |"), std::string::npos) << md;
  EXPECT_NE(read_file(dir / "runs.csv").find("\nz1,failed,,,,"), std::string::npos);
  EXPECT_EQ(status_counts(dir.path()),
            "done 2, running 0, failed 2, preempted 0, interrupted 0, pending 0");
}

// A run folder copied beside its original (same record, same id) is one run: read once, the
// copy named as skipped (keyed by id, one of them vanished without a word).
TEST(SweepRuns, TwoFoldersWithOneRunsRecordAreReadOnceAndTheCopyIsNamed) {
  TempDir dir("report-copied-run");
  for (int seed = 0; seed < 2; ++seed)
    relabel::test::write_run(
        dir.path(), done_run("g" + std::to_string(seed), "ground_truth", "td3bc", seed, 60 + seed));
  std::filesystem::copy(dir / "runs/g1", dir / "runs/g1-copy");

  auto r = run_relabel("report " + dir.path() + " --no-plots --bootstrap-reps 50");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("malformed, skipped: " + dir.path() +
                          "/runs/g1-copy/result.json: its run id g1 is also that of " + dir.path() +
                          "/runs/g1/result.json: the same run twice (a copied folder?); "
                          "read once, from there"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("2 done, 0 failed, 0 pending"), std::string::npos) << r.output;
  const std::string md = read_file(dir / "report.md");
  EXPECT_NE(md.find("### Malformed files (1)"), std::string::npos) << md;
}
