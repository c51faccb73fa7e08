// Exit codes and messages as promised (docs/architecture.md, cli/): an unusable output location,
// a directory or unreadable file given as a config, `sweep --set output.dir`, an override of a
// key the run does not use, and an input error under mpirun said once. Each case runs the binary
// and checks the exit code, the one line and what is (not) on disk.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "tests/support/test_support.h"

using relabel::test::count;
using relabel::test::run_command;
using relabel::test::run_relabel;
using relabel::test::run_relabel_mpi;
using relabel::test::TempDir;
using relabel::test::write_file;
namespace fs = std::filesystem;

namespace {

const std::string kConfigs = std::string(RELABEL_SOURCE_DIR) + "/configs";
const std::string kIql = kConfigs + "/pendulum-iql.toml";

// The whole output is exactly one error line, exit 2.
void expect_one_line_error(const relabel::test::CommandResult& r, const std::string& line) {
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_EQ(r.output, "relabel: error: " + line + "\n");
}

}  // namespace

TEST(OutputLocation, RegularFileIsRefusedBeforeAnythingRuns) {
  TempDir dir;
  write_file(dir / "taken", "not a directory\n");
  expect_one_line_error(run_relabel("run " + kIql + " --out " + (dir / "taken")),
                        "output.dir " + (dir / "taken") + ": exists and is not a directory");
  expect_one_line_error(
      run_relabel("run " + kIql + " --out " + (dir / "taken/run")),
      "output.dir " + (dir / "taken/run") + ": " + (dir / "taken") + " is not a directory");
  EXPECT_EQ(relabel::test::read_file(dir / "taken"), "not a directory\n");
}

TEST(OutputLocation, UnderProcIsRefused) {
  auto r = run_relabel("run " + kIql + " --out /proc/relabel-run");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_EQ(r.output.rfind("relabel: error: output.dir /proc/relabel-run: cannot ", 0), 0u)
      << r.output;
  EXPECT_EQ(count(r.output, "\n"), 1u) << r.output;
  EXPECT_EQ(r.output.find("filesystem error"), std::string::npos) << r.output;
}

// Root reads and writes whatever the permission bits say, so under root (CI) these permission
// cases run the binary without the capabilities that override them (setpriv, util-linux): it
// stays root, so it still reaches every path, but the bits now apply.
relabel::test::CommandResult run_unprivileged(const TempDir&, const std::string& args) {
  if (::geteuid() != 0) return run_relabel(args);
  return run_command("setpriv --bounding-set -dac_override,-dac_read_search " RELABEL_BINARY " " +
                     args);
}

TEST(OutputLocation, ReadOnlyDirectoryIsRefused) {
  TempDir dir;
  fs::create_directories(dir / "ro");
  fs::permissions(dir / "ro", fs::perms::owner_read | fs::perms::owner_exec |
                                  fs::perms::others_read | fs::perms::others_exec);
  auto r = run_unprivileged(dir, "run " + kIql + " --out " + (dir / "ro/run"));
  fs::permissions(dir / "ro", fs::perms::owner_all);
  expect_one_line_error(r,
                        "output.dir " + (dir / "ro/run") + ": cannot create it: Permission denied");
}

TEST(OutputLocation, NameTooLongIsRefusedByRunAndCheck) {
  TempDir dir;
  const std::string name(300, 'n');
  const std::string out = dir / name;
  const std::string line = "output.dir " + out + ": the name '" + name.substr(0, 32) +
                           "...' is 300 characters, longer than the filesystem allows (255)";
  expect_one_line_error(run_relabel("run " + kIql + " --out " + out), line);
  expect_one_line_error(run_relabel("check " + kIql + " --set output.dir=" + out), line);
  std::error_code ec;  // the name is too long even to ask about
  EXPECT_FALSE(fs::exists(out, ec));
}

TEST(ConfigFile, DirectoryIsNamedAsOne) {
  TempDir dir;
  expect_one_line_error(run_relabel("check " + dir.path()), dir.path() + " is a directory");
  expect_one_line_error(run_relabel("run " + dir.path()), dir.path() + " is a directory");
}

