// io/run_record.h: the typed result.json both ways, every error message of the strict reader,
// the tolerant reader, curve.csv, and records written by relabel itself (tests/data/run_records,
// produced by `relabel run` before io::RunRecord existed) still parsing.
#include "io/run_record.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>

#include "core/error.h"
#include "tests/support/test_support.h"

namespace relabel::io {
namespace {

using nlohmann::json;
using relabel::test::read_file;
using relabel::test::TempDir;
using relabel::test::write_file;

RunRecord full_record() {
  RunRecord r;
  r.id = "a1b2c3d4e5f6";
  r.status = "done";
  r.task = "pendulum";
  r.dataset = "pendulum-medium-expert";
  r.method = "imputation-labels_only+td3bc";
  r.params["reward.beta"] = param_value(json("0.5"));
  r.params["seed"] = param_value(json("3"));
  r.params["policy.algo"] = param_value(json("td3bc"));
  r.seed = 3;
  r.ranks = 2;
  r.config_hash = "0123456789abcdef";
  r.config_hash_without_seed = "fedcba9876543210";
  r.relabel_version = "0.1.0";
  r.started_at = "2026-01-02T03:04:05Z";
  r.finished_at = "2026-01-02T04:05:06Z";
  r.attempts = {{"2026-01-02T03:04:05Z", 0, 2, "preempted", 500},
                {"2026-01-02T03:30:00Z", 500, 2, "done", 1000}};
  r.curve = {{0, -1234.5, 1.25}, {500, -600.125, 40.5}, {1000, -150.0, 88.0}};
  r.final_score = 88.0;
  r.final_return = -150.0;
  r.best_score = 88.0;
  r.ref_random = -1234.5;
  r.ref_expert = -143.8;
  r.timing = {{"load_s", 0.25}, {"total_s", 12.5}, {"updates_per_s", 800.0}};
  r.reward_diagnostics = {{"reward_scale", 1.5}, {"labelled_rows", 100}};
  return r;
}

void expect_same(const RunRecord& a, const RunRecord& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.status, b.status);
  EXPECT_EQ(a.task, b.task);
  EXPECT_EQ(a.dataset, b.dataset);
  EXPECT_EQ(a.method, b.method);
  ASSERT_EQ(a.params.size(), b.params.size());
  for (const auto& [k, v] : a.params) {
    ASSERT_TRUE(b.params.count(k)) << k;
    EXPECT_EQ(v.text, b.params.at(k).text) << k;
    EXPECT_EQ(v.number, b.params.at(k).number) << k;
  }
  EXPECT_EQ(a.seed, b.seed);
  EXPECT_EQ(a.ranks, b.ranks);
  EXPECT_EQ(a.config_hash, b.config_hash);
  EXPECT_EQ(a.config_hash_without_seed, b.config_hash_without_seed);
  EXPECT_EQ(a.ref_random, b.ref_random);
  EXPECT_EQ(a.ref_expert, b.ref_expert);
  EXPECT_EQ(a.relabel_version, b.relabel_version);
  EXPECT_EQ(a.started_at, b.started_at);
  EXPECT_EQ(a.finished_at, b.finished_at);
  ASSERT_EQ(a.attempts.size(), b.attempts.size());
  for (size_t i = 0; i < a.attempts.size(); ++i) {
    EXPECT_EQ(a.attempts[i].started_at, b.attempts[i].started_at);
    EXPECT_EQ(a.attempts[i].start_step, b.attempts[i].start_step);
    EXPECT_EQ(a.attempts[i].ranks, b.attempts[i].ranks);
    EXPECT_EQ(a.attempts[i].status, b.attempts[i].status);
    EXPECT_EQ(a.attempts[i].end_step, b.attempts[i].end_step);
  }
  EXPECT_EQ(a.error, b.error);
  ASSERT_EQ(a.curve.size(), b.curve.size());
  for (size_t i = 0; i < a.curve.size(); ++i) {
    EXPECT_EQ(a.curve[i].step, b.curve[i].step);
    if (std::isnan(a.curve[i].ret))
      EXPECT_TRUE(std::isnan(b.curve[i].ret));
    else
      EXPECT_EQ(a.curve[i].ret, b.curve[i].ret);
    EXPECT_EQ(a.curve[i].score, b.curve[i].score);
  }
  EXPECT_EQ(a.final_score, b.final_score);
  EXPECT_EQ(a.final_return, b.final_return);
  EXPECT_EQ(a.best_score, b.best_score);
  EXPECT_EQ(a.timing, b.timing);
  EXPECT_EQ(a.reward_diagnostics, b.reward_diagnostics);
}

std::string error_of(const std::string& text) {
  try {
    parse_run_record(text, "R.json");
  } catch (const relabel::Error& e) {
    return e.what();
  }
  return "(no error)";
}

std::string fixture(const std::string& name) {
  return std::string(RELABEL_TEST_DATA) + "/run_records/" + name;
}

TEST(RunRecord, RoundTripIsExact) {
  const RunRecord r = full_record();
  expect_same(run_record_from_json(to_json(r), "x"), r);
  // Through the text of result.json too (doubles print so that they read back bit-identically).
  expect_same(parse_run_record(to_json(r).dump(2), "x"), r);
  // And the JSON side: a record read and written again is the same JSON value.
  const json j = to_json(r);
  EXPECT_EQ(to_json(run_record_from_json(j, "x")), j);
  EXPECT_EQ(j["params"]["seed"], "3");  // params are text, as the writer records them
  EXPECT_EQ(j["curve"][1]["step"], 500);
  EXPECT_TRUE(j["curve"][1]["step"].is_number_integer());
}

TEST(RunRecord, OptionalKeysStayAbsent) {
  RunRecord r;
  r.status = "running";
  r.task = "pendulum";
  r.method = "zero+iql";
  r.attempts = {{"2026-01-02T03:04:05Z", 0, 1, "", std::nullopt}};
  r.curve = {{100, NAN, 5.0}};  // a record without the return of a point
  const json j = to_json(r);
  for (const char* key :
       {"seed", "ranks", "config_hash", "relabel_version", "started_at", "finished_at", "error",
        "final_score", "final_return", "best_score", "reward_diagnostics"})
    EXPECT_FALSE(j.contains(key)) << key;
  EXPECT_FALSE(j["attempts"][0].contains("status"));
  EXPECT_FALSE(j["attempts"][0].contains("end_step"));
  EXPECT_FALSE(j["curve"][0].contains("return"));
  expect_same(run_record_from_json(j, "x"), r);
}

TEST(RunRecord, ParamValuesKeepTextAndNumber) {
  auto p = param_value(json("0.8"));
  EXPECT_EQ(p.text, "0.8");
  EXPECT_EQ(p.number, 0.8);
  p = param_value(json("td3bc"));
  EXPECT_FALSE(p.number);
  p = param_value(json(10));
  EXPECT_EQ(p.text, "10");
  EXPECT_EQ(p.number, 10.0);
  p = param_value(json(true));
  EXPECT_EQ(p.text, "true");
  EXPECT_FALSE(p.number);
  EXPECT_LT(param_value(json("2")), param_value(json("10")));    // numerically
  EXPECT_LT(param_value(json("10")), param_value(json("abc")));  // numbers first
  // A number reads back as the number, and is written back as one.
  auto r = run_record_from_json(
      json::parse(R"({"status": "running", "task": "t", "method": "m", "params": {"k": 3}})"), "x");
  EXPECT_EQ(to_json(r)["params"]["k"], 3);
}

// Swept values keep their TOML type in result.json (issue 17, point 3b); values written as text
// by older versions still read, with their number, and are written back unchanged.
TEST(RunRecord, ParamsKeepTheirTomlType) {
  RunRecord r;
  r.status = "running";
  r.task = "t";
  r.method = "m";
  r.params["reward.beta"] = param_value(ConfigValue(0.5));
  r.params["reward.alpha"] = param_value(ConfigValue(3.0));
  r.params["policy.hidden"] = param_value(ConfigValue(int64_t{256}));
  r.params["dataset.demonstrations_only"] = param_value(ConfigValue(true));
  r.params["policy.algo"] = param_value(ConfigValue(std::string("td3bc")));
  r.params["seed"] = param_value(ConfigValue(int64_t{4}));
  EXPECT_EQ(r.params["reward.alpha"].text, "3.0");  // the config's text, as before
  EXPECT_EQ(r.params["policy.hidden"].number, 256.0);
  const json params = to_json(r)["params"];
  EXPECT_TRUE(params["reward.beta"].is_number_float()) << params;
  EXPECT_EQ(params["reward.beta"].get<double>(), 0.5);
  EXPECT_TRUE(params["reward.alpha"].is_number_float()) << params;
  EXPECT_TRUE(params["policy.hidden"].is_number_integer()) << params;
  EXPECT_TRUE(params["seed"].is_number_integer()) << params;
  EXPECT_TRUE(params["dataset.demonstrations_only"].is_boolean()) << params;
  EXPECT_EQ(params["policy.algo"], "td3bc");
  // Through the text of a file and back: the same values, the same types.
  RunRecord back = parse_run_record(to_json(r).dump(), "R.json");
  EXPECT_EQ(to_json(back)["params"], params);
  EXPECT_EQ(back.params.at("reward.alpha").text, "3.0");
  EXPECT_EQ(back.params.at("reward.beta"), r.params.at("reward.beta"));
  // An older record: text values.
  RunRecord old = parse_run_record(
      R"({"status": "running", "task": "t", "method": "m",
          "params": {"reward.beta": "0.5", "seed": "4", "policy.algo": "td3bc"}})",
      "R.json");
  EXPECT_EQ(old.params.at("reward.beta").number, 0.5);
  EXPECT_EQ(old.params.at("reward.beta"), r.params.at("reward.beta"));  // same group
  EXPECT_EQ(old.params.at("seed").number, 4.0);
  EXPECT_EQ(to_json(old)["params"]["reward.beta"], "0.5");
}

