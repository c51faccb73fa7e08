// Loading errors: each one line naming FILE:LINE:COL and the key path (docs/formats.md).
#include <gtest/gtest.h>

#include "tests/config/config_test_util.h"

using relabel::test::kValidHead;
using relabel::test::load_error;
using relabel::test::TempDir;
using relabel::test::write_file;

namespace {

std::string write(const TempDir& dir, const std::string& body) {
  auto path = dir / "run.toml";
  write_file(path, body);
  return path;
}

}  // namespace

TEST(ConfigLoad, ValidFileLoadsWithOverridesOfTheDefaults) {
  TempDir dir;
  auto path = write(dir, std::string(kValidHead) +
                             "[policy]\nexpectile = 0.9\n[train]\nsteps = 1_000\n"
                             "[reward]\nmethod = \"reload\"\nbeta = 2\n");
  auto c = relabel::config::load_run_config(path);
  EXPECT_EQ(c.task.name, "pendulum");
  EXPECT_EQ(c.dataset.name, "pendulum-medium");
  EXPECT_DOUBLE_EQ(c.policy.params.get<double>("expectile"), 0.9);
  EXPECT_EQ(c.train.steps, 1000);                                     // TOML underscores
  EXPECT_DOUBLE_EQ(c.reward.params.get<double>("beta"), 2.0);         // integer for a float key
  EXPECT_DOUBLE_EQ(c.policy.params.get<double>("temperature"), 3.0);  // untouched default
  EXPECT_EQ(c.name, "run");                                           // the file's stem
  EXPECT_EQ(c.output.dir, "runs/run");
  EXPECT_EQ(c.source_path, path);
}

TEST(ConfigLoad, SyntaxErrorNamesPosition) {
  TempDir dir;
  auto path = write(dir, "[policy]\nexpectile = = 0.7\n");
  auto msg = load_error(path);
  EXPECT_EQ(msg.rfind(path + ":2:13: syntax error: ", 0), 0u) << msg;
  EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
}

TEST(ConfigLoad, UnknownKeySuggestsClosestInSection) {
  TempDir dir;
  auto path = write(dir, std::string(kValidHead) + "[policy]\nexpectle = 0.7\n");
  EXPECT_EQ(load_error(path), path +
                                  ":6:1: policy.expectle: unknown key 'policy.expectle' (did you "
                                  "mean 'policy.expectile'?)");
}

TEST(ConfigLoad, UnknownKeySuggestsAcrossSections) {
  TempDir dir;
  auto path = write(dir, std::string(kValidHead) + "[policy]\nzeta = 0.7\n");
  EXPECT_EQ(load_error(path),
            path + ":6:1: policy.zeta: unknown key 'policy.zeta' (did you mean 'reward.zeta'?)");
}

TEST(ConfigLoad, UnknownKeyWithoutNeighbourHasNoSuggestion) {
  TempDir dir;
  auto path = write(dir, std::string(kValidHead) + "[train]\nquantum_flux = 3\n");
  EXPECT_EQ(load_error(path), path + ":6:1: train.quantum_flux: unknown key 'train.quantum_flux'");
}

TEST(ConfigLoad, UnknownSectionSuggestsSection) {
  TempDir dir;
  auto path = write(dir, std::string(kValidHead) + "[polcy]\nexpectile = 0.7\n");
  EXPECT_EQ(load_error(path),
            path + ":5:2: polcy: unknown section 'polcy' (did you mean 'policy'?)");
}

TEST(ConfigLoad, UnknownTopLevelKey) {
  TempDir dir;
  auto path = write(dir, "sed = 3\n" + std::string(kValidHead));
  EXPECT_EQ(load_error(path), path + ":1:1: sed: unknown key 'sed' (did you mean 'seed'?)");
}

TEST(ConfigLoad, WrongTypeNamesExpectedAndGot) {
  TempDir dir;
  auto path = write(dir, std::string(kValidHead) + "[policy]\nexpectile = \"high\"\n");
  EXPECT_EQ(load_error(path), path + ":6:13: policy.expectile: expected float, got string");
  path = write(dir, std::string(kValidHead) + "[train]\nsteps = 1.5e4\n");
  EXPECT_EQ(load_error(path), path + ":6:9: train.steps: expected integer, got float");
  path = write(dir, std::string(kValidHead) + "[train]\nsteps = [1, 2]\n");
  EXPECT_EQ(load_error(path), path + ":6:9: train.steps: expected integer, got array");
  path = write(dir, "[task]\nname = true\n[dataset]\nname = \"pendulum-medium\"\n");
  EXPECT_EQ(load_error(path), path + ":2:8: task.name: expected string, got boolean");
}