TEST(ConfigFile, UnreadableFileIsNotCalledCorrupt) {
  TempDir dir;
  write_file(dir / "secret.toml", "seed = 1\n");
  fs::permissions(dir / "secret.toml", fs::perms::none);
  expect_one_line_error(run_unprivileged(dir, "check " + (dir / "secret.toml")),
                        (dir / "secret.toml") + ": cannot read: Permission denied");
}

TEST(SweepOverrides, OutputDirIsRefusedNotIgnored) {
  TempDir dir;
  const std::string line =
      "--set output.dir: a sweep puts each run in <sweep dir>/runs/<id>; give the sweep "
      "directory with --out DIR";
  const std::string spec = kConfigs + "/sweeps/pendulum-methods.toml";
  expect_one_line_error(run_relabel("sweep " + spec + " --dry-run --set output.dir=" + (dir / "x")),
                        line);
  expect_one_line_error(run_relabel("check " + spec + " --set output.dir=" + (dir / "x")), line);
  EXPECT_FALSE(fs::exists(dir / "x"));
}

// An override of a key the run's method does not use would change nothing: refused before
// anything is written. Another method's keys in the file are reported, not refused.
TEST(ConfigOverrides, KeyOfAnotherMethodIsRefusedAndTheFilesAreReported) {
  TempDir dir;
  const std::string line =
      "--set reward.zeta: not used by reward.method = ground_truth (a key of cdred); it would "
      "change nothing";
  expect_one_line_error(run_relabel("run " + kIql + " --set reward.zeta=0.5 --out " + (dir / "r")),
                        line);
  EXPECT_FALSE(fs::exists(dir / "r"));
  expect_one_line_error(run_relabel("check " + kIql + " --set reward.zeta=0.5"), line);

  const std::string cdred = kConfigs + "/pendulum-cdred.toml";
  auto r = run_relabel("check " + cdred + " --set reward.method=ground_truth");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("\n# " + cdred +
                          ": not used by reward.method = ground_truth, ignored: reward.alpha "
                          "(cdred, reload), "),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find(", reward.zeta (cdred)\n"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("\nzeta = "), std::string::npos) << r.output;  // not in the run
}

// Every rank meets a bad config before MPI starts; rank 0 alone says so.
TEST(UnderMpirun, InputErrorIsPrintedOnce) {
  TempDir dir;
  auto r = run_relabel_mpi(2, "run " + kIql + " --set policy.expectile=7");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_EQ(count(r.output, "relabel: error: "), 1u) << r.output;
  EXPECT_NE(r.output.find("policy.expectile"), std::string::npos) << r.output;
  r = run_relabel_mpi(2, "run " + dir.path());
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_EQ(count(r.output, "relabel: error: " + dir.path() + " is a directory\n"), 1u) << r.output;
}

