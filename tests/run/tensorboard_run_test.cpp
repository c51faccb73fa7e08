// A run writes TensorBoard event files next to metrics.jsonl (logging.tensorboard, on by
// default), read back here by the independent decoder of tests/io/decode_tfevents.py.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <sstream>

#include "tests/run/run_helpers.h"
#include "tests/support/tfevents.h"

using namespace relabel::test;
using nlohmann::json;

TEST(RunTensorboard, ScalarsOfTrainingAndEvaluationMatchTheRecord) {
  TempDir dir;
  const std::string cfg = pendulum_config(dir / "tb", "ground_truth", "iql", 300);
  json result =
      run_config(dir, "tb", cfg, 1, " --set train.eval_every=150 --set train.log_every=50");
  const auto files = event_files(dir / "tb");
  ASSERT_EQ(files.size(), 1u);
  const auto events = decode_tfevents(files[0]);
  ASSERT_GE(events.size(), 4u);
  EXPECT_EQ(events[0].value("file_version", ""), "brain.Event:2");
  std::map<std::string, std::vector<std::pair<int64_t, double>>> series;
  for (const auto& e : events)
    if (e.contains("scalars"))
      for (const auto& [tag, v] : e["scalars"].items())
        series[tag].emplace_back(e["step"].get<int64_t>(), v.get<double>());
  // The evaluation curve is the record's, step for step (float32 in the file).
  const auto& curve = result["curve"];
  ASSERT_EQ(series["eval/normalised_score"].size(), curve.size());
  for (size_t i = 0; i < curve.size(); ++i) {
    EXPECT_EQ(series["eval/normalised_score"][i].first, curve[i]["step"].get<int64_t>());
    EXPECT_NEAR(series["eval/normalised_score"][i].second, curve[i]["score"].get<double>(),
                1e-4 * (1 + std::fabs(curve[i]["score"].get<double>())));
    EXPECT_NEAR(series["eval/return"][i].second, curve[i]["return"].get<double>(),
                1e-4 * (1 + std::fabs(curve[i]["return"].get<double>())));
  }
  // The learner's losses every log_every updates, and the update rate between them.
  size_t train_tags = 0;
  for (const auto& [tag, points] : series) {
    if (tag.rfind("train/", 0) != 0) continue;
    ++train_tags;
    EXPECT_GE(points.size(), 6u) << tag;  // steps 1, 50, ..., 300
    for (const auto& [step, v] : points) EXPECT_TRUE(std::isfinite(v)) << tag << " " << step;
  }
  EXPECT_GE(train_tags, 2u);
  ASSERT_FALSE(series["perf/steps_per_s"].empty());
  for (const auto& [step, v] : series["perf/steps_per_s"]) EXPECT_GT(v, 0.0);
}

TEST(RunTensorboard, OffWritesNoEventFileAndKeepsTheRunIdentity) {
  TempDir on_dir, off_dir;  // one config name ("tb"): the name is part of the hash
  const std::string on = pendulum_config(on_dir / "run", "ground_truth", "td3bc", 100);
  const std::string off = pendulum_config(off_dir / "run", "ground_truth", "td3bc", 100,
                                          "\n[logging]\ntensorboard = false\n");
  json a = run_config(on_dir, "tb", on);
  json b = run_config(off_dir, "tb", off);
  EXPECT_EQ(event_files(on_dir / "run").size(), 1u);
  EXPECT_TRUE(event_files(off_dir / "run").empty());
  // How a run is logged is not what it computes: same config hash.
  EXPECT_EQ(a["config_hash"], b["config_hash"]);
}
