// Sweep spec errors: each one line with the spec's FILE:LINE:COL and key, raised before any run.
#include <gtest/gtest.h>

#include "config/config_schema.h"
#include "tests/sweeps/spec_test_util.h"

using relabel::test::run_relabel;
using relabel::test::sweep_error;
using relabel::test::TempDir;
using relabel::test::write_sweep;

TEST(SweepErrors, UnknownSweptKeySuggests) {
  TempDir dir;
  auto spec = write_sweep(dir,
                          "base = \"base.toml\"\nseeds = [0]\n[grid]\n"
                          "\"reward.zeta\" = [0.6]\n\"reward.zta\" = [0.6, 0.8]\n");
  EXPECT_EQ(sweep_error(spec),
            spec + ":5:1: reward.zta: unknown key 'reward.zta' (did you mean 'reward.zeta'?)");
  // The CLI refuses it with exit 2 and creates nothing.
  auto r = run_relabel("check " + spec);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_EQ(r.output, "relabel: error: " + spec +
                          ":5:1: reward.zta: unknown key 'reward.zta' (did you mean "
                          "'reward.zeta'?)\n");
}

TEST(SweepErrors, UnknownSpecKey) {
  TempDir dir;
  auto spec = write_sweep(dir, "base = \"base.toml\"\n[gird]\n\"reward.zeta\" = [0.6]\n");
  EXPECT_EQ(sweep_error(spec),
            spec + ":2:2: gird: unknown sweep key 'gird' (did you mean 'grid'?)");
  spec = write_sweep(dir, "base = \"base.toml\"\n[parallel]\nranks = 2\n");
  EXPECT_EQ(sweep_error(spec), spec +
                                   ":3:1: parallel.ranks: unknown sweep key 'parallel.ranks' (did "
                                   "you mean 'parallel.ranks_per_run'?)");
}

TEST(SweepErrors, ValuesAreCheckedAgainstTheRunSchema) {
  TempDir dir;
  auto spec = write_sweep(dir, "base = \"base.toml\"\n[grid]\n\"policy.expectile\" = [0.5, 1.5]\n");
  EXPECT_EQ(sweep_error(spec), spec + ":3:28: policy.expectile: must be in (0, 1), got 1.5");
  spec = write_sweep(dir, "base = \"base.toml\"\n[grid]\n\"train.steps\" = [100, \"x\"]\n");
  EXPECT_EQ(sweep_error(spec), spec + ":3:23: train.steps: expected integer, got string");
  spec = write_sweep(dir, "base = \"base.toml\"\nseeds = [0, -1]\n");
  EXPECT_EQ(sweep_error(spec), spec + ":2:13: seed: must be >= 0, got -1");
  spec = write_sweep(dir, "base = \"base.toml\"\n[grid]\n\"policy.algo\" = [\"iql\", \"sac\"]\n");
  EXPECT_EQ(sweep_error(spec).rfind(spec + ":3:25: policy.algo: must be one of", 0), 0u)
      << sweep_error(spec);
  spec = write_sweep(dir, "base = \"base.toml\"\n[grid]\n\"train.steps\" = 100\n");
  EXPECT_EQ(sweep_error(spec),
            spec + ":3:17: train.steps: expected an array of values, e.g. [0.6, 0.8]");
  spec = write_sweep(dir, "base = \"base.toml\"\n[grid]\n\"train.steps\" = []\n");
  EXPECT_EQ(sweep_error(spec), spec + ":3:17: train.steps: empty list: give at least one value");
}

TEST(SweepErrors, ZipLengthsMustMatch) {
  TempDir dir;
  auto spec = write_sweep(dir,
                          "base = \"base.toml\"\n[zip]\n\"reward.beta\" = [1, 2]\n"
                          "\"policy.hidden\" = [64, 128, 256]\n");
  EXPECT_EQ(sweep_error(spec), spec +
                                   ":4:1: zip.policy.hidden: 3 values, but zip.reward.beta has 2: "
                                   "zipped keys need equal lengths");
}

