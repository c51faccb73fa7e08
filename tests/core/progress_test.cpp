#include "core/progress.h"
#include "tests/support/test_support.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <sstream>

using relabel::Progress;
using relabel::ProgressOptions;

namespace {
struct FakeClock {
  double t = 1000.0;
};

ProgressOptions fake(FakeClock& clock, std::ostringstream& out, bool tty,
                     std::ostringstream* json = nullptr) {
  ProgressOptions o;
  o.out = &out;
  o.tty = tty;
  o.json = json;
  o.clock = [&clock] { return clock.t; };
  return o;
}

}  // namespace

TEST(Progress, FormatsDurations) {
  EXPECT_EQ(Progress::format_duration(0), "0s");
  EXPECT_EQ(Progress::format_duration(42.4), "42s");
  EXPECT_EQ(Progress::format_duration(185), "3m05s");
  EXPECT_EQ(Progress::format_duration(3720), "1h02m");
  EXPECT_EQ(Progress::format_duration(90061), "25h01m");
  EXPECT_EQ(Progress::format_duration(1.0 / 0.0), "?");
  EXPECT_EQ(Progress::format_duration(-1), "?");
}

TEST(Progress, RateIsAnEmaAndEtaFollows) {
  FakeClock clock;
  std::ostringstream out, json;
  Progress p(10000, "train", fake(clock, out, /*tty=*/true, &json));
  clock.t += 1.0;
  p.update(100);  // before the 2 s interval: no sample yet
  EXPECT_EQ(p.steps_per_s(), 0.0);
  EXPECT_EQ(out.str(), "");
  clock.t += 1.0;
  p.update(200);  // 200 steps in 2 s
  EXPECT_DOUBLE_EQ(p.steps_per_s(), 100.0);
  EXPECT_DOUBLE_EQ(p.eta_s(), 98.0);
  clock.t += 2.0;
  p.update(1000, 0.5);  // 800 steps in 2 s = 400/s; EMA 0.3*400 + 0.7*100
  EXPECT_DOUBLE_EQ(p.steps_per_s(), 190.0);
  EXPECT_DOUBLE_EQ(p.eta_s(), 9000.0 / 190.0);
  EXPECT_EQ(p.line(), "train 1000/10000 (10.0%) | 190.0 steps/s | ETA 47s | score 0.5");
  // TTY: both samples rewrote the same line.
  const std::string shown = out.str();
  EXPECT_EQ(shown.find('\n'), std::string::npos);
  EXPECT_EQ(std::count(shown.begin(), shown.end(), '\r'), 2);

  auto js = relabel::test::split_lines(json.str());
  ASSERT_EQ(js.size(), 2u);
  auto j = nlohmann::json::parse(js[1]);
  EXPECT_EQ(j["type"], "progress");  // metrics.jsonl record type (docs/formats.md)
  EXPECT_EQ(j["step"], 1000);
  EXPECT_DOUBLE_EQ(j["steps_per_s"].get<double>(), 190.0);
  EXPECT_NEAR(j["eta_s"].get<double>(), 47.368, 1e-3);
  EXPECT_DOUBLE_EQ(j["score"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(j["time"].get<double>(), 4.0);
  EXPECT_TRUE(nlohmann::json::parse(js[0])["score"].is_null());

  clock.t += 6.0;
  p.update(10000);
  p.finish();
  p.finish();  // idempotent
  EXPECT_EQ(relabel::test::split_lines(json.str()).size(), 4u);
  auto last = nlohmann::json::parse(relabel::test::split_lines(json.str()).back());
  EXPECT_DOUBLE_EQ(last["steps_per_s"].get<double>(), 1000.0);  // overall: 10000 in 10 s
  EXPECT_NE(out.str().find("train 10000/10000 done in 10s (1000.0 steps/s) | score 0.5"),
            std::string::npos);
}

// A loop stopped by a signal said "done" (datagen: "SAC 1400/3000 done in ..."): it says stopped.
TEST(Progress, AStoppedLoopSaysStoppedNotDone) {
  FakeClock clock;
  std::ostringstream out;
  Progress p(3000, "datagen pendulum SAC", fake(clock, out, /*tty=*/false));
  clock.t += 5.0;
  p.update(1400);
  p.finish_stopped();
  p.finish();  // already ended
  EXPECT_NE(out.str().find("datagen pendulum SAC 1400/3000 stopped after 5s (280.0 steps/s)\n"),
            std::string::npos)
      << out.str();
  EXPECT_EQ(out.str().find("done"), std::string::npos) << out.str();
}

TEST(Progress, AResumedLoopCountsOnlyItsOwnSteps) {
  // Resumed at step 98000 of 100000: the first sample's rate is the 200 steps made in 2 s, not
  // 98200 / 2 s, and the final average covers this process's steps only.
  FakeClock clock;
  std::ostringstream out;
  ProgressOptions o = fake(clock, out, /*tty=*/false);
  o.first_step = 98000;
  Progress p(100000, "datagen", o);
  clock.t += 2.0;
  p.update(98200);
  EXPECT_DOUBLE_EQ(p.steps_per_s(), 100.0);
  EXPECT_DOUBLE_EQ(p.eta_s(), 18.0);
  clock.t += 18.0;
  p.update(100000);
  p.finish();
  EXPECT_DOUBLE_EQ(p.steps_per_s(), 100.0);  // 2000 steps in 20 s
  EXPECT_NE(out.str().find("datagen 100000/100000 done in 20s (100.0 steps/s)"), std::string::npos);
}

TEST(Progress, PlainOutputIsThrottledToTheLogInterval) {
  FakeClock clock;
  std::ostringstream out;
  Progress p(600, "fit", fake(clock, out, /*tty=*/false));
  const double start = clock.t;
  for (int step = 1; step <= 600; ++step) {
    clock.t = start + step * 0.125;  // 8 steps/s for 75 s (exact in binary), sampled every 2 s
    p.update(step);
  }
  auto ls = relabel::test::split_lines(out.str());
  // Lines at t = 2 s (first sample), 32 s and 62 s: at most one per 30 s, never '\r'.
  ASSERT_EQ(ls.size(), 3u) << out.str();
  EXPECT_EQ(out.str().find('\r'), std::string::npos);
  EXPECT_EQ(ls[0], "fit 16/600 (2.7%) | 8.0 steps/s | ETA 1m13s");
  EXPECT_EQ(ls[1], "fit 256/600 (42.7%) | 8.0 steps/s | ETA 43s");
  EXPECT_EQ(ls[2], "fit 496/600 (82.7%) | 8.0 steps/s | ETA 13s");
}

TEST(Progress, SilentOnOtherRanksButStillWritesJson) {
  FakeClock clock;
  std::ostringstream out, json;
  auto o = fake(clock, out, true, &json);
  o.print = false;
  Progress p(10, "x", o);
  clock.t += 3;
  p.update(5);
  p.finish();
  EXPECT_EQ(out.str(), "");
  EXPECT_EQ(relabel::test::split_lines(json.str()).size(), 2u);
}
