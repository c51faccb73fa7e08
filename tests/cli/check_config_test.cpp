// relabel check: resolved config on success; one line "relabel: error: FILE:LINE:COL: key: ..."
// and exit 2 on every kind of bad input.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <sstream>

#include "tests/support/test_support.h"

using relabel::test::read_file;
using relabel::test::run_relabel;
using relabel::test::TempDir;
using relabel::test::write_file;

namespace {

const std::string kConfigs = std::string(RELABEL_SOURCE_DIR) + "/configs";

// The whole output is exactly one error line.
void expect_one_line_error(const relabel::test::CommandResult& r, const std::string& line) {
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_EQ(r.output, "relabel: error: " + line + "\n");
}

}  // namespace

TEST(CheckConfig, PrintsResolvedExampleConfig) {
  auto r = run_relabel("check " + kConfigs + "/pendulum-iql.toml");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* line :
       {"name = \"pendulum-iql\"\n", "[dataset]\nname = \"pendulum-medium-expert\"\n",
        "steps = 20000\n", "expectile = 0.7\n", "reward_scaling = \"none\"\n",
        "dir = \"runs/pendulum-iql\"\n", "valid run configuration (config_hash "})
    EXPECT_NE(r.output.find(line), std::string::npos) << line << " missing in\n" << r.output;
}

// A named suite missing from the data cache: the config is valid (the suite can be made before
// the run), but check says what relabel run would refuse, in its words.
TEST(CheckConfig, AMissingNamedSuiteIsAWarningWithTheCommandThatMakesIt) {
  relabel::test::TempDir dir;
  auto r = relabel::test::run_command("RELABEL_DATA=" + dir.path() + " " + RELABEL_BINARY +
                                      " check " + kConfigs + "/pendulum-iql.toml 2>&1");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("# warning: dataset.name = \"pendulum-medium-expert\": " + dir.path() +
                          "/pendulum/medium-expert.hdf5 does not exist; make the suite with "
                          "`relabel datagen --task pendulum --out " +
                          dir.path() + "/pendulum`"),
            std::string::npos)
      << r.output;
  // With the suite there (the test cache), no warning.
  EXPECT_EQ(run_relabel("check " + kConfigs + "/pendulum-iql.toml").output.find("# warning"),
            std::string::npos);
}

// The same warning for a sweep spec, once per missing dataset however many runs use it (check
// of a spec said nothing: its runs stopped at their start).
TEST(CheckConfig, ASweepSpecWarnsOnceForEachMissingNamedSuite) {
  TempDir data, dir;
  write_file(dir / "spec.toml", "name = \"s\"\nbase = \"" + kConfigs +
                                    "/pendulum-iql.toml\"\nseeds = [0, 1]\n[grid]\n"
                                    "\"dataset.name\" = [\"pendulum-medium-expert\", "
                                    "\"pendulum-random\"]\n");
  auto check = [&] {
    return relabel::test::run_command("RELABEL_DATA=" + data.path() + " " + RELABEL_BINARY +
                                      " check " + dir / "spec.toml" + " 2>&1");
  };
  auto r = check();
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(relabel::test::count(r.output, "# warning: "), 2u) << r.output;
  for (const char* kind : {"medium-expert", "random"})
    EXPECT_EQ(relabel::test::count(r.output,
                                   std::string("# warning: dataset.name = \"pendulum-") + kind +
                                       "\": " + data.path() + "/pendulum/" + kind +
                                       ".hdf5 does not exist; make the suite with `relabel datagen "
                                       "--task pendulum --out " +
                                       data.path() + "/pendulum`"),
              1u)
        << r.output;
  EXPECT_NE(r.output.find("valid sweep 's': 4 runs"), std::string::npos) << r.output;
  // Only the datasets still missing are named; none once both are there.
  std::filesystem::create_directories(data / "pendulum");
  write_file(data / "pendulum/medium-expert.hdf5", "");
  r = check();
  EXPECT_EQ(relabel::test::count(r.output, "# warning: "), 1u) << r.output;
  EXPECT_NE(r.output.find("# warning: dataset.name = \"pendulum-random\""), std::string::npos)
      << r.output;
  write_file(data / "pendulum/random.hdf5", "");
  r = check();
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output.find("# warning"), std::string::npos) << r.output;
}

