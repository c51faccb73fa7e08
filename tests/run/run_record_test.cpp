// The labels a run records in result.json and a sweep writes into sweep.json for runs not yet
// started (run/run_record.h): one function of the config, so the two always agree.
#include <gtest/gtest.h>

#include "config/config_schema.h"
#include "run/run_record.h"

namespace {

using relabel::config::RunConfig;

RunConfig base(const char* method, const char* algo) {
  RunConfig c = relabel::config::default_run_config();
  c.reward.method = method;
  c.policy.algo = algo;
  return c;
}

TEST(RunRecordLabels, MethodLabelNamesTheImputationBaseline) {
  RunConfig c = base("imputation", "td3bc");
  c.reward.params.set("baseline", std::string("none"));
  EXPECT_EQ(relabel::run::method_label(c), "imputation+td3bc");
  c.reward.params.set("baseline", std::string("labels_only"));
  EXPECT_EQ(relabel::run::method_label(c), "imputation-labels_only+td3bc");
  EXPECT_EQ(relabel::run::method_label(base("reload", "iql")), "reload+iql");
}

TEST(RunRecordLabels, DatasetLabelIsTheNameElseTheStemOfTheFileTheRunLearnsFrom) {
  RunConfig off = base("reload", "iql");
  off.dataset.name = "hopper-medium";
  off.dataset.expert_path = "/data/hopper/expert.hdf5";
  EXPECT_EQ(relabel::run::dataset_label(off), "hopper-medium");
  off.dataset.name.clear();
  off.dataset.path = "/data/mine/logged-v2.hdf5";
  EXPECT_EQ(relabel::run::dataset_label(off), "logged-v2");  // offline: the dataset, not the expert

  RunConfig on = base("cdred", "world_model");
  on.dataset.name.clear();
  EXPECT_EQ(relabel::run::dataset_label(on), "online");
  on.dataset.path = "/data/mine/logged-v2.hdf5";
  EXPECT_EQ(relabel::run::dataset_label(on), "logged-v2");
  on.dataset.expert_path = "/data/hopper/expert.hdf5";
  EXPECT_EQ(relabel::run::dataset_label(on), "expert");  // online: the demonstrations first
}

}  // namespace
