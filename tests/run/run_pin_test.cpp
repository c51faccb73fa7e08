// A run is pinned to its config and its data (run/run_pin.h): `relabel run` on a directory of
// another config, or against other data, is refused with exit 2 and one line, leaving the
// directory as it was; --force starts it over. The dataset checksum does not depend on the
// number of ranks. Too small a dataset is an input error. Each case runs the binary.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "tests/run/run_helpers.h"

using namespace relabel::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::string error_line(const CommandResult& r) {
  const auto at = r.output.find("relabel: error: ");
  if (at == std::string::npos) return "";
  return r.output.substr(at, r.output.find('\n', at) - at);
}

// A run config on the file `data` (dataset.path) instead of the named suite.
std::string config_on(const std::string& out, const std::string& data, int steps,
                      const std::string& extra = "") {
  std::string cfg = pendulum_config(out, "ground_truth", "iql", steps, extra);
  const std::string named = "name = \"pendulum-medium-expert\"";
  cfg.replace(cfg.find(named), named.size(), "path = \"" + data + "\"");
  return cfg;
}

}  // namespace

TEST(RunPin, AnotherConfigIsRefusedAndForceStartsOver) {
  TempDir dir;
  write_file(dir / "a.toml", pendulum_config(dir / "out", "ground_truth", "iql", 40));
  auto first = run_relabel("run " + (dir / "a.toml") + " --set policy.expectile=0.7");
  ASSERT_EQ(first.exit_code, 0) << first.output;
  const std::string before = read_file(dir / "out/result.json");
  const json done = parse_result(dir / "out/result.json");

  auto r = run_relabel("run " + (dir / "a.toml") + " --set policy.expectile=0.9");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  const std::string line = error_line(r);
  EXPECT_EQ(line.rfind("relabel: error: " + (dir / "out") + ": holds a run of config_hash " +
                           done["config_hash"].get<std::string>(),
                       0),
            0u)
      << r.output;
  EXPECT_NE(line.find("(differs in policy.expectile)"), std::string::npos) << line;
  EXPECT_NE(line.find("--force"), std::string::npos) << line;
  EXPECT_EQ(count(r.output, "relabel: error: "), 1u) << r.output;
  EXPECT_EQ(read_file(dir / "out/result.json"), before);  // nothing relabelled

  // What was made from the old run: an export, its evaluations, TensorBoard events.
  const std::vector<std::string> made = {"policy.pt", "policy.pt.eval.json", "eval.json",
                                         "events.out.tfevents.1796600000.host.1"};
  for (const auto& name : made) write_file(dir / ("out/" + name), "of the old config");
  auto forced = run_relabel("run " + (dir / "a.toml") + " --set policy.expectile=0.9 --force");
  ASSERT_EQ(forced.exit_code, 0) << forced.output;
  for (const auto& name : made) EXPECT_FALSE(fs::exists(dir / ("out/" + name))) << name;
  EXPECT_TRUE(fs::exists(dir / "out/log.txt"));  // a history: both runs' lines
  const json again = parse_result(dir / "out/result.json");
  EXPECT_EQ(again["status"], "done");
  EXPECT_NE(again["config_hash"], done["config_hash"]);
  ASSERT_EQ(again["attempts"].size(), 1u) << again.dump(1);  // started over, not resumed
  EXPECT_EQ(again["attempts"][0]["start_step"], 0);
  for (const auto& e : fs::directory_iterator(dir / "out"))
    EXPECT_EQ(e.path().filename().string().find("ckpt.discarded"), std::string::npos);
}

TEST(RunPin, DatasetIdentityIsRecordedAndTheSameOnTwoRanks) {
  TempDir dir;
  const std::string data = pendulum_file("medium-expert");
  const json one = run_config(dir, "one", config_on(dir / "one", data, 20), 1);
  const json two = run_config(dir, "two", config_on(dir / "two", data, 20), 2);
  ASSERT_TRUE(one.contains("dataset_identity")) << one.dump(1);
  const json& id = one["dataset_identity"];
  EXPECT_EQ(id["path"], data);
  EXPECT_GE(id["rows"].get<int64_t>(), 10000) << id.dump();
  EXPECT_EQ(id["checksum"].get<std::string>().rfind("fnv1a64-sum:", 0), 0u) << id.dump();
  EXPECT_EQ(two["dataset_identity"]["checksum"], id["checksum"]);  // rank-count independent
  EXPECT_EQ(two["dataset_identity"]["rows"], id["rows"]);
}

