// sbatch script generation: golden files for both modes, quoting of hostile values, and the
// script's signal -> checkpoint -> requeue behaviour, exercised under bash with stub srun and
// scontrol that record what they were given.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <thread>

#include "core/error.h"
#include "slurm/quoting.h"
#include "slurm/sbatch_script.h"
#include "tests/support/test_support.h"

using namespace relabel;
using relabel::test::read_file;
using relabel::test::run_command;
using relabel::test::TempDir;
using relabel::test::write_file;

namespace {

slurm::ScriptInputs inputs() {
  slurm::ScriptInputs in;
  in.relabel_binary = "/opt/relabel/bin/relabel";
  in.spec_path = "/home/alice/sweeps/pendulum-methods.toml";
  in.sweep_dir = "/scratch/alice/runs/pendulum-methods";
  in.sweep_name = "pendulum-methods";
  in.runs = 15;
  in.ranks_per_run = 2;
  return in;
}

void expect_golden(const std::string& name, const std::string& text) {
  const std::string path = std::string(RELABEL_TEST_DATA) + "/slurm/" + name;
  if (std::getenv("RELABEL_UPDATE_GOLDEN")) write_file(path, text);
  EXPECT_EQ(text, read_file(path))
      << "golden file " << path << " differs (RELABEL_UPDATE_GOLDEN=1 rewrites it)";
}

}  // namespace

TEST(SbatchScript, MpiModeGolden) {
  slurm::SubmitOptions o;
  o.nodes = 2;
  o.ntasks_per_node = 8;
  o.cpus_per_task = 1;
  o.time = "04:00:00";
  o.partition = "compute";
  o.account = "rl-lab";
  o.mem = "32G";
  o.extra = {"--constraint=skylake"};
  expect_golden("mpi-2x8.sh", slurm::sbatch_script(o, inputs()));
}

TEST(SbatchScript, ArrayModeGolden) {
  slurm::SubmitOptions o;
  o.mode = "array";
  o.array_throttle = 4;
  o.time = "01:00:00";
  o.launcher = "mpirun";
  o.max_requeues = 5;
  expect_golden("array.sh", slurm::sbatch_script(o, inputs()));
}

TEST(SbatchScript, RejectsBadOptions) {
  slurm::SubmitOptions o;
  o.ntasks_per_node = 3;  // 3 tasks cannot host runs of 2 ranks
  EXPECT_THROW(slurm::sbatch_script(o, inputs()), Error);
  o = {};
  o.mode = "batch";
  EXPECT_THROW(slurm::sbatch_script(o, inputs()), Error);
  o = {};
  o.ntasks_per_node = 2;
  o.job_name = "two\nlines";
  try {
    slurm::sbatch_script(o, inputs());
    FAIL() << "newline accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("--job-name"), std::string::npos) << e.what();
  }
  o = {};
  o.ntasks_per_node = 2;
  o.extra = {"--comment=x\n#SBATCH --uid=0"};
  EXPECT_THROW(slurm::sbatch_script(o, inputs()), Error);
  o = {};
  o.ntasks_per_node = 2;
  o.signal = "KILL";
  EXPECT_THROW(slurm::sbatch_script(o, inputs()), Error);
  // TERM and INT are the cancel signals the script forwards without requeueing: as the warning
  // signal their trap would be replaced and the job never requeued.
  for (const char* cancel : {"TERM", "SIGINT"}) {
    o.signal = cancel;
    EXPECT_THROW(slurm::sbatch_script(o, inputs()), Error) << cancel;
  }
  o.signal = "HUP";
  EXPECT_NE(slurm::sbatch_script(o, inputs()).find("trap on_warning HUP\n"), std::string::npos);
}