TEST(SweepErrors, RandomDistributions) {
  TempDir dir;
  auto spec = write_sweep(dir,
                          "base = \"base.toml\"\n[random]\n"
                          "\"reward.beta\" = { log_uniform = [0.1, 10.0] }\n");
  EXPECT_EQ(sweep_error(spec), spec + ": random.count: missing: [random] needs count = <draws>");
  spec = write_sweep(dir,
                     "base = \"base.toml\"\n[random]\ncount = 2\n"
                     "\"reward.beta\" = { log_uniform = [0.0, 10.0] }\n");
  EXPECT_EQ(sweep_error(spec), spec + ":4:33: reward.beta: log_uniform needs 0 < low < high");
  spec = write_sweep(dir,
                     "base = \"base.toml\"\n[random]\ncount = 2\n"
                     "\"train.steps\" = { uniform = [10, 20] }\n");
  EXPECT_EQ(sweep_error(spec), spec +
                                   ":4:29: train.steps: uniform draws floats but the key is "
                                   "integer (use int_uniform or choice)");
  spec = write_sweep(dir,
                     "base = \"base.toml\"\n[random]\ncount = 2\n"
                     "\"reward.zeta\" = { uniform = [0.5, 1.5] }\n");
  EXPECT_EQ(sweep_error(spec), spec + ":4:35: reward.zeta: must be in [0, 1], got 1.5");
  spec = write_sweep(dir,
                     "base = \"base.toml\"\n[random]\ncount = 2\n"
                     "\"reward.zeta\" = { normal = [0.5, 1.5] }\n");
  EXPECT_EQ(sweep_error(spec).rfind(spec + ":4:17: reward.zeta: expected a distribution", 0), 0u)
      << sweep_error(spec);
}

TEST(SweepErrors, StructuralMistakes) {
  TempDir dir;
  auto spec = write_sweep(dir, "seeds = [0]\n[grid]\n\"reward.zeta\" = [0.6]\n");
  EXPECT_EQ(sweep_error(spec),
            spec + ": base: missing: a sweep needs base = \"<run config>.toml\"");
  spec = write_sweep(dir, "base = \"nope.toml\"\n");
  EXPECT_EQ(sweep_error(spec).rfind(spec + ":1:8: base: file not found: nope.toml", 0), 0u)
      << sweep_error(spec);
  spec = write_sweep(dir,
                     "base = \"base.toml\"\n[grid]\n\"reward.zeta\" = [0.6]\n[zip]\n"
                     "\"reward.zeta\" = [0.7]\n");
  EXPECT_EQ(sweep_error(spec),
            spec + ":5:1: reward.zeta: swept twice: a key may appear in one axis only");
  spec = write_sweep(dir, "base = \"base.toml\"\n[grid]\nseed = [1, 2]\n");
  EXPECT_EQ(sweep_error(spec),
            spec + ":3:1: seed: sweep seeds with the top-level seeds = [...] list");
  spec = write_sweep(dir, "base = \"base.toml\"\n[grid]\n\"policy.expectile\" = [0.6, 0.6]\n");
  EXPECT_EQ(sweep_error(spec).rfind(spec + ": runs 1 and 2 resolve to the same configuration", 0),
            0u)
      << sweep_error(spec);
  // A key the base's method does not declare: the duplicates say why.
  spec = write_sweep(dir, "base = \"base.toml\"\n[grid]\n\"reward.zeta\" = [0.6, 0.8]\n");
  const std::string error = sweep_error(spec);
  EXPECT_EQ(error.rfind(spec + ": runs 1 and 2 resolve to the same configuration", 0), 0u) << error;
  EXPECT_NE(error.find("reward.zeta is not used by reward.method = ground_truth"),
            std::string::npos)
      << error;
}

