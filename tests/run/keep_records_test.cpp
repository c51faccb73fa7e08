// scripts/keep-records.sh keeps a sweep's done runs as small records (no checkpoints) with a
// report made from them, and restores them into a fresh sweep directory: the sweep then skips
// those runs on a suite made again with the same content, as on a new machine.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "tests/run/run_helpers.h"

using namespace relabel::test;
namespace fs = std::filesystem;

namespace {

// RELABEL_TEST_DATA is <source>/tests/data.
std::string keep_records() {
  return (fs::path(RELABEL_TEST_DATA).parent_path().parent_path() / "scripts/keep-records.sh")
      .string();
}

std::set<std::string> names_in(const fs::path& dir) {
  std::set<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.insert(e.path().filename().string());
  return out;
}

}  // namespace

TEST(KeepRecords, KeptRunsReportAndAreSkippedAfterRestoreOnRegeneratedData) {
  TempDir dir;
  fs::copy_file(pendulum_file("medium-expert"), dir / "data.hdf5");
  write_file(dir / "base.toml", sweep_base_config(20, 10, 2, dir / "data.hdf5"));
  write_file(dir / "spec.toml", "name = \"keep\"\nbase = \"base.toml\"\nseeds = [0, 1]\n");
  const std::string sweep = "sweep " + (dir / "spec.toml") + " --out ";
  auto first = run_relabel_mpi(2, sweep + (dir / "out"));
  ASSERT_EQ(first.exit_code, 0) << first.output;
  auto report = run_relabel("report " + (dir / "out") + " --no-plots");
  ASSERT_EQ(report.exit_code, 0) << report.output;
  // A run that did not finish is not kept.
  fs::create_directories(dir / "out/runs/unfinished");
  write_file(
      dir / "out/runs/unfinished/result.json",
      "{\"status\": \"failed\", \"error\": \"x\", \"finished_at\": \"2026-01-01T00:00:00Z\"}");

  // Nor is one whose record does not parse (named, the others kept).
  fs::create_directories(dir / "out/runs/torn");
  write_file(dir / "out/runs/torn/result.json", "{\"status\": \"do");

  const std::string env = "RELABEL=" + std::string(RELABEL_BINARY) + " bash " + keep_records();
  auto kept = run_command(env + " " + (dir / "out") + " " + (dir / "kept"));
  ASSERT_EQ(kept.exit_code, 0) << kept.output;
  EXPECT_NE(kept.output.find("2 done runs kept"), std::string::npos) << kept.output;
  EXPECT_NE(kept.output.find("runs/torn/result.json: not readable JSON, not kept"),
            std::string::npos)
      << kept.output;
  const fs::path records = fs::path(dir / "kept/records");
  std::set<std::string> ids;
  for (const auto& e : fs::directory_iterator(records / "runs")) {
    ids.insert(e.path().filename().string());
    // The record, not the run's state: no checkpoints, logs or event files.
    EXPECT_EQ(names_in(e.path()),
              (std::set<std::string>{"config.toml", "curve.csv", "result.json"}))
        << e.path();
    EXPECT_EQ(read_file((e.path() / "result.json").string()),
              read_file(dir / "out/runs/" + e.path().filename().string() + "/result.json"));
  }
  EXPECT_EQ(ids.size(), 2u);
  EXPECT_EQ(ids.count("unfinished"), 0u);
  EXPECT_EQ(ids.count("torn"), 0u);
  EXPECT_TRUE(fs::exists(records / "sweep.json"));
  // The report made from the records has the sweep's own scores.
  auto row = [](const std::string& csv) { return split_lines(csv).at(1); };
  EXPECT_EQ(row(read_file(dir / "kept/summary.csv")), row(read_file(dir / "out/summary.csv")));
  EXPECT_TRUE(fs::exists(dir / "kept/report.md"));

  // A new machine: the suite made again (same content, a new file) and an empty sweep directory
  // with the records restored. The sweep skips both runs and leaves their records as they were.
  fs::remove(dir / "data.hdf5");
  fs::copy_file(pendulum_file("medium-expert"), dir / "data.hdf5");
  auto restored = run_command(env + " --restore " + (dir / "kept") + " " + (dir / "again"));
  ASSERT_EQ(restored.exit_code, 0) << restored.output;
  EXPECT_NE(restored.output.find("2 runs restored"), std::string::npos) << restored.output;
  // The kept sweep.json comes back too: relabel status knows the sweep's runs before it starts.
  EXPECT_EQ(read_file(dir / "again/sweep.json"), read_file((records / "sweep.json").string()));
  auto again = run_relabel_mpi(2, sweep + (dir / "again"));
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("2 done, 0 failed"), std::string::npos) << again.output;
  for (const auto& id : ids) {
    EXPECT_NE(again.output.find("run " + id + " "), std::string::npos) << again.output;
    EXPECT_EQ(read_file(dir / "again/runs/" + id + "/result.json"),
              read_file((records / "runs" / id / "result.json").string()));
  }
  EXPECT_EQ(again.output.find(" done, score"), std::string::npos)
      << "a restored run was run again:\n"
      << again.output;
  // Nothing ran, so there is no time per run to report.
  EXPECT_EQ(again.output.find("rank 0 ran"), std::string::npos) << again.output;

  // Restoring never overwrites what a sweep directory already holds.
  write_file(dir / "again/runs/" + *ids.begin() + "/curve.csv", "mine\n");
  ASSERT_EQ(run_command(env + " --restore " + (dir / "kept") + " " + (dir / "again")).exit_code, 0);
  EXPECT_EQ(read_file(dir / "again/runs/" + *ids.begin() + "/curve.csv"), "mine\n");
  EXPECT_NE(read_file(dir / "again/sweep.json"), read_file((records / "sweep.json").string()))
      << "the sweep's own sweep.json (rewritten by its run) was replaced by the kept one";
}

// A sweep kept before any of its runs was done holds records/sweep.json and no runs/: restoring
// it brings back the sweep.json and no run (scripts/evidence.sh restores every kept sweep).
TEST(KeepRecords, ASweepKeptWithNoDoneRunRestoresItsSweepJsonOnly) {
  TempDir dir;
  fs::create_directories(dir / "kept/records");
  write_file(dir / "kept/records/sweep.json", "{\"name\": \"s\", \"runs\": []}\n");
  const std::string restore = "bash " + keep_records() + " --restore ";
  auto r = run_command(restore + (dir / "kept") + " " + (dir / "again"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("0 runs restored"), std::string::npos) << r.output;
  EXPECT_EQ(read_file(dir / "again/sweep.json"), "{\"name\": \"s\", \"runs\": []}\n");
  EXPECT_TRUE(names_in(dir / "again/runs").empty());
  // Without records at all it is an error, naming the folder.
  r = run_command(restore + (dir / "none") + " " + (dir / "again") + " 2>&1");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find(dir / "none/records: no kept records"), std::string::npos) << r.output;
}
