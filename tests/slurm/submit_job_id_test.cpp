// relabel slurm submit with a fake sbatch on PATH (a script standing in for SLURM's; the local
// cluster's tests run the real one): the job id recorded in slurm.json is what `sbatch
// --parsable` prints ("jobid" or "jobid;cluster"); any other output, or sbatch failing, is one
// error line naming it, with nothing recorded.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "core/error.h"
#include "slurm/submit.h"
#include "tests/support/test_support.h"

using namespace relabel;
using nlohmann::json;
using relabel::test::read_file;
using relabel::test::run_command;
using relabel::test::TempDir;
using relabel::test::write_file;

namespace {

// PATH starts with a directory holding an sbatch that prints `out`, and `err` to stderr, and
// exits with `exit_code`, for the object's life.
class FakeSbatch {
 public:
  explicit FakeSbatch(const std::string& out, int exit_code = 0, const std::string& err = "") {
    std::filesystem::create_directories(bin_);
    write_file(bin_ + "/sbatch", "#!/bin/sh\nprintf '%s' '" + out + "'\nprintf '%s' '" + err +
                                     "' >&2\nexit " + std::to_string(exit_code) + "\n");
    run_command("chmod +x '" + bin_ + "/sbatch'");
    const char* path = std::getenv("PATH");
    old_path_ = path ? path : "";
    setenv("PATH", (bin_ + ":" + old_path_).c_str(), 1);
  }
  ~FakeSbatch() { setenv("PATH", old_path_.c_str(), 1); }

 private:
  TempDir dir_{"relabel-fake-sbatch"};
  std::string bin_ = dir_ / "bin";
  std::string old_path_;
};

slurm::SweepPlan plan(const std::string& dir) {
  slurm::SweepPlan p;
  p.spec_path = dir + "/spec.toml";
  p.dir = dir + "/sweep";
  p.name = "s";
  p.run_lines = {"a  seed=0", "b  seed=1"};
  return p;
}

}  // namespace

TEST(SlurmSubmit, RecordsTheJobIdSbatchParsablePrints) {
  TempDir dir;
  for (const auto& [out, id] :
       {std::pair{"4242\n", "4242"}, std::pair{"4243;cluster-a\n", "4243"}}) {
    FakeSbatch sbatch(out);
    EXPECT_EQ(slurm::submit_sweep(plan(dir.path()), {}, false).job_id, id) << out;
  }
  const json jobs = json::parse(read_file(dir / "sweep/slurm.json"));
  ASSERT_EQ(jobs["jobs"].size(), 2u) << jobs.dump(1);
  EXPECT_EQ(jobs["jobs"][0]["job_id"], "4242");
  EXPECT_EQ(jobs["jobs"][1]["job_id"], "4243");
}

TEST(SlurmSubmit, OutputThatIsNoJobIdIsAnErrorAndNothingIsRecorded) {
  TempDir dir;
  for (const std::string out :
       {"Submitted batch job 4242\n", "", "4242\nsbatch: warning: something\n", "42a\n"}) {
    FakeSbatch sbatch(out);
    try {
      slurm::submit_sweep(plan(dir.path()), {}, false);
      ADD_FAILURE() << "accepted: " << out;
    } catch (const Error& e) {
      std::string shown = out.substr(0, out.find_last_not_of('\n') + 1);
      for (char& c : shown)
        if (c == '\n') c = ' ';
      const std::string message = e.what();
      EXPECT_EQ(message.rfind("sbatch --parsable printed \"" + shown +
                                  "\", not a job id (jobid or "
                                  "jobid;cluster); nothing recorded",
                              0),
                0u)
          << message;
      EXPECT_EQ(message.find('\n'), std::string::npos) << message;
      // Possibly submitted, but not recorded: the script is named, under the name of one that
      // was not.
      const std::string kept = "the script is kept as " + (dir / "sweep/sbatch-1.failed.sh");
      EXPECT_TRUE(message.size() >= kept.size() &&
                  message.compare(message.size() - kept.size(), kept.size(), kept) == 0)
          << message;
    }
    EXPECT_FALSE(std::filesystem::exists(dir / "sweep/sbatch-1.sh")) << out;
    EXPECT_FALSE(std::filesystem::exists(dir / "sweep/slurm.json")) << out;
  }
}

// sbatch refusing the script left it behind as sbatch-1.sh, which looks like a submitted job's
// script and was not named in the error. It is kept for inspection under a name no submitted
// script has, sbatch-<n>.failed.sh, and the error line names it; the next submit that succeeds
// writes and records sbatch-<n>.sh.
TEST(SlurmSubmit, ScriptSbatchRefusedIsKeptAsFailedAndNamed) {
  TempDir dir;
  const std::string failed = dir / "sweep/sbatch-1.failed.sh";
  for (int attempt = 0; attempt < 2; ++attempt) {  // a second refusal replaces the first's
    FakeSbatch sbatch("", 1, "sbatch: error: Batch job submission failed: Invalid account\n");
    try {
      slurm::submit_sweep(plan(dir.path()), {}, false);
      ADD_FAILURE() << "sbatch failed and submit_sweep did not say so";
    } catch (const Error& e) {
      EXPECT_EQ(std::string(e.what()),
                "sbatch failed (exit 1): sbatch: error: Batch job submission failed: Invalid "
                "account; nothing recorded in slurm.json, the script is kept as " +
                    failed);
    }
    EXPECT_FALSE(std::filesystem::exists(dir / "sweep/sbatch-1.sh"));
    EXPECT_NE(read_file(failed).find("#SBATCH"), std::string::npos);
    EXPECT_FALSE(std::filesystem::exists(dir / "sweep/slurm.json"));
  }
  FakeSbatch sbatch("4242\n");
  const auto result = slurm::submit_sweep(plan(dir.path()), {}, false);
  EXPECT_EQ(result.script_path, dir / "sweep/sbatch-1.sh");
  const json jobs = json::parse(read_file(dir / "sweep/slurm.json"));
  ASSERT_EQ(jobs["jobs"].size(), 1u) << jobs.dump(1);
  EXPECT_EQ(jobs["jobs"][0]["script"], dir / "sweep/sbatch-1.sh");
  EXPECT_TRUE(std::filesystem::exists(dir / "sweep/sbatch-1.sh"));
}