TEST(ConfigLoad, SectionGivenAsValueIsWrongType) {
  TempDir dir;
  auto path = write(dir, "policy = \"iql\"\n" + std::string(kValidHead));
  EXPECT_EQ(load_error(path), path + ":1:10: policy: expected a table [policy], got string");
}

TEST(ConfigLoad, OutOfRangeNamesTheInterval) {
  TempDir dir;
  auto path = write(dir,
                    "[task]\nname = \"pendulum\"\n[dataset]\nname = \"pendulum-medium\"\n"
                    "label_fraction = 1.5\n");
  EXPECT_EQ(load_error(path), path + ":5:18: dataset.label_fraction: must be in (0, 1], got 1.5");
  path = write(dir, std::string(kValidHead) + "[policy]\nexpectile = 1\n");
  EXPECT_EQ(load_error(path), path + ":6:13: policy.expectile: must be in (0, 1), got 1.0");
  path = write(dir, std::string(kValidHead) + "[train]\nsteps = 0\n");
  EXPECT_EQ(load_error(path), path + ":6:9: train.steps: must be >= 1, got 0");
  path = write(dir, std::string(kValidHead) + "[reward]\nbeta = -1.0\n");
  EXPECT_EQ(load_error(path), path + ":6:8: reward.beta: must be > 0, got -1.0");
  path = write(dir, std::string(kValidHead) + "[reward]\nbeta = nan\n");
  EXPECT_EQ(load_error(path), path + ":6:8: reward.beta: must be a number, got nan");
  // An optional key is unset by leaving it out, not by nan (which read as unset before).
  path = write(dir,
               "[task]\nname = \"pendulum\"\nref_max_score = nan\n[dataset]\nname = "
               "\"pendulum-medium\"\n");
  EXPECT_NE(load_error(path).find("task.ref_max_score: must be a number, got nan (leave the key "
                                  "out to keep it unset)"),
            std::string::npos)
      << load_error(path);
}

TEST(ConfigLoad, BadChoiceSuggestsClosest) {
  TempDir dir;
  auto path = write(dir, std::string(kValidHead) + "[policy]\nalgo = \"td3_bc\"\n");
  EXPECT_EQ(load_error(path), path +
                                  ":6:8: policy.algo: must be one of bc|iql|td3bc|world_model, "
                                  "got \"td3_bc\" (did you mean \"td3bc\"?)");
}

TEST(ConfigLoad, MissingReferencedFile) {
  TempDir dir;
  auto path = write(dir, "[dataset]\npath = \"data/x.hdf5\"\n");
  EXPECT_EQ(load_error(path), path + ":2:8: dataset.path: file not found: data/x.hdf5");
  auto data = dir / "d.hdf5";
  write_file(data, "");
  path = write(dir, "[dataset]\npath = \"" + data + "\"\nexpert_path = \"nope/e.hdf5\"\n");
  EXPECT_EQ(load_error(path), path + ":3:15: dataset.expert_path: file not found: nope/e.hdf5");
}

TEST(ConfigLoad, MissingConfigFile) {
  TempDir dir;
  EXPECT_EQ(load_error(dir / "absent.toml"), dir / "absent.toml" + ": file not found");
}

TEST(ConfigLoad, DatasetNeedsExactlyOneOfNameAndPath) {
  TempDir dir;
  auto path = write(dir, "[policy]\nalgo = \"iql\"\n");
  EXPECT_EQ(load_error(path), path +
                                  ": dataset: set one of dataset.name (a named suite) or "
                                  "dataset.path (a file)");
  auto data = dir / "d.hdf5";
  write_file(data, "");
  path = write(dir, std::string(kValidHead) + "path = \"" + data + "\"\n");
  EXPECT_EQ(load_error(path),
            path + ":5:8: dataset.path: set either dataset.name or dataset.path, not both");
  // Online world-model runs need no dataset.
  path = write(dir, "[policy]\nalgo = \"world_model\"\n");
  EXPECT_EQ(load_error(path), "");
}

