// A sweep skips done runs only on the data they were trained on (run/run_pin.h): rerun under
// mpirun -np 2 after the dataset changed, each done run is refused (one line naming both
// identities), counted apart, nothing is rerun or rewritten, and the sweep exits 2.
#include <gtest/gtest.h>

#include <filesystem>

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
  EXPECT_NE(report.output.find("0 done"), std::string::npos) << report.output;
  // No score in the cell: 0 done, both runs not counted (the refused ones are not done).
  EXPECT_NE(read_file(dir / "out/summary.csv").find(",ground_truth+td3bc,0,0,2,,"),
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