// check's table of a sweep's runs: a zipped key a run's method does not read (reward.zeta in the
// ground-truth and BC rows of the hopper baselines) shows "-", not the zip's placeholder, and
// every other column stays under its header.
TEST(CheckConfig, ASweepTableShowsADashForAKeyTheRunDoesNotRead) {
  auto r = run_relabel("check " + kConfigs + "/sweeps/hopper-cdred-baselines.toml");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::istringstream in(r.output);
  std::vector<std::vector<std::string>> rows;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream words(line);
    rows.emplace_back(std::istream_iterator<std::string>(words),
                      std::istream_iterator<std::string>());
  }
  ASSERT_EQ(rows.size(), 13u) << r.output;  // header + 4 cells x 3 seeds
  const std::vector<std::string> header{
      "id", "reward.method", "reward.zeta", "policy.algo", "dataset.demonstrations_only", "seed"};
  EXPECT_EQ(rows[0], header) << r.output;
  for (size_t i = 1; i < rows.size(); ++i) {
    ASSERT_EQ(rows[i].size(), header.size()) << r.output;
    const bool cdred = rows[i][1] == "cdred";
    EXPECT_EQ(rows[i][2] == "-", !cdred) << r.output;
    EXPECT_EQ(rows[i][5], std::to_string((i - 1) % 3)) << r.output;
  }
  EXPECT_EQ(rows[4][2], "1.0") << r.output;
}

// Every config and sweep the project ships is valid against today's schema: a renamed or removed
// key fails here, not in a user's first run.
TEST(CheckConfig, EveryShippedConfigAndSweepSpecIsValid) {
  int checked = 0;
  for (const std::string& dir : {kConfigs, kConfigs + "/sweeps"})
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
      if (e.path().extension() != ".toml") continue;
      auto r = run_relabel("check " + e.path().string());
      EXPECT_EQ(r.exit_code, 0) << e.path() << "\n" << r.output;
      EXPECT_NE(r.output.find("valid "), std::string::npos) << e.path() << "\n" << r.output;
      ++checked;
    }
  EXPECT_GE(checked, 20);
}

TEST(CheckConfig, OutputLoadsBackToTheSameHash) {
  TempDir dir;
  auto r = run_relabel("check " + kConfigs + "/pendulum-iql.toml --set policy.expectile=0.85");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  write_file(dir / "resolved.toml", r.output);
  auto again = run_relabel("check " + dir / "resolved.toml");
  ASSERT_EQ(again.exit_code, 0) << again.output;
  auto hash = [](const std::string& out) { return out.substr(out.find("config_hash"), 28); };
  EXPECT_EQ(hash(r.output), hash(again.output));
  EXPECT_NE(again.output.find("expectile = 0.85\n"), std::string::npos);
}

TEST(CheckConfig, EachErrorKindIsOneLineWithExit2) {
  TempDir dir;
  auto f = dir / "bad.toml";
  const std::string head = "[dataset]\nname = \"pendulum-medium\"\n";
  write_file(f, head + "[policy]\nexpectile = [0.7\n");
  auto r = run_relabel("check " + f);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.output.rfind("relabel: error: " + f + ":4:", 0), 0u) << r.output;
  EXPECT_NE(r.output.find("syntax error"), std::string::npos) << r.output;
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;

  write_file(f, head + "[policy]\nexpectle = 0.7\n");
  expect_one_line_error(run_relabel("check " + f),
                        f + ":4:1: policy.expectle: unknown key 'policy.expectle' (did you mean "
                            "'policy.expectile'?)");
  write_file(f, head + "[train]\nsteps = \"many\"\n");
  expect_one_line_error(run_relabel("check " + f),
                        f + ":4:9: train.steps: expected integer, got string");
  write_file(f, head + "label_fraction = 1.5\n");
  expect_one_line_error(run_relabel("check " + f),
                        f + ":3:18: dataset.label_fraction: must be in (0, 1], got 1.5");
  write_file(f, "[dataset]\npath = \"data/x.hdf5\"\n");
  expect_one_line_error(run_relabel("check " + f),
                        f + ":2:8: dataset.path: file not found: data/x.hdf5");
  expect_one_line_error(run_relabel("check " + dir / "none.toml"),
                        dir / "none.toml" + ": file not found");
}