// The numeric options are refused in the words of the CLI's option checks (cli/option_checks.h,
// core/number_checks.h), naming the option and the value: "--nodes must be >= 1" said neither
// the value nor what kind of number.
TEST(SbatchScript, NumericOptionsAreRefusedInTheCliWording) {
  const std::pair<std::function<void(slurm::SubmitOptions&)>, std::string> cases[] = {
      {[](auto& o) { o.nodes = 0; }, "--nodes: must be a whole number >= 1, got 0"},
      {[](auto& o) { o.ntasks_per_node = -2; },
       "--ntasks-per-node: must be a whole number >= 1, got -2"},
      {[](auto& o) { o.cpus_per_task = 0; }, "--cpus-per-task: must be a whole number >= 1, got 0"},
      {[](auto& o) { o.gpus_per_node = -1; },
       "--gpus-per-node: must be a whole number >= 0, got -1"},
      {[](auto& o) { o.signal_seconds = 0; },
       "--signal-seconds: must be a whole number >= 1, got 0"},
      {[](auto& o) { o.max_requeues = -1; }, "--max-requeues: must be a whole number >= 0, got -1"},
      {[](auto& o) { o.array_throttle = -4; },
       "--array-throttle: must be a whole number >= 0, got -4"},
  };
  for (const auto& [set, message] : cases) {
    slurm::SubmitOptions o;
    o.ntasks_per_node = 2;
    set(o);
    try {
      slurm::sbatch_script(o, inputs());
      ADD_FAILURE() << "accepted: " << message;
    } catch (const Error& e) {
      EXPECT_EQ(std::string(e.what()), message);
    }
  }
}

// --nodes x --ntasks-per-node was an int product: 65536 x 65536 overflowed to 0 tasks, a
// multiple of every ranks_per_run, and the script was written.
TEST(SbatchScript, TasksAreCountedWithoutOverflow) {
  slurm::SubmitOptions o;
  o.nodes = 65536;
  o.ntasks_per_node = 65536;
  auto in = inputs();
  in.ranks_per_run = 3;
  try {
    slurm::sbatch_script(o, in);
    ADD_FAILURE() << "accepted 2^32 tasks for ranks_per_run = 3";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "--nodes x --ntasks-per-node = 4294967296 tasks is not a multiple of the spec's "
              "ranks_per_run = 3");
  }
}

TEST(Quoting, ShellAndSbatch) {
  EXPECT_EQ(slurm::shell_quote("a b"), "'a b'");
  EXPECT_EQ(slurm::shell_quote("it's $(x)"), "'it'\\''s $(x)'");
  EXPECT_EQ(slurm::sbatch_quote("a \"b\" \\c", "--x"), "\"a \\\"b\\\" \\\\c\"");
}

namespace {
std::string read_if_exists(const std::string& path) {
  return std::filesystem::exists(path) ? read_file(path) : std::string();
}

// A fake cluster: srun/mpirun/scontrol stubs that log their arguments, one per line.
struct FakeCluster {
  TempDir dir{"relabel-fake-slurm"};
  std::string bin = dir / "bin";
  std::string log = dir / "calls.log";
  FakeCluster(bool launcher_waits_for_signal) {
    std::filesystem::create_directories(bin);
    // The launcher logs its argv; when asked to, it waits for USR2 (the forwarded warning),
    // then exits 0 like a checkpointed sweep.
    std::string launcher =
        "#!/bin/bash\n{ echo \"$(basename $0)\"; for a in \"$@\"; do echo \"ARG:$a\"; done; } >> "
        "'" +
        log + "'\n";
    if (launcher_waits_for_signal)
      launcher += "trap 'echo GOT_USR2 >> \"" + log + "\"; exit 0' USR2\necho READY >> '" + log +
                  "'\nfor i in $(seq 1 300); do sleep 0.1; done\nexit 3\n";
    write_file(bin + "/srun", launcher);
    write_file(bin + "/mpirun", launcher);
    write_file(bin + "/scontrol", "#!/bin/bash\necho \"scontrol $*\" >> '" + log + "'\n");
    run_command("chmod +x '" + bin + "'/*");
  }
  std::string env() const {
    return "env PATH='" + bin + ":/usr/bin:/bin' SLURM_JOB_ID=4242 SLURM_RESTART_COUNT=0 ";
  }
};
}  // namespace