TEST(RunRecord, EveryErrorNamesFileAndKey) {
  const std::string ok = R"("status": "done", "task": "t", "method": "m", "final_score": 1)";
  auto with = [&](const std::string& extra) { return "{" + ok + ", " + extra + "}"; };
  EXPECT_EQ(error_of("{\"status\": ").rfind("R.json: invalid JSON (", 0), 0u);
  EXPECT_EQ(error_of("[1, 2]"), "R.json: must be a JSON object");
  EXPECT_EQ(error_of("{}"), "R.json: key 'status' is missing");
  EXPECT_EQ(error_of(R"({"status": 3})"), "R.json: key 'status' must be a string, got 3");
  EXPECT_EQ(error_of(R"({"status": "finished"})"),
            "R.json: key 'status': 'finished' is not one of done, failed, running, preempted");
  EXPECT_EQ(error_of(R"({"id": 7, "status": "done"})"), "R.json: key 'id' must be a string, got 7");
  EXPECT_EQ(error_of(R"({"status": "done", "method": "m"})"), "R.json: key 'task' is missing");
  EXPECT_EQ(error_of(R"({"status": "done", "task": "t"})"), "R.json: key 'method' is missing");
  EXPECT_EQ(error_of(R"({"status": "running", "task": "t", "method": "m", "dataset": []})"),
            "R.json: key 'dataset' must be a string, got []");
  EXPECT_EQ(error_of(R"({"status": "failed", "error": 1})"),
            "R.json: key 'error' must be a string, got 1");
  EXPECT_EQ(error_of(with(R"("params": [1])")), "R.json: key 'params' must be an object");
  EXPECT_EQ(error_of(with(R"("params": {"a": {"b": 1}})")),
            "R.json: key 'params.a' must be a number, string or bool");
  EXPECT_EQ(error_of(with(R"("seed": 1.5)")), "R.json: key 'seed' must be an integer");
  EXPECT_EQ(error_of(R"({"status": "done", "task": "t", "method": "m", "final_score": "high"})"),
            "R.json: key 'final_score' must be a number, got \"high\"");
  EXPECT_EQ(error_of(with(R"("best_score": true)")),
            "R.json: key 'best_score' must be a number, got true");
  EXPECT_EQ(error_of(with(R"("final_return": "x")")),
            "R.json: key 'final_return' must be a number, got \"x\"");
  EXPECT_EQ(error_of(R"({"status": "done", "task": "t", "method": "m"})"),
            "R.json: key 'final_score' is missing for a done run");
  EXPECT_EQ(error_of(with(R"("curve": {})")), "R.json: key 'curve' must be an array");
  EXPECT_EQ(error_of(with(R"("curve": [1])")),
            "R.json: key 'curve[0]' must be an object {step, return, score}");
  EXPECT_EQ(error_of(with(R"("curve": [{"step": 0, "score": 1}, {"step": 1}])")),
            "R.json: key 'curve[1]' needs numeric 'step' and 'score'");
  EXPECT_EQ(error_of(with(R"("curve": [{"step": "0", "score": 1}])")),
            "R.json curve[0]: key 'step' must be a number, got \"0\"");
  EXPECT_EQ(error_of(with(R"("curve": [{"step": 0, "score": 1, "return": null}, )"
                          R"({"step": 0, "score": 1, "return": "x"}])")),
            "R.json curve[1]: key 'return' must be a number, got \"x\"");
  EXPECT_EQ(error_of(with(R"("curve": [{"step": 1.5, "score": 1}])")),
            "R.json curve[0]: key 'step' must be an integer, got 1.5");
  // Keys the report did not read before io::RunRecord, checked the same way.
  EXPECT_EQ(error_of(with(R"("ranks": "2")")), "R.json: key 'ranks' must be an integer, got \"2\"");
  for (const char* key : {"config_hash", "relabel_version", "started_at", "finished_at"})
    EXPECT_EQ(error_of(with("\"" + std::string(key) + "\": 1")),
              "R.json: key '" + std::string(key) + "' must be a string, got 1");
  EXPECT_EQ(error_of(with(R"("attempts": {})")), "R.json: key 'attempts' must be an array");
  EXPECT_EQ(error_of(with(R"("attempts": [0])")),
            "R.json: key 'attempts[0]' must be an object {started_at, start_step, ranks, status, "
            "end_step}");
  EXPECT_EQ(error_of(with(R"("attempts": [{"start_step": 0, "ranks": 1}])")),
            "R.json attempts[0]: key 'started_at' is missing");
  EXPECT_EQ(error_of(with(R"("attempts": [{"started_at": "x", "ranks": 1}])")),
            "R.json attempts[0]: key 'start_step' is missing");
  EXPECT_EQ(error_of(with(R"("attempts": [{"started_at": "x", "start_step": 0}])")),
            "R.json attempts[0]: key 'ranks' is missing");
  EXPECT_EQ(error_of(with(R"("attempts": [{"started_at": "x", "start_step": 0.5, "ranks": 1}])")),
            "R.json attempts[0]: key 'start_step' must be an integer, got 0.5");
  EXPECT_EQ(error_of(with(
                R"("attempts": [{"started_at": "x", "start_step": 0, "ranks": 1, "status": 2}])")),
            "R.json attempts[0]: key 'status' must be a string, got 2");
  EXPECT_EQ(error_of(with(R"("attempts": [{"started_at": "x", "start_step": 0, "ranks": 1, )"
                          R"("end_step": "9"}])")),
            "R.json attempts[0]: key 'end_step' must be an integer, got \"9\"");
  EXPECT_EQ(error_of(with(R"("timing": [])")), "R.json: key 'timing' must be an object");
  EXPECT_EQ(error_of(with(R"("timing": {"total_s": "1"})")),
            "R.json: key 'timing.total_s' must be a number, got \"1\"");
  EXPECT_EQ(error_of(with(R"("reward_diagnostics": [1])")),
            "R.json: key 'reward_diagnostics' must be an object");
}