TEST(ConfigLoad, DatasetNameMustBeASuiteOfTheTask) {
  TempDir dir;
  auto path = write(dir, "[dataset]\nname = \"pendulum-okay\"\n");
  EXPECT_EQ(load_error(path), path +
                                  ":2:8: dataset.name: expected '<task>-<kind>' with kind "
                                  "random|medium|medium-replay|expert|medium-expert, got "
                                  "\"pendulum-okay\"");
  path = write(dir, "[dataset]\nname = \"hopper-medium-replay\"\n");
  EXPECT_EQ(load_error(path),
            path + ":2:8: dataset.name: suite of task 'hopper' but task.name is 'pendulum'");
}

TEST(ConfigLoad, CrossKeyMethodChecks) {
  TempDir dir;
  auto path = write(dir, std::string(kValidHead) + "[reward]\nmethod = \"cdred\"\n");
  EXPECT_EQ(load_error(path),
            path + ":6:10: reward.method: cdred needs policy.algo = \"world_model\", got \"iql\"");
  path = write(dir, std::string(kValidHead) +
                        "[reward]\nmethod = \"cdred\"\nalpha = 1.5\n[policy]\nalgo = "
                        "\"world_model\"\n");
  EXPECT_EQ(load_error(path),
            path + ":7:9: reward.alpha: must be in [0, 1], got 1.5");  // cdred's rule
  path = write(dir, std::string(kValidHead) + "[reward]\nmethod = \"reload\"\nalpha = 0\n");
  EXPECT_EQ(load_error(path), path + ":7:9: reward.alpha: must be > 0, got 0.0");  // reload's
  path = write(dir, std::string(kValidHead) +
                        "[reward]\nmethod = \"reload\"\n[policy]\nalgo = \"world_model\"\n");
  EXPECT_EQ(load_error(path), path +
                                  ":6:10: reward.method: reload relabels an offline dataset; it "
                                  "needs policy.algo bc, iql or td3bc, got \"world_model\"");
  path = write(dir, std::string(kValidHead) +
                        "[train]\nbatch_size = 100\n[parallel]\n"
                        "ranks_per_run = 3\n");
  EXPECT_EQ(
      load_error(path),
      path + ":6:14: train.batch_size: must be divisible by parallel.ranks_per_run (3), got 100");
  path = write(dir,
               "[task]\nname = \"pendulum\"\nref_min_score = 10\nref_max_score = 5\n"
               "[dataset]\nname = \"pendulum-medium\"\n");
  EXPECT_EQ(load_error(path), path +
                                  ":4:17: task.ref_max_score: must be greater than "
                                  "task.ref_min_score (10), got 5");
}

TEST(ConfigLoad, FirstErrorInFileOrderIsReported) {
  TempDir dir;
  // TOML++ iterates keys sorted; the loader reports by position instead.
  auto path = write(dir, std::string(kValidHead) + "[train]\nzz_first = 1\naa_second = 2\n");
  EXPECT_EQ(load_error(path).rfind(path + ":6:1: train.zz_first:", 0), 0u) << load_error(path);
}

// A labelled fraction on a method without a labelled subset would only give its runs another
// hash (another cell of the report) for the same computation.
TEST(ConfigLoad, LabellingKeysAreRefusedForAMethodWithoutALabelledSubset) {
  TempDir dir;
  auto path = write(dir, std::string(kValidHead) + "label_fraction = 0.05\n");
  EXPECT_EQ(load_error(path, {"reward.method=reload"}),
            path +
                ":5:18: dataset.label_fraction: set to 0.05, but reward method 'reload' reads no "
                "labelled subset (only a method with one, like imputation, does): leave the key "
                "out");
  EXPECT_EQ(load_error(path), path +
                                  ":5:18: dataset.label_fraction: set to 0.05, but reward method "
                                  "'ground_truth' reads no labelled subset (only a method with "
                                  "one, like imputation, does): leave the key out");
  EXPECT_EQ(load_error(path, {"reward.method=imputation", "policy.algo=td3bc"}), "");
  // The method's own default is allowed (sweep specs zip it with reward.method).
  EXPECT_EQ(load_error(path, {"reward.method=reload", "dataset.label_fraction=1.0"}), "");
  EXPECT_NE(load_error(path, {"reward.method=cdred", "policy.algo=world_model"})
                .find("dataset.label_fraction: set to 0.05, but reward method 'cdred'"),
            std::string::npos);

  path = write(dir, std::string(kValidHead) + "label_trajectories = true\n");
  EXPECT_EQ(load_error(path), path +
                                  ":5:22: dataset.label_trajectories: set to true, but reward "
                                  "method 'ground_truth' reads no labelled subset (only a method "
                                  "with one, like imputation, does): leave the key out");
  EXPECT_EQ(load_error(path, {"reward.method=imputation", "policy.algo=td3bc"}), "");
  path = write(dir, std::string(kValidHead) + "label_trajectories = false\n");
  EXPECT_EQ(load_error(path), "");
}

