#pragma once
// Writes synthetic run directories (docs/formats.md "result.json") for the report tests.
#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>

#include "tests/support/test_support.h"

namespace relabel::test {

struct SyntheticRun {
  std::string id, status = "done", error, task, dataset, method;
  nlohmann::json params = nlohmann::json::object();
  int seed = 0;
  double final_score = 0;
  int curve_points = 6;  // steps 0, 1000, ...; the score rises linearly to final_score
  double wall_s = -1;    // timing.wall_s (all attempts) when >= 0; total_s is always 3600
  std::string config_hash_without_seed;  // written when not empty
};

// A done ground_truth+iql run on pendulum / `dataset` with `seed` (its only param).
inline SyntheticRun pendulum_run(const std::string& id, int seed, double final_score,
                                 const std::string& dataset = "p") {
  SyntheticRun r;
  r.id = id;
  r.task = "pendulum";
  r.dataset = dataset;
  r.method = "ground_truth+iql";
  r.seed = seed;
  r.params = {{"seed", std::to_string(seed)}};
  r.final_score = final_score;
  return r;
}

inline void write_run(const std::string& dir, const SyntheticRun& r) {
  std::string run_dir = dir + "/runs/" + r.id;
  std::filesystem::create_directories(run_dir);
  nlohmann::json j = {{"id", r.id},
                      {"status", r.status},
                      {"task", r.task},
                      {"dataset", r.dataset},
                      {"method", r.method},
                      {"params", r.params},
                      {"seed", r.seed},
                      {"ranks", 1},
                      {"config_hash", "h" + r.id},
                      {"relabel_version", "0.1.0"},
                      {"started_at", "2024-01-01T00:00:00Z"},
                      {"finished_at", "2024-01-01T01:00:00Z"},
                      {"reward_diagnostics", nlohmann::json::object()},
                      {"timing", {{"total_s", 3600.0}}}};
  if (r.wall_s >= 0) j["timing"]["wall_s"] = r.wall_s;
  if (!r.config_hash_without_seed.empty())
    j["config_hash_without_seed"] = r.config_hash_without_seed;
  if (r.status == "failed") {
    j["error"] = r.error;
  } else {
    j["final_score"] = r.final_score;
    j["best_score"] = r.final_score + 1.0;
    j["final_return"] = 30.0 * r.final_score;
    nlohmann::json curve = nlohmann::json::array();
    for (int i = 0; i < r.curve_points; ++i) {
      double frac = r.curve_points > 1 ? double(i) / (r.curve_points - 1) : 1.0;
      curve.push_back({{"step", 1000 * i},
                       {"return", 30.0 * r.final_score * frac},
                       {"score", r.final_score * frac}});
    }
    j["curve"] = curve;
  }
  write_file(run_dir + "/result.json", j.dump(2));
}

// The standard test sweep: 3 methods × 2 tasks × 5 seeds, every score
// base(method, task) + {-4, -2, 0, 2, 4}[seed] (so each cell has mean base and sample std √10),
// plus one failed run and one pending run (a run directory with only its config.toml).
//   base:            hopper-medium  walker2d-medium
//   ground_truth+iql      70             80
//   reload+iql            60             75
//   zero+iql              20             30
inline double base_score(int method, int task) {
  const double base[3][2] = {{70, 80}, {60, 75}, {20, 30}};
  return base[method][task];
}
inline const char* const kMethods[3] = {"ground_truth+iql", "reload+iql", "zero+iql"};
inline const char* const kTasks[2] = {"hopper", "walker2d"};
inline const char* const kDatasets[2] = {"hopper-medium", "walker2d-medium"};

inline void write_standard_sweep(const std::string& dir) {
  const double delta[5] = {-4, -2, 0, 2, 4};
  for (int m = 0; m < 3; ++m)
    for (int t = 0; t < 2; ++t)
      for (int s = 0; s < 5; ++s) {
        SyntheticRun r;
        r.id = std::string("m") + std::to_string(m) + "t" + std::to_string(t) + "s" +
               std::to_string(s);
        r.task = kTasks[t];
        r.dataset = kDatasets[t];
        r.method = kMethods[m];
        r.params = {{"seed", s}};
        r.seed = s;
        r.final_score = base_score(m, t) + delta[s];
        write_run(dir, r);
      }
  SyntheticRun failed;
  failed.id = "m1t0s5";
  failed.status = "failed";
  failed.error = "diverged: NaN in critic loss at step 1200";
  failed.task = kTasks[0];
  failed.dataset = kDatasets[0];
  failed.method = kMethods[1];
  failed.params = {{"seed", 5}};
  failed.seed = 5;
  write_run(dir, failed);
  std::filesystem::create_directories(dir + "/runs/m2t1s5");
  write_file(dir + "/runs/m2t1s5/config.toml",
             "seed = 5\n[task]\nname = \"walker2d\"\n[dataset]\nname = \"walker2d-medium\"\n"
             "[reward]\nmethod = \"zero\"\n[policy]\nalgo = \"iql\"\n");
}

}  // namespace relabel::test