TEST(RunRecord, LenientWhereTheReportAlwaysWas) {
  // No id, no dataset, no seed; a whole-number float step; a point without return; nulls.
  auto r = parse_run_record(R"({"status": "done", "task": "t", "method": "m", "final_score": 5,
      "dataset": null, "best_score": null, "timing": {"x": null},
      "curve": [{"step": 1000.0, "score": 5}], "unknown_key": [1, 2]})",
                            "x");
  EXPECT_EQ(r.id, "");
  EXPECT_EQ(r.dataset, "");
  EXPECT_FALSE(r.seed);
  EXPECT_FALSE(r.best_score);
  EXPECT_TRUE(std::isnan(r.timing.at("x")));
  ASSERT_EQ(r.curve.size(), 1u);
  EXPECT_EQ(r.curve[0].step, 1000);
  EXPECT_TRUE(std::isnan(r.curve[0].ret));
  // A failure recorded before the run's first record: only status, error and finished_at.
  r = parse_run_record(R"({"status": "failed", "error": "boom", "finished_at": "x"})", "x");
  EXPECT_TRUE(r.failed());
  EXPECT_EQ(r.error, "boom");
  EXPECT_EQ(r.task, "");
}

TEST(RunRecord, WritesResultAndCurveAndReadsThemBack) {
  TempDir dir("run-record");
  const RunRecord r = full_record();
  write_run_record(dir.path(), r);
  EXPECT_EQ(read_file(dir / "curve.csv"),
            "step,return,score\n0,-1234.5,1.25\n500,-600.125,40.5\n1000,-150,88\n");
  expect_same(load_run_record(dir.path()), r);
  auto tolerant = read_run_record(dir.path());
  ASSERT_TRUE(tolerant);
  expect_same(*tolerant, r);
  size_t files = 0;
  for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator(dir.path())) ++files;
  EXPECT_EQ(files, 2u);  // no temporaries left
}