TEST(SbatchScript, HostileValuesReachTheProgramLiterally) {
  FakeCluster cluster(false);
  TempDir work;
  const std::string weird = work / "dir with 'quotes' \"and\" $(touch PWNED) `touch PWNED2`";
  slurm::ScriptInputs in = inputs();
  in.spec_path = weird + "/spec.toml";
  in.sweep_dir = weird + "/out";
  in.overrides = {"name=$(touch PWNED3)"};
  slurm::SubmitOptions o;
  o.ntasks_per_node = 2;
  o.job_name = "job \"x\" $(touch PWNED4) 'y'";
  const std::string script = slurm::sbatch_script(o, in);
  EXPECT_NE(script.find("#SBATCH --job-name=\"job \\\"x\\\" $(touch PWNED4) 'y'\""),
            std::string::npos)
      << script;
  write_file(work / "job.sh", script);
  auto r = run_command("cd '" + work.path() + "' && " + cluster.env() + "bash job.sh");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  const std::string calls = read_file(cluster.log);
  EXPECT_NE(calls.find("ARG:" + in.spec_path + "\n"), std::string::npos) << calls;
  EXPECT_NE(calls.find("ARG:" + in.sweep_dir + "\n"), std::string::npos) << calls;
  EXPECT_NE(calls.find("ARG:name=$(touch PWNED3)\n"), std::string::npos) << calls;
  for (const char* f : {"PWNED", "PWNED2", "PWNED3", "PWNED4"})
    EXPECT_FALSE(std::filesystem::exists(work / f)) << f << " was created: a value was executed";
  EXPECT_EQ(calls.find("scontrol"), std::string::npos) << "requeued without a warning signal";
}

TEST(SbatchScript, WarningSignalIsForwardedThenJobRequeues) {
  FakeCluster cluster(true);
  TempDir work;
  slurm::SubmitOptions o;
  o.ntasks_per_node = 2;
  write_file(work / "job.sh", slurm::sbatch_script(o, inputs()));
  // Start the batch script, wait for the launcher, send the warning signal to the script only
  // (SLURM's B: prefix), as `scancel --signal=USR2 --batch` does.
  auto pid_file = work / "pid";
  run_command("cd '" + work.path() + "' && (" + cluster.env() +
              "bash job.sh > out.txt 2>&1 & echo $! > '" + pid_file + "')");
  const int pid = std::stoi(read_file(pid_file));
  for (int i = 0; i < 200 && read_if_exists(cluster.log).find("READY") == std::string::npos; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_NE(read_if_exists(cluster.log).find("READY"), std::string::npos);
  ASSERT_EQ(kill(pid, SIGUSR2), 0);
  for (int i = 0; i < 200 && kill(pid, 0) == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const std::string calls = read_file(cluster.log);
  EXPECT_NE(calls.find("GOT_USR2"), std::string::npos) << calls;
  EXPECT_NE(calls.find("scontrol requeue 4242"), std::string::npos) << calls;
}

// --cpus-per-task reaches the ranks as their torch threads, --setup lines run before the
// launch (in the batch shell, in order), and the launcher gets the sweep's arguments.
TEST(SbatchScript, CpusSetupAndThreadsReachTheLauncher) {
  FakeCluster cluster(false);
  TempDir work;
  slurm::SubmitOptions o;
  o.ntasks_per_node = 2;
  o.cpus_per_task = 4;
  o.setup = {"echo SETUP1 >> '" + cluster.log + "'", "export RELABEL_TEST_SETUP=yes",
             "echo SETUP2=$RELABEL_TEST_SETUP >> '" + cluster.log + "'"};
  const std::string script = slurm::sbatch_script(o, inputs());
  EXPECT_NE(script.find("#SBATCH --cpus-per-task=4\n"), std::string::npos) << script;
  EXPECT_NE(script.find("export OMP_NUM_THREADS=4\n"), std::string::npos) << script;
  write_file(work / "job.sh", script);
  auto r = run_command("cd '" + work.path() + "' && " + cluster.env() + "bash job.sh");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  const std::string calls = read_file(cluster.log);
  const auto setup1 = calls.find("SETUP1"), setup2 = calls.find("SETUP2=yes"),
             launch = calls.find("srun\n");
  ASSERT_NE(setup1, std::string::npos) << calls;
  ASSERT_NE(setup2, std::string::npos) << calls;
  ASSERT_NE(launch, std::string::npos) << calls;
  EXPECT_LT(setup1, setup2);
  EXPECT_LT(setup2, launch);
  EXPECT_NE(calls.find("ARG:--threads-per-rank\nARG:4\n"), std::string::npos) << calls;
  // A setup line is one shell line.
  o.setup = {"module load x\nrm -rf /"};
  try {
    slurm::sbatch_script(o, inputs());
    FAIL() << "a two-line --setup accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("--setup"), std::string::npos) << e.what();
  }
}

TEST(SbatchScript, GpusGoWithCudaRuns) {
  slurm::SubmitOptions o;
  o.ntasks_per_node = 2;
  o.gpus_per_node = 2;
  slurm::ScriptInputs in = inputs();
  try {
    slurm::sbatch_script(o, in);  // the spec's runs are on the CPU
    FAIL() << "--gpus-per-node accepted for CPU runs";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("--gpus-per-node 2 but the spec's runs use "
                                         "parallel.device = \"cpu\""),
              std::string::npos)
        << e.what();
  }
  in.device = "cuda";
  const std::string script = slurm::sbatch_script(o, in);
  EXPECT_NE(script.find("#SBATCH --gpus-per-node=2\n"), std::string::npos) << script;
  o.gpus_per_node = 0;
  try {
    slurm::sbatch_script(o, in);
    FAIL() << "CUDA runs accepted without GPUs";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("add --gpus-per-node N"), std::string::npos) << e.what();
  }
}