// A zipped value for a run whose method does not declare the key would be dropped, and the run
// recorded with the key's default: refused at the value; the default itself is a placeholder.
TEST(SweepErrors, AZippedValueTheRunDoesNotUseIsRefusedUnlessItIsTheDefault) {
  TempDir dir;
  auto spec = write_sweep(dir,
                          "base = \"base.toml\"\n[zip]\n"
                          "\"reward.method\" = [\"ground_truth\", \"reload\"]\n"
                          "\"reward.beta\" = [3.0, 2.0]\n");
  EXPECT_EQ(sweep_error(spec),
            spec +
                ":4:18: reward.beta = 3.0 is not used by reward.method = ground_truth (a key "
                "of reload); it would change nothing: give its default 1.0 there");
  spec = write_sweep(dir,
                     "base = \"base.toml\"\n[zip]\n"
                     "\"reward.method\" = [\"ground_truth\", \"reload\"]\n"
                     "\"reward.beta\" = [1, 2.0]\n");
  EXPECT_EQ(sweep_error(spec), "");
  const auto s = relabel::sweeps::load_sweep(spec);
  ASSERT_EQ(s.runs.size(), 2u);
  // The placeholder is not the ground-truth run's setting: its params (sweep.json, result.json,
  // the report's columns) leave the key out; the ReLOAD run's hold it.
  ASSERT_EQ(s.runs[0].params.size(), 2u);
  EXPECT_EQ(s.runs[0].params[0].first, "reward.method");
  EXPECT_EQ(s.runs[0].params[1].first, "seed");
  ASSERT_EQ(s.runs[1].params.size(), 3u);
  EXPECT_EQ(s.runs[1].params[1].first, "reward.beta");
  EXPECT_EQ(relabel::config::toml_literal(s.runs[1].params[1].second), "2.0");
}

// A count typo would expand 10^8 runs (out of memory before a word): refused at parse.
TEST(SweepErrors, ASweepOfMoreThanAHundredThousandRunsIsRefused) {
  TempDir dir;
  auto spec = write_sweep(dir,
                          "base = \"base.toml\"\nseeds = [0, 1]\n[random]\ncount = 100000000\n"
                          "\"policy.expectile\" = { uniform = [0.5, 0.9] }\n");
  EXPECT_EQ(sweep_error(spec), spec +
                                   ": expands to 200000000 runs, more than the 100000 one "
                                   "sweep may hold; split it into several sweeps");
  spec = write_sweep(dir,
                     "base = \"base.toml\"\nseeds = [0, 1]\n[random]\ncount = 3\n"
                     "\"policy.expectile\" = { uniform = [0.5, 0.9] }\n");
  EXPECT_EQ(sweep_error(spec), "");
}

TEST(SweepErrors, CrossKeyErrorOfOneRunNamesTheSpecValue) {
  TempDir dir;
  // The second zipped dataset path does not exist: found before anything runs.
  relabel::test::write_file(dir / "a.hdf5", "");
  auto spec =
      write_sweep(dir, "base = \"base.toml\"\n[zip]\n\"dataset.path\" = [\"" + dir / "a.hdf5" +
                           "\", \"missing.hdf5\"]\n\"dataset.name\" = [\"\", \"\"]\n");
  auto msg = sweep_error(spec);
  EXPECT_EQ(msg.rfind(spec + ":3:", 0), 0u) << msg;
  EXPECT_NE(msg.find("dataset.path: file not found: missing.hdf5"), std::string::npos) << msg;
}

TEST(SweepErrors, BaseConfigErrorsNameTheBaseFile) {
  TempDir dir;
  auto spec = write_sweep(dir, "base = \"base.toml\"\nseeds = [0]\n", "stepz = 3\n");
  EXPECT_EQ(sweep_error(spec), dir / "base.toml" +
                                   ":8:1: train.stepz: unknown key 'train.stepz' (did you mean "
                                   "'train.steps'?)");
}