TEST(ConfigLoad, MethodDependentDefaultsAreResolved) {
  TempDir dir;
  auto path = write(dir, std::string(kValidHead));
  auto c = relabel::config::load_run_config(path);
  EXPECT_EQ(c.reward.method, "ground_truth");
  EXPECT_TRUE(c.reward.params.values().empty());  // ground_truth declares no keys
  EXPECT_DOUBLE_EQ(c.dataset.label_fraction, 1.0);
  EXPECT_EQ(c.policy.reward_scaling, "none");  // auto: IQL's scaling is for locomotion only
  EXPECT_DOUBLE_EQ(relabel::config::load_run_config(path, {"reward.method=reload"})
                       .reward.params.get<double>("alpha"),
                   1.0);  // reload's default
  c = relabel::config::load_run_config(path, {"reward.method=cdred", "policy.algo=world_model"});
  EXPECT_EQ(c.reward.params.get<int64_t>("predictor_hidden"), 256);  // CPU preset
  EXPECT_EQ(c.policy.params.get<std::string>("preset"), "cpu-small");

  EXPECT_EQ(
      relabel::config::load_run_config(path, {"task.name=hopper", "dataset.name=hopper-medium"})
          .policy.reward_scaling,
      "episode_range");  // auto, iql on a MuJoCo locomotion task

  c = relabel::config::load_run_config(
      path, {"reward.method=imputation", "policy.algo=td3bc", "parallel.device=cuda"});
  EXPECT_DOUBLE_EQ(c.dataset.label_fraction, 0.01);
  EXPECT_EQ(c.policy.reward_scaling, "none");
  c = relabel::config::load_run_config(
      path, {"reward.method=cdred", "policy.algo=world_model", "parallel.device=cuda"});
  EXPECT_EQ(c.reward.params.get<int64_t>("predictor_hidden"), 1024);
  EXPECT_EQ(c.policy.params.get<std::string>("preset"), "1M");

  c = relabel::config::load_run_config(path, {"reward.method=cdred", "policy.algo=world_model"});
  EXPECT_DOUBLE_EQ(c.reward.params.get<double>("alpha"), 0.9);
  // An explicit value wins over the derived default.
  c = relabel::config::load_run_config(path, {"reward.method=cdred", "policy.algo=world_model",
                                              "reward.alpha=0.5", "reward.predictor_hidden=64"});
  EXPECT_DOUBLE_EQ(c.reward.params.get<double>("alpha"), 0.5);
  EXPECT_EQ(c.reward.params.get<int64_t>("predictor_hidden"), 64);
}

TEST(ConfigLoad, SetOverridesParseTomlValues) {
  TempDir dir;
  auto path = write(dir, std::string(kValidHead));
  auto c = relabel::config::load_run_config(
      path, {"policy.expectile=0.9", "train.steps = 2_000", "name=ablation-1",
             "output.dir=\"out/x y\"", "seed=7"});
  EXPECT_DOUBLE_EQ(c.policy.params.get<double>("expectile"), 0.9);
  EXPECT_EQ(c.train.steps, 2000);
  EXPECT_TRUE(
      relabel::config::load_run_config(path, {"policy.algo=world_model", "policy.mppi=true"})
          .policy.params.get<bool>("mppi"));
  EXPECT_EQ(c.name, "ablation-1");  // bare text for a string key
  EXPECT_EQ(c.output.dir, "out/x y");
  EXPECT_EQ(c.seed, 7);
  // A string key takes text that TOML would read as a number.
  c = relabel::config::load_run_config(path, {"name=2024"});
  EXPECT_EQ(c.name, "2024");
}