TEST(SbatchScript, TimeIsValidatedInSlurmFormats) {
  slurm::SubmitOptions o;
  o.ntasks_per_node = 2;
  for (const char* good :
       {"30", "30:00", "04:00:00", "1-12", "1-12:30", "2-00:00:00", "UNLIMITED", "infinite"}) {
    o.time = good;
    const std::string script = slurm::sbatch_script(o, inputs());
    const auto at = script.find("#SBATCH --time=");
    ASSERT_NE(at, std::string::npos) << good;
    EXPECT_NE(script.substr(at, script.find('\n', at) - at).find(good), std::string::npos) << good;
  }
  for (const char* bad : {"4h", "04:00:00:00", "-1", "1-", "ab", "1:2:3:4", "12:345"}) {
    o.time = bad;
    try {
      slurm::sbatch_script(o, inputs());
      ADD_FAILURE() << "--time " << bad << " accepted";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("--time '" + std::string(bad) + "'"), std::string::npos)
          << e.what();
    }
  }
}

// --breadth-first reaches `relabel sweep` in both modes, before an array task's --index (which
// then counts in the breadth-first order); without it the order is the expansion's.
TEST(SbatchScript, BreadthFirstReachesTheSweepInBothModes) {
  for (const std::string mode : {"mpi", "array"}) {
    for (const bool breadth_first : {false, true}) {
      FakeCluster cluster(false);
      TempDir work;
      slurm::SubmitOptions o;
      o.mode = mode;
      o.ntasks_per_node = 2;
      o.breadth_first = breadth_first;
      write_file(work / "job.sh", slurm::sbatch_script(o, inputs()));
      auto r = run_command("cd '" + work.path() + "' && " + cluster.env() +
                           "SLURM_ARRAY_JOB_ID=4242 SLURM_ARRAY_TASK_ID=7 bash job.sh");
      EXPECT_EQ(r.exit_code, 0) << r.output;
      const std::string calls = read_file(cluster.log);
      const auto flag = calls.find("ARG:--breadth-first\n");
      EXPECT_EQ(flag != std::string::npos, breadth_first) << mode << "\n" << calls;
      if (mode == "array") {
        const auto index = calls.find("ARG:--index\nARG:7\n");
        ASSERT_NE(index, std::string::npos) << calls;
        if (breadth_first) {
          EXPECT_LT(flag, index) << calls;
        }
      }
    }
  }
}