// Sweep and SLURM inputs that used to pass: a negative --index ran the whole sweep; slurm submit
// wrote its script into a directory relabel sweep would refuse (another sweep's), leaving the
// error to the job's log; slurm status of a missing directory said "not started yet", exit 0.
TEST(SweepInputs, NegativeIndexOtherSweepsDirectoryAndMissingDirectoryAreRefused) {
  TempDir dir;
  const std::string spec = kConfigs + "/sweeps/pendulum-methods.toml";
  auto r = run_relabel("sweep " + spec + " --index -1 --out " + (dir / "s"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_FALSE(fs::exists(dir / "s/runs")) << r.output;

  fs::create_directories(dir / "other");
  write_file(dir / "other/sweep.json", R"({"name": "another", "runs": []})");
  expect_one_line_error(
      run_relabel("slurm submit " + spec + " --dry-run --out " + (dir / "other")),
      (dir / "other") +
          ": holds the sweep \"another\" (its sweep.json), not \"pendulum-methods\"; "
          "use another --out");
  EXPECT_FALSE(fs::exists(dir / "other/slurm.json"));

  expect_one_line_error(run_relabel("slurm status " + (dir / "missing")),
                        "slurm status: " + (dir / "missing") + ": no such directory");

  // A damaged sweep.json read as "the sweep has not started yet", exit 0.
  fs::create_directories(dir / "damaged");
  write_file(dir / "damaged/sweep.json", "{\"name\": ");
  r = run_relabel("slurm status " + (dir / "damaged"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_EQ(r.output.find("not started"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find((dir / "damaged/sweep.json")), std::string::npos) << r.output;
}

// A sweep's or a dataset suite's directory is not a run's: refused before anything is written.
TEST(OutputLocation, ASweepOrSuiteDirectoryIsNotARunDirectory) {
  TempDir dir;
  fs::create_directories(dir / "sweep");
  fs::create_directories(dir / "suite");
  write_file(dir / "sweep/sweep.json", R"({"name": "s", "runs": []})");
  write_file(dir / "suite/datagen.json", "{}");
  expect_one_line_error(
      run_relabel("run " + kIql + " --out " + (dir / "sweep")),
      "output.dir " + (dir / "sweep") +
          ": a sweep's directory (sweep.json); a run needs a directory of its own");
  expect_one_line_error(
      run_relabel("run " + kIql + " --out " + (dir / "suite")),
      "output.dir " + (dir / "suite") +
          ": a dataset suite's directory (datagen.json); a run needs a directory of its own");
  EXPECT_FALSE(fs::exists(dir / "sweep/result.json"));
  EXPECT_FALSE(fs::exists(dir / "suite/config.toml"));
}

// Numeric options out of range are one line naming the option and the value: no 300-digit
// bound, no "Run with --help" second line, and no value clamped or wrapped into range.
TEST(NumericOptions, OutOfRangeValuesAreOneLineErrors) {
  TempDir dir;
  const std::pair<std::string, std::string> cases[] = {
      {"eval " + dir.path() + " --episodes 0", "--episodes: must be a whole number >= 1, got 0"},
      {"eval " + dir.path() + " --seed 18446744073709551616",
       "--seed: must be a whole number from 0 to 18446744073709551615, got 18446744073709551616"},
      {"datagen --task pendulum --out " + (dir / "d") + " --seed -1 --dry-run",
       "--seed: must be a whole number from 0 to 18446744073709551615, got -1"},
      {"datagen --task pendulum --out " + (dir / "d") + " --steps 99999999999999999999",
       "--steps: 99999999999999999999 is out of range (at most 9223372036854775807)"},
      {"datagen --task pendulum --out " + (dir / "d") + " --checkpoint-minutes nan --dry-run",
       "--checkpoint-minutes: must be a number >= 0, got nan"},
      {"report " + dir.path() + " --seed -1",
       "--seed: must be a whole number from 0 to 18446744073709551615, got -1"},
      {"run " + kIql + " --threads-per-rank 0",
       "--threads-per-rank: must be a whole number from 1 to 1024, got 0"},
      // CLI11 reads "010" as octal 8: the seed would silently be another than the one written.
      {"datagen --task pendulum --out " + (dir / "d") + " --seed 010 --dry-run",
       "--seed: must be a whole number without leading zeros, got 010"},
      // An int option beyond int's range: CLI11's "Could not convert" before.
      {"eval " + dir.path() + " --episodes 3000000000",
       "--episodes: 3000000000 is out of range (at most 2147483647)"},
      {"eval " + dir.path() + " --episodes 08",
       "--episodes: must be a whole number without leading zeros, got 08"},
      {"run " + kIql + " --threads-per-rank 02",
       "--threads-per-rank: must be a whole number without leading zeros, got 02"},
      // A negative --stop-at read as "no stop" and ran the whole run.
      {"run " + kIql + " --stop-at -3", "--stop-at: must be a whole number >= 0, got -3"},
      {"info --bogus", "The following argument was not expected: --bogus"},
      {"check --defaults --set train.stepz=5",
       "check: --set applies to a FILE; --defaults prints the defaults as they are"},
  };
  for (const auto& [args, line] : cases) expect_one_line_error(run_relabel(args), line);
  EXPECT_FALSE(fs::exists(dir / "d"));
}

// slurm submit's numeric options in the words of every other command's: they said "--nodes must
// be >= 1" (no value), and CLI11's own words for a value that is not a number.
TEST(NumericOptions, SlurmSubmitOptionsAreCheckedLikeEveryOtherCommands) {
  TempDir dir;
  const std::string submit =
      "slurm submit " + kConfigs + "/sweeps/quickstart.toml --out " + (dir / "s") + " --dry-run ";
  const std::pair<std::string, std::string> cases[] = {
      {"--nodes 0", "--nodes: must be a whole number >= 1, got 0"},
      {"--nodes two", "--nodes: must be a whole number >= 1, got two"},
      {"--ntasks-per-node 1.5", "--ntasks-per-node: must be a whole number >= 1, got 1.5"},
      {"--gpus-per-node -1", "--gpus-per-node: must be a whole number >= 0, got -1"},
      {"--signal-seconds 0", "--signal-seconds: must be a whole number >= 1, got 0"},
      {"--max-requeues -1", "--max-requeues: must be a whole number >= 0, got -1"},
      {"--array-throttle x", "--array-throttle: must be a whole number >= 0, got x"},
      {"--nodes 2147483648", "--nodes: 2147483648 is out of range (at most 2147483647)"},
  };
  for (const auto& [args, line] : cases) expect_one_line_error(run_relabel(submit + args), line);
  EXPECT_FALSE(fs::exists(dir / "s"));
}

// Values that would hang or exhaust memory (torch starting a million threads, a bootstrap
// keeping 10^7 draws per curve step) were accepted; each has a documented bound now.
TEST(NumericOptions, ThreadsAndBootstrapRepsHaveUpperBounds) {
  TempDir dir;
  const std::pair<std::string, std::string> cases[] = {
      {"run " + kIql + " --threads-per-rank 1025",
       "--threads-per-rank: must be a whole number from 1 to 1024, got 1025"},
      {"sweep " + kConfigs + "/sweeps/quickstart.toml --out " + (dir / "s") +
           " --threads-per-rank 100000",
       "--threads-per-rank: must be a whole number from 1 to 1024, got 100000"},
      {"slurm submit " + kConfigs + "/sweeps/quickstart.toml --out " + (dir / "s") +
           " --cpus-per-task 1025 --dry-run",
       "--cpus-per-task: must be a whole number from 1 to 1024, got 1025"},
      {"check " + kIql + " --set parallel.threads_per_rank=1025",
       "--set parallel.threads_per_rank: must be in [1, 1024], got 1025"},
      {"report " + dir.path() + " --bootstrap-reps 100001",
       "--bootstrap-reps: must be a whole number from 1 to 100000, got 100001"},
      {"report " + dir.path() + " --bootstrap-reps 0",
       "--bootstrap-reps: must be a whole number from 1 to 100000, got 0"},
  };
  for (const auto& [args, line] : cases) expect_one_line_error(run_relabel(args), line);
  EXPECT_FALSE(fs::exists(dir / "s"));
  // The bounds themselves are accepted.
  auto r = run_relabel("check " + kIql + " --set parallel.threads_per_rank=1024");
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

// An empty path was taken as "not given": `datagen --out ""` wrote into the data cache, `run
// --out ""` into output.dir, `report --out ""` into DIR. Every path option refuses it.
TEST(PathOptions, AnEmptyPathIsAOneLineError) {
  TempDir dir;
  const std::string spec = kConfigs + "/sweeps/quickstart.toml";
  const std::pair<std::string, std::string> cases[] = {
      {"datagen --task pendulum --out '' --dry-run", "--out"},
      {"run '' --threads-per-rank 1", "config"},
      {"run " + kIql + " --out ''", "--out"},
      {"check ''", "file"},
      {"sweep '' --dry-run", "spec"},
      {"sweep " + spec + " --out '' --dry-run", "--out"},
      {"slurm submit '' --dry-run", "spec"},
      {"slurm submit " + spec + " --out '' --dry-run", "--out"},
      {"slurm status ''", "dir"},
      {"status ''", "dir"},
      {"report ''", "dir"},
      {"report " + dir.path() + " --out ''", "--out"},
      {"export ''", "run_dir"},
      {"export " + dir.path() + " --out ''", "--out"},
      {"eval ''", "policy"},
      {"eval " + dir.path() + " --json ''", "--json"},
  };
  for (const auto& [args, option] : cases)
    expect_one_line_error(run_command("cd " + dir.path() + " && RELABEL_DATA=" + (dir / "data") +
                                      " " RELABEL_BINARY " " + args + " 2>&1"),
                          option + ": expected a path, got an empty string");
  // Nothing was written: no suite in the data cache, no run, sweep or report directory.
  EXPECT_TRUE(fs::is_empty(dir.path()));
}
