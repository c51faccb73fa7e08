// The two ways an offline learner computes an update (policy.kernels: the fast CPU kernels and
// the torch path a GPU run takes) train to the same policy: a pendulum run of each, same seed,
// ends at the same evaluation score (issue 15: "the same scores"). Their updates agree to 1e-4
// (algos' TorchPathMatchesFast); here the whole run, data pipeline and evaluation included.
#include <gtest/gtest.h>

#include "tests/run/run_helpers.h"

using namespace relabel::test;
using nlohmann::json;

TEST(RunKernels, TorchPathScoresLikeTheFastPath) {
  TempDir dir;
  for (const char* algo : {"iql", "td3bc"}) {
    double score[2] = {0, 0};
    int i = 0;
    for (const char* kernels : {"fast", "torch"}) {
      const std::string name = std::string(algo) + "-" + kernels;
      json r = run_config(dir, name, pendulum_config(dir / name, "ground_truth", algo, 1500), 1,
                          std::string(" --set policy.kernels=") + kernels);
      ASSERT_EQ(r.value("status", ""), "done") << r.dump();
      score[i++] = r["final_score"].get<double>();
    }
    EXPECT_NEAR(score[0], score[1], 2.0) << algo << ": fast " << score[0] << ", torch " << score[1];
    EXPECT_GT(score[0], 50.0) << algo << " did not learn: the comparison would say nothing";
  }
}
