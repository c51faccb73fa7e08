// A sweep skips done runs only on the data they were trained on (run/run_pin.h): rerun under
// mpirun -np 2 after the dataset changed, each done run is refused (one line naming both
// identities), counted apart, nothing is rerun or rewritten, and the sweep exits 2.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <vector>

#include "tests/run/run_helpers.h"

using namespace relabel::test;
using nlohmann::json;
namespace fs = std::filesystem;

TEST(SweepPin, DoneRunsOnChangedDataAreRefusedNotSkipped) {
  TempDir dir;
  fs::copy_file(pendulum_file("medium-expert"), dir / "data.hdf5");
  write_file(dir / "base.toml", sweep_base_config(20, 0, 2, dir / "data.hdf5"));
  write_file(dir / "spec.toml", "name = \"pin\"\nbase = \"base.toml\"\nseeds = [0, 1]\n");
  const std::string sweep = "sweep " + (dir / "spec.toml") + " --out " + (dir / "out");
  auto first = run_relabel_mpi(2, sweep);
  ASSERT_EQ(first.exit_code, 0) << first.output;
  std::map<std::string, std::string> before;
  for (const auto& e : fs::directory_iterator(dir / "out/runs"))
    before[e.path().string()] = read_file((e.path() / "result.json").string());
  ASSERT_EQ(before.size(), 2u);

  // The same data: both skipped.
  auto same = run_relabel_mpi(2, sweep);
  EXPECT_EQ(same.exit_code, 0) << same.output;
  EXPECT_NE(same.output.find("2 done, 0 failed"), std::string::npos) << same.output;

  fs::copy_file(pendulum_file("medium"), dir / "data.hdf5", fs::copy_options::overwrite_existing);
  auto r = run_relabel_mpi(2, sweep);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  for (const auto& [run_dir, text] : before) {
    EXPECT_NE(r.output.find(") refused: " + run_dir + ": done on " + (dir / "data.hdf5") + " ("),
              std::string::npos)
        << run_dir << "\n"
        << r.output;
    EXPECT_EQ(read_file(run_dir + "/result.json"), text);  // not rerun, not rewritten
  }
  EXPECT_NE(r.output.find("sweep pin: 2 runs refused"), std::string::npos) << r.output;

  // The refusal stays visible to every reader, and the old scores leave the report: they were
  // trained on the data the file held before.
  const json sweep_json = json::parse(read_file(dir / "out/sweep.json"));
  for (const auto& run : sweep_json["runs"]) EXPECT_EQ(run["status"], "refused") << run.dump();
  auto status = run_relabel("status " + (dir / "out"));
  EXPECT_NE(status.output.find("refused 2"), std::string::npos) << status.output;
  auto report = run_relabel("report " + (dir / "out") + " --no-plots --bootstrap-reps 20");
  EXPECT_NE(report.output.find("0 done, 0 failed, 0 pending, 2 refused"), std::string::npos)
      << report.output;
  // No score in the cell: 0 done, both runs counted refused (neither done nor pending).
  EXPECT_NE(read_file(dir / "out/summary.csv").find(",ground_truth+td3bc,0,0,0,2,,"),
            std::string::npos)
      << read_file(dir / "out/summary.csv");

  // The data restored: the runs are skipped as done again and the refusal is withdrawn.
  fs::copy_file(pendulum_file("medium-expert"), dir / "data.hdf5",
                fs::copy_options::overwrite_existing);
  auto back = run_relabel_mpi(2, sweep);
  EXPECT_EQ(back.exit_code, 0) << back.output;
  for (const auto& run : json::parse(read_file(dir / "out/sweep.json"))["runs"])
    EXPECT_EQ(run["status"], "done") << run.dump();
  for (const auto& [run_dir, text] : before) EXPECT_FALSE(fs::exists(run_dir + ".refused"));
}

// A directory holds one sweep. Another sweep (another name) is refused before anything is
// written; the same sweep rerun with another --set runs its new configuration beside the old
// runs. Its report is of the runs sweep.json now lists (the new configuration) and names the
// old runs' folders in a warning; without sweep.json it reads every run and keeps the two
// configurations apart by config_hash_without_seed (each gets its config's digits).
TEST(SweepPin, AnotherSweepsDirectoryIsRefusedAndOtherConfigsStayApart) {
  TempDir dir;
  write_file(dir / "base.toml", sweep_base_config(20, 0, 2, ""));
  write_file(dir / "spec.toml", "name = \"pin\"\nbase = \"base.toml\"\nseeds = [0, 1]\n");
  write_file(dir / "other.toml", "name = \"other\"\nbase = \"base.toml\"\nseeds = [0, 1]\n");
  const std::string out = " --out " + (dir / "out");
  auto first = run_relabel("sweep " + (dir / "spec.toml") + out);
  ASSERT_EQ(first.exit_code, 0) << first.output;
  const auto done = sweep_results(dir / "out");
  ASSERT_EQ(done.size(), 2u);
  const std::string family = done[0].value("config_hash_without_seed", "");
  EXPECT_EQ(family.size(), 16u) << done[0].dump(1);
  EXPECT_EQ(done[1].value("config_hash_without_seed", ""), family);  // seeds share it
  EXPECT_NE(done[0]["config_hash"], done[1]["config_hash"]);

  const std::string listed = read_file(dir / "out/sweep.json");
  auto other = run_relabel("sweep " + (dir / "other.toml") + out);
  EXPECT_EQ(other.exit_code, 2) << other.output;
  EXPECT_NE(other.output.find("relabel: error: " + (dir / "out") +
                              ": holds the sweep \"pin\" (its sweep.json), not \"other\"; use "
                              "another --out"),
            std::string::npos)
      << other.output;
  EXPECT_EQ(read_file(dir / "out/sweep.json"), listed);

  auto again = run_relabel("sweep " + (dir / "spec.toml") + out + " --set policy.alpha=5.0");
  ASSERT_EQ(again.exit_code, 0) << again.output;
  const auto all = sweep_results(dir / "out");
  ASSERT_EQ(all.size(), 4u);
  for (const auto& r : all)
    if (r["config_hash_without_seed"] != family) {
      EXPECT_EQ(r.value("config_hash_without_seed", "").size(), 16u) << r.dump(1);
    }
  auto report = run_relabel("report " + (dir / "out") + " --no-plots --bootstrap-reps 20");
  ASSERT_EQ(report.exit_code, 0) << report.output;
  std::string summary = read_file(dir / "out/summary.csv");
  EXPECT_NE(summary.find(",ground_truth+td3bc,2,"), std::string::npos) << summary;
  EXPECT_EQ(summary.find("(config "), std::string::npos) << summary;
  std::vector<std::string> old_ids = {done[0]["id"], done[1]["id"]};
  std::sort(old_ids.begin(), old_ids.end());
  EXPECT_NE(report.output.find("2 folders with a result.json that " + (dir / "out") +
                               "/sweep.json does not list, left out (not runs of this sweep): " +
                               old_ids[0] + ", " + old_ids[1] + "\n"),
            std::string::npos)
      << report.output;

  fs::remove(dir / "out/sweep.json");
  report = run_relabel("report " + (dir / "out") + " --no-plots --bootstrap-reps 20");
  ASSERT_EQ(report.exit_code, 0) << report.output;
  summary = read_file(dir / "out/summary.csv");
  EXPECT_NE(summary.find(",ground_truth+td3bc (config " + family.substr(0, 8) + "),2,"),
            std::string::npos)
      << summary;
  EXPECT_EQ(count(summary, " (config "), 2u) << summary;
}