// A --set of a key no run of the sweep uses would change nothing: refused, naming the methods the
// sweep runs; one run using it is enough.
TEST(SweepErrors, OverrideOfAKeyNoRunUsesIsRefused) {
  TempDir dir;
  auto spec = write_sweep(dir,
                          "base = \"base.toml\"\nseeds = [0]\n[grid]\n"
                          "\"reward.method\" = [\"ground_truth\", \"reload\"]\n");
  auto with = [&](const std::string& set) {
    relabel::sweeps::SweepOptions options;
    options.overrides = {set};
    try {
      relabel::sweeps::load_sweep(spec, options);
    } catch (const relabel::Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_EQ(with("reward.zeta=0.5"),
            "--set reward.zeta: not used by any run of " + spec +
                " (reward.method = ground_truth, reload; a key of cdred); it would change nothing");
  EXPECT_EQ(with("reward.beta=2"), "");  // reload's runs use it
  EXPECT_EQ(with("train.steps=200"), "");
}

// A cell refused at resolution because of its combination (the key is set in the base config or
// by --set, the conflict comes from a swept value): the one line names the spec and the cell
// (its axis values and seed) before the place the key is set; an error at a swept value already
// points into the spec and stays as it is.
TEST(SweepErrors, ACellRefusedAtResolutionNamesTheSpecAndTheCell) {
  TempDir dir;
  const std::string head =
      "name = \"base\"\n[task]\nname = \"pendulum\"\n[dataset]\nname = \"pendulum-medium\"\n";
  const std::string refused =
      "dataset.label_fraction: set to 0.01, but reward method 'reload' reads no labelled subset "
      "(only a method with one, like imputation, does): leave the key out";
  relabel::test::write_file(dir / "base.toml", head + "label_fraction = 0.01\n");
  relabel::test::write_file(dir / "spec.toml",
                            "base = \"base.toml\"\nseeds = [3, 4]\n[grid]\n"
                            "\"train.steps\" = [100]\n"
                            "\"reward.method\" = [\"imputation\", \"reload\"]\n");
  const std::string spec = dir / "spec.toml";
  EXPECT_EQ(sweep_error(spec), spec +
                                   ": cell train.steps = 100, reward.method = \"reload\" "
                                   "(seed 3): " +
                                   dir / "base.toml" + ":6:18: " + refused);
  // A base config refused for every cell: the spec and the seed.
  relabel::test::write_file(dir / "base.toml", head +
                                                   "label_fraction = 0.01\n[reward]\n"
                                                   "method = \"reload\"\n");
  relabel::test::write_file(dir / "spec.toml", "base = \"base.toml\"\nseeds = [5]\n");
  EXPECT_EQ(sweep_error(spec), spec + ": seed 5: " + dir / "base.toml" + ":6:18: " + refused);
  // The key set by --set.
  relabel::test::write_file(dir / "base.toml", head);
  relabel::test::write_file(dir / "spec.toml",
                            "base = \"base.toml\"\n[zip]\n"
                            "\"reward.method\" = [\"imputation\", \"reload\"]\n");
  relabel::sweeps::SweepOptions options;
  options.overrides = {"dataset.label_fraction=0.01"};
  try {
    relabel::sweeps::load_sweep(spec, options);
    ADD_FAILURE() << "accepted";
  } catch (const relabel::Error& e) {
    EXPECT_EQ(std::string(e.what()),
              spec + ": cell reward.method = \"reload\" (seed 0): --set " + refused);
  }
  // The refused key swept: its value's FILE:LINE:COL, as before.
  relabel::test::write_file(dir / "base.toml", head + "[reward]\nmethod = \"reload\"\n");
  relabel::test::write_file(dir / "spec.toml",
                            "base = \"base.toml\"\n[grid]\n"
                            "\"dataset.label_fraction\" = [1.0, 0.01]\n");
  EXPECT_EQ(sweep_error(spec), spec + ":3:34: " + refused);
}