TEST(RunPin, DoneRunAgainstOtherDataIsRefused) {
  TempDir dir;
  fs::copy_file(pendulum_file("medium-expert"), dir / "data.hdf5");
  write_file(dir / "a.toml", config_on(dir / "out", dir / "data.hdf5", 20));
  auto first = run_relabel("run " + (dir / "a.toml"));
  ASSERT_EQ(first.exit_code, 0) << first.output;
  const json done = parse_result(dir / "out/result.json");
  const std::string before = read_file(dir / "out/result.json");
  // Rerun on the same data: skipped (no reread when the file is unchanged).
  auto skip = run_relabel("run " + (dir / "a.toml"));
  EXPECT_EQ(skip.exit_code, 0) << skip.output;
  EXPECT_NE(skip.output.find("already done"), std::string::npos) << skip.output;

  // Same path, other content.
  fs::copy_file(pendulum_file("medium"), dir / "data.hdf5", fs::copy_options::overwrite_existing);
  auto r = run_relabel("run " + (dir / "a.toml"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  const std::string line = error_line(r);
  const json& id = done["dataset_identity"];
  EXPECT_NE(line.find((dir / "out") + ": done on " + (dir / "data.hdf5") + " (" +
                      std::to_string(id["rows"].get<int64_t>()) + " rows, checksum " +
                      id["checksum"].get<std::string>() + "), but the dataset is now " +
                      (dir / "data.hdf5") + " ("),
            std::string::npos)
      << r.output;
  EXPECT_EQ(read_file(dir / "out/result.json"), before);
}

// An offline run's expert file (dataset.expert_path) is pinned like its dataset: a done ReLOAD
// run is not skipped once the file holds other demonstrations.
TEST(RunPin, DoneRunAgainstAnotherExpertFileIsRefused) {
  TempDir dir;
  fs::copy_file(pendulum_file("expert"), dir / "expert.hdf5");
  write_file(dir / "a.toml", pendulum_config(dir / "out", "reload", "iql", 20));
  const std::string run = "run " + (dir / "a.toml") +
                          " --set dataset.expert_path=" + (dir / "expert.hdf5") +
                          " --set dataset.expert_trajectories=1";
  auto first = run_relabel(run);
  ASSERT_EQ(first.exit_code, 0) << first.output;
  const std::string before = read_file(dir / "out/result.json");
  const json done = parse_result(dir / "out/result.json");
  ASSERT_TRUE(done.contains("expert_identity")) << done.dump(1);
  EXPECT_EQ(done["expert_identity"]["path"], dir / "expert.hdf5");
  EXPECT_NE(done["expert_identity"]["checksum"], done["dataset_identity"]["checksum"]);

  auto same = run_relabel(run);  // unchanged: skipped as done
  EXPECT_EQ(same.exit_code, 0) << same.output;
  EXPECT_EQ(read_file(dir / "out/result.json"), before);

  fs::copy_file(pendulum_file("random"), dir / "expert.hdf5", fs::copy_options::overwrite_existing);
  auto r = run_relabel(run);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  const std::string line = error_line(r);
  EXPECT_EQ(
      line.rfind("relabel: error: " + (dir / "out") + ": done on " + (dir / "expert.hdf5") + " (",
                 0),
      0u)
      << r.output;
  EXPECT_NE(line.find("but the expert file is now " + (dir / "expert.hdf5") + " ("),
            std::string::npos)
      << line;
  EXPECT_EQ(read_file(dir / "out/result.json"), before);  // not rerun, not rewritten
}

TEST(RunPin, ResumeAgainstOtherDataIsRefused) {
  TempDir dir;
  fs::copy_file(pendulum_file("medium-expert"), dir / "data.hdf5");
  write_file(dir / "a.toml", config_on(dir / "out", dir / "data.hdf5", 400));
  auto first =
      run_relabel("run " + (dir / "a.toml") + " --set train.checkpoint_every=100 --stop-at 100");
  ASSERT_EQ(first.exit_code, 0) << first.output;
  const json preempted = parse_result(dir / "out/result.json");
  ASSERT_EQ(preempted["status"], "preempted");
  fs::copy_file(pendulum_file("medium"), dir / "data.hdf5", fs::copy_options::overwrite_existing);
  auto r = run_relabel("run " + (dir / "a.toml") + " --set train.checkpoint_every=100");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  const std::string line = error_line(r);
  const json& id = preempted["dataset_identity"];
  EXPECT_NE(line.find(": checkpointed at step 100 on " + (dir / "data.hdf5") + " (" +
                      std::to_string(id["rows"].get<int64_t>()) + " rows, checksum " +
                      id["checksum"].get<std::string>()),
            std::string::npos)
      << r.output;
  EXPECT_NE(line.find("but the dataset is now"), std::string::npos) << line;
  // The attempt is recorded failed with that line; the checkpoint stays for the right data.
  const json failed = parse_result(dir / "out/result.json");
  EXPECT_EQ(failed["status"], "failed");
  EXPECT_EQ("relabel: error: " + failed["error"].get<std::string>(), line);
  EXPECT_EQ(failed["dataset_identity"], preempted["dataset_identity"]);
  EXPECT_TRUE(fs::exists(dir / "out/ckpt/step_100.pt"));
  // Back to the original data: it resumes and finishes.
  fs::copy_file(pendulum_file("medium-expert"), dir / "data.hdf5",
                fs::copy_options::overwrite_existing);
  auto resumed = run_relabel("run " + (dir / "a.toml") + " --set train.checkpoint_every=100");
  EXPECT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_EQ(parse_result(dir / "out/result.json")["status"], "done");
}

// A file made for another task (its env attribute) is refused before training: its reference
// returns would normalise this task's returns.
TEST(RunPin, ADatasetOfAnotherTaskIsAnInputError) {
  TempDir dir;
  fs::copy_file(pendulum_file("medium-expert"), dir / "data.hdf5");
  auto py = run_command("/usr/bin/python3 -c \"import h5py; h5py.File('" + (dir / "data.hdf5") +
                        "', 'a').attrs['env'] = 'hopper'\"");
  ASSERT_EQ(py.exit_code, 0) << py.output;
  write_file(dir / "a.toml", config_on(dir / "out", dir / "data.hdf5", 20));
  auto r = run_relabel("run " + (dir / "a.toml"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_EQ(error_line(r), "relabel: error: " + (dir / "data.hdf5") +
                               ": the file's env attribute \"hopper\" names task 'hopper', but "
                               "task.name = \"pendulum\" (its reference returns and the "
                               "evaluation would be of different tasks)")
      << r.output;
  EXPECT_FALSE(fs::exists(dir / "out/result.json") &&
               read_file(dir / "out/result.json").find("\"done\"") != std::string::npos);
}

// Each rank averages its own rows' gradient: ranks that cannot split the batch equally would
// weight its rows unequally, so the run would not be the 1-rank run. An input error.
TEST(RunPin, ABatchTheRanksCannotSplitEquallyIsAnInputError) {
  TempDir dir;
  write_file(dir / "a.toml", pendulum_config(dir / "out", "ground_truth", "iql", 20));
  auto r = run_relabel_mpi(2, "run " + (dir / "a.toml") + " --set train.batch_size=63");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("relabel: error: train.batch_size: 63 is not divisible by the 2 ranks "
                          "of the run"),
            std::string::npos)
      << r.output;
}

TEST(RunPin, TooFewTransitionsIsAnInputError) {
  TempDir dir;
  auto py = run_command(
      "/usr/bin/python3 -c \"import h5py,numpy as np\n"
      "f=h5py.File('" +
      (dir / "tiny.hdf5") +
      "','w')\n"
      "n=1\n"
      "f['observations']=np.random.randn(n,3).astype('f4')\n"
      "f['next_observations']=np.random.randn(n,3).astype('f4')\n"
      "f['actions']=np.random.uniform(-2,2,(n,1)).astype('f4')\n"
      "f['rewards']=np.random.randn(n).astype('f4')\n"
      "f['terminals']=np.zeros(n,bool)\n"
      "f['timeouts']=np.ones(n,bool)\n\"");
  ASSERT_EQ(py.exit_code, 0) << py.output;
  write_file(dir / "a.toml", config_on(dir / "out", dir / "tiny.hdf5", 300));
  const std::string line = "relabel: error: " + (dir / "tiny.hdf5") +
                           ": 1 transitions, fewer than the 256 a run needs (train.batch_size = "
                           "256, 1 ranks)";
  auto r = run_relabel("run " + (dir / "a.toml"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_EQ(error_line(r), line) << r.output;
  const json rec = parse_result(dir / "out/result.json");
  EXPECT_EQ(rec["status"], "failed");
  EXPECT_FALSE(rec.contains("final_score")) << rec.dump(1);
  // Under mpirun: the same line, once.
  r = run_relabel_mpi(2, "run " + (dir / "a.toml"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_EQ(count(r.output, "relabel: error: "), 1u) << r.output;
  EXPECT_NE(r.output.find(": 1 transitions, fewer than the 256 a run needs"), std::string::npos)
      << r.output;
}
