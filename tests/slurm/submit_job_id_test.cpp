// relabel slurm submit with a fake sbatch on PATH (a script standing in for SLURM's; the local
// cluster's tests run the real one): the job id recorded in slurm.json is what `sbatch
// --parsable` prints ("jobid" or "jobid;cluster"); any other output is one error line
// naming it, with nothing recorded.
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

// PATH starts with a directory holding an sbatch that prints `out`, for the object's life.
class FakeSbatch {
 public:
  explicit FakeSbatch(const std::string& out) {
    std::filesystem::create_directories(bin_);
    write_file(bin_ + "/sbatch", "#!/bin/sh\nprintf '%s' '" + out + "'\n");
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
    }
    EXPECT_FALSE(std::filesystem::exists(dir / "sweep/slurm.json")) << out;
  }
}