TEST(RunRecord, TolerantReaderSaysNothingForMissingOrDamagedRecords) {
  TempDir dir("run-record-tolerant");
  EXPECT_FALSE(read_run_record(dir.path()));
  write_file(dir / "result.json", "{\"status\": ");
  EXPECT_FALSE(read_run_record(dir.path()));
  write_file(dir / "result.json", "[]");
  EXPECT_FALSE(read_run_record(dir.path()));
  write_file(dir / "result.json", R"({"status": "done", "task": "t", "method": "m"})");
  EXPECT_FALSE(read_run_record(dir.path()));
  try {
    load_run_record(dir.path());
    FAIL() << "the strict reader must refuse it";
  } catch (const relabel::Error& e) {
    EXPECT_EQ(std::string(e.what()),
              dir / "result.json" + ": key 'final_score' is missing for a done run");
  }
  TempDir empty("run-record-empty");
  try {
    load_run_record(empty.path());
    FAIL() << "no result.json must be an error";
  } catch (const relabel::Error& e) {
    EXPECT_EQ(std::string(e.what()),
              empty / "result.json" + ": cannot read: No such file or directory");
  }
}

TEST(RunRecord, CurveCsvIsReadWhenTheRecordHasNoCurve) {
  TempDir dir("run-record-csv");
  write_file(dir / "result.json",
             R"({"status": "done", "task": "t", "method": "m", "final_score": 40})");
  write_file(dir / "curve.csv", "step,score,return\n0,10,-1200\n\n500,40,-600\n");
  auto r = load_run_record(dir.path());
  ASSERT_EQ(r.curve.size(), 2u);
  EXPECT_EQ(r.curve[1].step, 500);
  EXPECT_EQ(r.curve[1].score, 40);
  EXPECT_EQ(r.curve[1].ret, -600);
  // Without a return column the returns are NaN.
  write_file(dir / "curve.csv", "step,score\n7,1\n");
  EXPECT_TRUE(std::isnan(read_curve_csv(dir / "curve.csv")[0].ret));
  auto csv_error = [&](const std::string& text) {
    write_file(dir / "curve.csv", text);
    try {
      read_curve_csv(dir / "curve.csv");
    } catch (const relabel::Error& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  const std::string p = dir / "curve.csv";
  EXPECT_EQ(csv_error("step,return\n"), p + ": header must name 'step' and 'score'");
  EXPECT_EQ(csv_error("step,return,score\n1,2\n"), p + ": row 2 has too few columns");
  EXPECT_EQ(csv_error("step,return,score\n1,2,3\n2,x,3\n"), p + ": row 3: 'x' is not a number");
  EXPECT_EQ(csv_error("step,return,score\n1.5,2,3\n"), p + ": row 2: step '1.5' is not an integer");
  EXPECT_EQ(csv_error(""), "(no error)");  // an empty file is an empty curve
  EXPECT_THROW(read_curve_csv(dir / "missing.csv"), relabel::Error);
}

// Records written by `relabel run` with the writer in run/ (tests/data/run_records/README.md),
// including the bare record of a failure before a run's first record.
TEST(RunRecord, RecordsWrittenByRelabelParseAndRoundTrip) {
  const std::string names[] = {
      "offline_done.json", "online_done.json", "preempted.json",     "resumed_done.json",
      "running.json",      "failed.json",      "failed_at_end.json", "failed_before_start.json"};
  for (const auto& name : names) {
    SCOPED_TRACE(name);
    const std::string path = fixture(name);
    const json j = json::parse(read_file(path));
    RunRecord r;
    ASSERT_NO_THROW(r = run_record_from_json(j, path));
    EXPECT_EQ(r.status, j["status"]);
    // Nothing the writer wrote is lost or changed: written again, it is the same JSON value
    // (except the keys a bare failure record lacks, which come back empty).
    json again = to_json(r);
    if (name == "failed_before_start.json") {
      for (const char* key :
           {"id", "task", "dataset", "method", "params", "attempts", "curve", "timing"})
        again.erase(key);
    }
    EXPECT_EQ(again, j) << again.dump(1) << "\n" << j.dump(1);
    expect_same(run_record_from_json(again, path), r);
  }
}

}  // namespace
}  // namespace relabel::io