TEST(ConfigLoad, SetErrorsNameTheOverride) {
  TempDir dir;
  auto path = write(dir, std::string(kValidHead));
  EXPECT_EQ(load_error(path, {"policy.expectle=0.8"}),
            "--set policy.expectle: unknown key 'policy.expectle' (did you mean "
            "'policy.expectile'?)");
  EXPECT_EQ(load_error(path, {"policy.expectile=high"}),
            "--set policy.expectile: expected float, got string");
  EXPECT_EQ(load_error(path, {"train.steps=[1,2]"}),
            "--set train.steps: expected integer, got array");
  EXPECT_EQ(load_error(path, {"policy.expectile=1.5"}),
            "--set policy.expectile: must be in (0, 1), got 1.5");
  EXPECT_EQ(load_error(path, {"policy.expectile"}),
            "--set policy.expectile: expected KEY=VALUE, e.g. --set policy.expectile=0.8");
  // A cross-key error caused by an override names the override.
  EXPECT_EQ(load_error(path, {"dataset.path=none.hdf5", "dataset.name="}),
            "--set dataset.path: file not found: none.hdf5");
}

TEST(ConfigLoad, TaskMustBeRegistered) {
  TempDir dir;
  auto path = write(dir, "[task]\nname = \"pendulm\"\n[dataset]\nname = \"pendulm-medium\"\n");
  auto msg = load_error(path);
  EXPECT_EQ(msg.rfind(path + ":2:8: task.name: unknown task 'pendulm' (did you mean 'pendulum'?); "
                             "known tasks: ",
                      0),
            0u)
      << msg;
  EXPECT_NE(msg.find("pendulum"), std::string::npos);
}

// A key another method declares: dropped from the run (a file may serve several methods), but an
// override naming it would change nothing, so it is refused; the file's are reported.
TEST(ConfigLoad, KeysOfAnotherMethodAreReportedAndRefusedAsOverrides) {
  TempDir dir;
  auto path = write(dir, std::string(kValidHead) +
                             "[reward]\nmethod = \"ground_truth\"\nzeta = 0.9\nalpha = 0.5\n"
                             "[policy]\nexpectile = 0.8\n");
  std::vector<relabel::config::UnusedKey> unused;
  auto c = relabel::config::load_run_config(path, {}, &unused);
  EXPECT_TRUE(c.reward.params.values().empty());
  EXPECT_DOUBLE_EQ(c.policy.params.get<double>("expectile"), 0.8);  // iql's own key is used
  ASSERT_EQ(unused.size(), 2u);
  EXPECT_EQ(unused[0].key, "reward.alpha");
  EXPECT_EQ(unused[0].origin, path + ":8:9");
  EXPECT_EQ(unused[0].selected, "ground_truth");
  EXPECT_EQ(unused[0].used_by, (std::vector<std::string>{"cdred", "reload"}));
  EXPECT_EQ(unused[1].key, "reward.zeta");
  EXPECT_EQ(relabel::config::ignored_keys_lines(path, unused),
            std::vector<std::string>{path + ": not used by reward.method = ground_truth, ignored: "
                                            "reward.alpha (cdred, reload), reward.zeta (cdred)"});

  // The same keys become used when the method is switched by an override: nothing reported.
  unused.clear();
  c = relabel::config::load_run_config(
      path, {"reward.method=cdred", "policy.algo=world_model", "task.name=pendulum"}, &unused);
  EXPECT_DOUBLE_EQ(c.reward.params.get<double>("zeta"), 0.9);
  // ...but now iql's expectile is the unused one.
  ASSERT_EQ(unused.size(), 1u);
  EXPECT_EQ(unused[0].key, "policy.expectile");
  EXPECT_EQ(unused[0].selector, "policy.algo");

  // An override of an unused key is an error, one line naming it; an override of a used one
  // is not, and re-setting a file key by override makes it the override's.
  EXPECT_EQ(load_error(path, {"reward.beta=2"}),
            "--set reward.beta: not used by reward.method = ground_truth (a key of reload); it "
            "would change nothing");
  EXPECT_EQ(load_error(path, {"reward.zeta=0.5"}),
            "--set reward.zeta: not used by reward.method = ground_truth (a key of cdred); it "
            "would change nothing");
  EXPECT_EQ(load_error(path, {"reward.method=reload", "reward.beta=2"}), "");
}