// A sweep cell refused at resolution by a key its base config sets: check, sweep and slurm submit
// (which all expand the spec first) name the spec and the cell before the base's FILE:LINE:COL,
// in one line with exit 2; the base alone named a file the researcher had not changed.
TEST(CheckConfig, ASweepCellRefusedAtResolutionNamesTheSpecAndTheCell) {
  TempDir dir;
  write_file(dir / "base.toml",
             "[task]\nname = \"pendulum\"\n[dataset]\nname = \"pendulum-medium\"\n"
             "label_fraction = 0.01\n");
  const std::string spec = dir / "s3.toml";
  write_file(spec,
             "name = \"t\"\nbase = \"base.toml\"\nseeds = [0]\n[grid]\n"
             "\"reward.method\" = [\"imputation\", \"reload\"]\n");
  const std::string line = spec +
                           ": cell reward.method = \"reload\" (seed 0): " + dir / "base.toml" +
                           ":5:18: dataset.label_fraction: set to 0.01, but reward method "
                           "'reload' reads no labelled subset (only a method with one, like "
                           "imputation, does): leave the key out";
  expect_one_line_error(run_relabel("check " + spec), line);
  expect_one_line_error(run_relabel("sweep " + spec + " --dry-run --out " + (dir / "out")), line);
  expect_one_line_error(run_relabel("slurm submit " + spec + " --dry-run --out " + (dir / "out")),
                        line);
  EXPECT_FALSE(std::filesystem::exists(dir / "out"));
}

// A directory as dataset.path: relabel run refused it at its first read, while check called the
// config valid. Both refuse it now, with the same line; a Minari dataset is a directory.
TEST(CheckConfig, ADirectoryAsDatasetFileIsRefusedByCheckAndRun) {
  TempDir dir;
  std::filesystem::create_directories(dir / "suite");
  auto f = dir / "dir.toml";
  const std::string line =
      f + ":2:8: dataset.path: " + dir / "suite" + ": is a directory, expected an HDF5 file";
  write_file(
      f, "[dataset]\npath = \"" + dir / "suite" + "\"\n[output]\ndir = \"" + dir / "run" + "\"\n");
  expect_one_line_error(run_relabel("check " + f), line);
  expect_one_line_error(run_relabel("run " + f), line);
  EXPECT_FALSE(std::filesystem::exists(dir / "run"));
  write_file(f, "[dataset]\nname = \"pendulum-medium\"\nexpert_path = \"" + dir / "suite" + "\"\n");
  expect_one_line_error(run_relabel("check " + f),
                        f + ":3:15: dataset.expert_path: " + dir / "suite" +
                            ": is a directory, expected an HDF5 file");
  write_file(f, "[dataset]\npath = \"" + dir / "suite" + "\"\nformat = \"minari\"\n");
  auto minari = run_relabel("check " + f);
  EXPECT_EQ(minari.exit_code, 0) << minari.output;
}

TEST(CheckConfig, SetOverrides) {
  auto cfg = kConfigs + "/pendulum-iql.toml";
  auto r = run_relabel("check " + cfg + " --set policy.expectile=0.9 --set train.steps=500");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("expectile = 0.9\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("steps = 500\n"), std::string::npos) << r.output;
  expect_one_line_error(run_relabel("check " + cfg + " --set policy.expectle=0.9"),
                        "--set policy.expectle: unknown key 'policy.expectle' (did you mean "
                        "'policy.expectile'?)");
  expect_one_line_error(run_relabel("check " + cfg + " --set train.steps=lots"),
                        "--set train.steps: expected integer, got string");
  // TOML has no leading zeros: 05 read as the string "05" ("expected integer, got string").
  expect_one_line_error(
      run_relabel("check " + cfg + " --set train.steps=05"),
      "--set train.steps: 05 is not a TOML integer: leading zeros are not allowed");
  expect_one_line_error(
      run_relabel("check " + cfg + " --set policy.expectile=-07.5"),
      "--set policy.expectile: -07.5 is not a TOML float: leading zeros are not allowed");
  // A string key takes the text as written.
  auto named = run_relabel("check " + cfg + " --set name=05");
  EXPECT_EQ(named.exit_code, 0) << named.output;
  EXPECT_NE(named.output.find("name = \"05\"\n"), std::string::npos) << named.output;
}

TEST(CheckConfig, DefaultsAreDocumentedAndLoadable) {
  TempDir dir;
  auto r = run_relabel("check --defaults");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("# IQL expectile of the value loss [policy.algo = iql]; in (0, 1)\n"
                          "expectile = 0.7\n"),
            std::string::npos)
      << r.output;
  write_file(dir / "defaults.toml", r.output);
  auto loaded =
      run_relabel("check " + dir / "defaults.toml" + " --set dataset.name=pendulum-random");
  EXPECT_EQ(loaded.exit_code, 0) << loaded.output;
  EXPECT_EQ(run_relabel("check").exit_code, 2);
}
