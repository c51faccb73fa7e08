// What a run tells while it works (issue 17, point 4): the reward fit shows its progress and
// records it in metrics.jsonl (`reward_fit` records), every metrics.jsonl record carries its
// type, and on a terminal no log line is glued onto the progress line.
#include <gtest/gtest.h>

#include <cmath>
#include <regex>
#include <set>
#include <sstream>

#include "tests/run/run_helpers.h"

using namespace relabel::test;
using nlohmann::json;

namespace {

std::vector<json> metrics_records(const std::string& run_dir) {
  std::vector<json> out;
  std::istringstream in(read_file(run_dir + "/metrics.jsonl"));
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(json::parse(line));
  return out;
}

}  // namespace

TEST(RunLogs, ReloadFitShowsProgressAndRecordsItsLoss) {
  TempDir dir;
  const std::string cfg = pendulum_config(dir / "reload", "reload", "iql", 300);
  const std::string path = dir / "reload.toml";
  write_file(path, cfg);
  auto r = run_relabel("run " + path + " --set reward.predictor_steps=400");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto records = metrics_records(dir / "reload");
  std::vector<json> fit;
  std::set<std::string> types;
  for (const auto& j : records) {
    ASSERT_TRUE(j.contains("type") && j["type"].is_string()) << j;
    types.insert(j["type"].get<std::string>());
    if (j["type"] == "reward_fit") fit.push_back(j);
    if (j["type"] == "train") {
      EXPECT_TRUE(j.contains("q_loss")) << j;
    }
  }
  EXPECT_EQ(types, (std::set<std::string>{"reward_fit", "train", "progress"}));
  // 50 records over the 400 steps (every 8th step), losses finite, steps increasing.
  ASSERT_EQ(fit.size(), 50u) << r.output;
  int64_t previous = 0;
  for (const auto& j : fit) {
    EXPECT_GT(j["step"].get<int64_t>(), previous) << j;
    previous = j["step"].get<int64_t>();
    EXPECT_EQ(j["total"], 400);
    ASSERT_TRUE(j["loss"].is_number()) << j;
    EXPECT_TRUE(std::isfinite(j["loss"].get<double>())) << j;
    EXPECT_GE(j["loss"].get<double>(), 0.0) << j;
    EXPECT_TRUE(j["steps_per_s"].is_number()) << j;
  }
  EXPECT_EQ(previous, 400);
  // The predictor learns: the loss of the last records is below that of the first.
  EXPECT_LT(fit.back()["loss"].get<double>(), fit.front()["loss"].get<double>());
  // The reward-fit records come before the training's.
  EXPECT_EQ(records.front()["type"], "reward_fit");
  // stderr shows the fit's progress (its final line on a pipe).
  EXPECT_TRUE(std::regex_search(
      r.output, std::regex("reward fit 400/400 done in \\S+ \\([0-9.]+ steps/s\\)")))
      << r.output;
}

// On a terminal progress lines are rewritten in place with '\r'; a log line printed meanwhile
// (an evaluation's result) must still start on its own line. script(1) gives the run a TTY.
TEST(RunLogs, LogLinesStartAtALineStartOnATerminal) {
  if (run_command("command -v script").exit_code != 0) GTEST_SKIP() << "script(1) not installed";
  TempDir dir;
  // Long enough for progress lines (every 2 s) to be on screen when evaluations log.
  const std::string cfg = pendulum_config(dir / "tty", "reload", "iql", 4000);
  const std::string path = dir / "tty.toml";
  write_file(path, cfg);
  const std::string cmd = std::string(RELABEL_BINARY) + " run " + path +
                          " --set train.eval_every=500 --set train.eval_episodes=4";
  auto r = run_command("script -qefc '" + cmd + "' /dev/null");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // Without colour codes.
  const std::string out = std::regex_replace(r.output, std::regex("\x1b\\[[0-9;]*m"), "");
  int log_lines = 0, logs_after_progress = 0;
  bool progress_shown = false;
  for (const std::string& line : split_lines(out)) {
    const bool progress = line.find("steps/s | ETA") != std::string::npos;
    const bool log = std::regex_search(line, std::regex("\\] (info|warning|error):"));
    if (log) {
      ++log_lines;
      EXPECT_EQ(line.front(), '[') << "a log line does not start at a line start: " << line;
      EXPECT_FALSE(progress) << "a log line glued onto a progress line: " << line;
      if (progress_shown) ++logs_after_progress;
    }
    progress_shown = progress_shown || progress;
  }
  EXPECT_GE(log_lines, 8) << out;
  // The case that matters happened: log lines while progress lines were on screen.
  EXPECT_GE(logs_after_progress, 1) << out;
}
