// runs.csv (issue 17, 3c): one row per run with each swept key as its own typed column, read
// back by pandas.read_csv as is (tests/report/read_runs_csv.py): numbers come back numeric,
// booleans boolean, also from older records that held the values as text.
#include <gtest/gtest.h>

#include <iostream>

#include "report/report_writer.h"
#include "tests/report/synthetic_runs.h"
#include "tests/support/test_support.h"

using nlohmann::json;
using relabel::test::read_file;
using relabel::test::run_command;
using relabel::test::SyntheticRun;
using relabel::test::TempDir;

TEST(RunsCsv, OneTypedRowPerRunThatPandasReadsAsNumbers) {
  TempDir dir("runs-csv");
  auto run = [&](const std::string& id, const std::string& status, json params, double score,
                 double wall_s = -1) {
    SyntheticRun r;
    r.wall_s = wall_s;
    r.id = id;
    r.status = status;
    r.error = "diverged";
    r.task = "pendulum";
    r.dataset = "pendulum-medium-expert";
    r.method = "reload+iql";
    r.params = std::move(params);
    const json& seed = r.params["seed"];
    r.seed = seed.is_number() ? seed.get<int>() : std::stoi(seed.get<std::string>());
    r.final_score = score;
    relabel::test::write_run(dir.path(), r);
  };
  auto typed = [](double beta, bool normalize, int seed) {
    return json{{"reward.beta", beta},
                {"policy.hidden", 64},
                {"policy.normalize_obs", normalize},
                {"policy.reward_scaling", "none"},
                {"seed", seed}};
  };
  run("a", "done", typed(0.5, true, 0), 70.0);
  run("b", "done", typed(2.0, false, 1), 61.25, /*wall_s=*/5400.0);  // resumed: 2 attempts
  run("c", "running", typed(2.0, true, 2), 12.0);
  run("f", "failed", typed(0.5, false, 3), 0.0);
  // Written before values were typed: text.
  run("old", "done",
      json{{"reward.beta", "0.5"},
           {"policy.hidden", "64"},
           {"policy.normalize_obs", "true"},
           {"policy.reward_scaling", "none"},
           {"seed", "4"}},
      55.0);
  relabel::report::ReportOptions options;
  options.plots = false;
  options.aggregate.bootstrap.reps = 50;
  auto result = relabel::report::write_report(dir.path(), options);
  const std::string csv = read_file(dir / "runs.csv");
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "id,status,task,dataset,method,policy.hidden,policy.normalize_obs,"
            "policy.reward_scaling,reward.beta,seed,final_score,best_score,wall_s");
  EXPECT_NE(csv.find("\na,done,pendulum,pendulum-medium-expert,reload+iql,64,true,none,0.5,0,"
                     "70.0,71.0,3600.0\n"),
            std::string::npos)
      << csv;
  // wall_s is every attempt's wall time; records without it give their total_s.
  EXPECT_NE(csv.find("\nb,done,pendulum,pendulum-medium-expert,reload+iql,64,false,none,2.0,1,"
                     "61.25,62.25,5400.0\n"),
            std::string::npos)
      << csv;
  EXPECT_NE(csv.find("\nf,failed,pendulum,pendulum-medium-expert,reload+iql,64,false,none,0.5,3,"
                     ",,3600.0\n"),
            std::string::npos)
      << csv;
  auto r = run_command("/usr/bin/python3 " + std::string(RELABEL_SOURCE_DIR) +
                       "/tests/report/read_runs_csv.py " + (dir / "runs.csv"));
  EXPECT_EQ(r.exit_code, 0) << r.output << "\n" << csv;
  std::cout << r.output;
}
