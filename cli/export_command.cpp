// relabel export RUN_DIR [--out policy.pt] [--prior]: the run's policy as a self-contained
// TorchScript module (run/policy_export.h).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "cli/option_checks.h"
#include "core/log.h"
#include "run/policy_export.h"
#include "run/run_files.h"

namespace relabel::cli {
namespace {

struct ExportArgs {
  std::string run_dir;
  std::string out;
  bool prior = false;
};

void run_export(const ExportArgs& a) {
  relabel::init_logging(0, 1);  // a checkpoint it falls back from is warned about
  const std::string out = a.out.empty() ? a.run_dir + "/policy.pt" : a.out;
  run::refuse_run_file(out, "export --out");
  auto module = run::export_run_policy(a.run_dir, a.prior);
  run::save_policy_module(module, out);
  const auto info = run::policy_info(module);
  std::printf(
      "%s: %s policy for %s at step %lld (observations %lld -> actions %lld)\n"
      "load it with torch::jit::load or torch.jit.load; forward(obs) -> action\n"
      "evaluate it with: relabel eval %s\n",
      out.c_str(), info.algo.c_str(), info.task.c_str(), static_cast<long long>(info.step),
      static_cast<long long>(info.obs_dim), static_cast<long long>(info.act_dim), out.c_str());
}

const CommandRegistrar kExport(34, [](CLI::App& app, ProcessArgs, int*) {
  auto a = std::make_shared<ExportArgs>();
  auto* cmd = app.add_subcommand(
      "export", "Write a run's policy as a TorchScript module (normalisation and scaling inside)");
  cmd->add_option("run_dir", a->run_dir, "run directory (its newest checkpoint)")
      ->required()
      ->check(non_empty_path());
  cmd->add_option("--out", a->out, "module file (default RUN_DIR/policy.pt)")
      ->check(non_empty_path());
  cmd->add_flag("--prior", a->prior,
                "world-model runs that planned (policy.mppi = true): export the policy prior "
                "(encoder, then the prior's mean) that the planner started from");
  cmd->callback([a] { run_export(*a); });
});

}  // namespace
}  // namespace relabel::cli
