// relabel eval RUN_DIR|policy.pt [--task T] [--episodes N] [--seed S] [--json FILE]: evaluates
// a policy module (or a run's newest checkpoint) in its task; prints the mean return, the
// normalised score and their bootstrap CIs, and writes them as JSON.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>

#include "cli/commands.h"
#include "cli/option_checks.h"
#include "core/error.h"
#include "core/log.h"
#include "io/atomic_file.h"
#include "report/metrics.h"
#include "run/policy_export.h"
#include "run/run_files.h"

namespace relabel::cli {
namespace {

struct EvalArgs {
  std::string policy;  // a run directory or a module file
  std::string task;
  int episodes = 0;
  std::optional<uint64_t> seed;  // a run's evaluation seeds use all 64 bits
  std::string json;
};

double normalised(double ret, const run::PolicyInfo& info) {
  return 100.0 * (ret - info.ref_random) / (info.ref_expert - info.ref_random);
}

void run_eval(const EvalArgs& a) {
  relabel::init_logging(0, 1);  // a checkpoint it falls back from is warned about
  const bool run_dir = std::filesystem::is_directory(a.policy);
  const std::string json_path =
      !a.json.empty() ? a.json : (run_dir ? a.policy + "/eval.json" : a.policy + ".eval.json");
  run::refuse_run_file(json_path, "eval --json");
  if (std::filesystem::is_directory(json_path))
    throw Error("eval --json " + json_path + ": is a directory; name a file");
  auto module = run_dir ? run::export_run_policy(a.policy) : run::load_policy_module(a.policy);
  const auto info = run::policy_info(module);
  const std::string task = a.task.empty() ? info.task : a.task;
  // By default the episodes of the run's own evaluation at this step, so the return can be
  // compared with the run's record; --seed / --episodes choose others.
  const int episodes =
      a.episodes > 0 ? a.episodes : (info.eval_episodes > 0 ? int(info.eval_episodes) : 10);
  const uint64_t seed = a.seed ? *a.seed : (info.eval_episodes > 0 ? uint64_t(info.eval_seed) : 0);
  const auto returns = run::evaluate_policy(module, task, episodes, seed);

  report::BootstrapOptions bo;
  const auto mean_of = [](const report::TaskScores& s) {
    return std::vector<double>{report::mean(s[0])};
  };
  const auto ci = report::stratified_bootstrap({returns}, mean_of, bo)[0];
  const double mean = report::mean(returns);
  const bool same_task = task == info.task;
  nlohmann::json out = {{"policy", a.policy},  {"task", task},
                        {"algo", info.algo},   {"run_id", info.run_id},
                        {"step", info.step},   {"episodes", episodes},
                        {"seed", seed},        {"returns", returns},
                        {"mean_return", mean}, {"return_ci95", {ci.lo, ci.hi}}};
  if (same_task) {
    out["ref_random"] = info.ref_random;
    out["ref_expert"] = info.ref_expert;
    out["normalised_score"] = normalised(mean, info);
    out["score_ci95"] = {normalised(ci.lo, info), normalised(ci.hi, info)};
  }
  const bool repeats_run = info.eval_episodes > 0 && seed == uint64_t(info.eval_seed) &&
                           episodes == info.eval_episodes && same_task;
  if (repeats_run) out["run_eval_return"] = info.eval_return;
  io::write_json_atomic(json_path, out);

  std::printf("%s on %s: %d episodes (seed %llu), return %.2f [95%% CI %.2f, %.2f]",
              a.policy.c_str(), task.c_str(), episodes, static_cast<unsigned long long>(seed), mean,
              ci.lo, ci.hi);
  if (same_task)
    std::printf(", normalised score %.1f [%.1f, %.1f]", normalised(mean, info),
                normalised(ci.lo, info), normalised(ci.hi, info));
  std::printf("\n");
  if (repeats_run)
    std::printf("the run's own evaluation of these episodes at step %lld: return %.2f\n",
                static_cast<long long>(info.step), info.eval_return);
  std::printf("written: %s\n", json_path.c_str());
}

const CommandRegistrar kEval(35, [](CLI::App& app, ProcessArgs, int*) {
  auto a = std::make_shared<EvalArgs>();
  auto* cmd = app.add_subcommand(
      "eval", "Evaluate a policy module or a run's newest checkpoint: return, score and CIs");
  cmd->add_option("policy", a->policy, "a run directory or a module from relabel export")
      ->required()
      ->check(non_empty_path());
  cmd->add_option("--task", a->task, "task to evaluate on (default: the policy's)");
  cmd->add_option("--episodes", a->episodes,
                  "episodes (default: those of the run's evaluation at that step, else 10)")
      ->check(whole_int_at_least(1));
  cmd->add_option("--seed", a->seed,
                  "episode seed, 0 to 2^64-1 (default: the seed of the run's evaluation at that "
                  "step, else 0)")
      ->check(seed_value());
  cmd->add_option("--json", a->json, "result file (default RUN_DIR/eval.json or POLICY.eval.json)")
      ->check(non_empty_path());
  cmd->callback([a] { run_eval(*a); });
});

}  // namespace
}  // namespace relabel::cli
