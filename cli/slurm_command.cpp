// relabel slurm submit SPEC.toml [options] | relabel slurm status DIR
#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>

#include "cli/commands.h"
#include "cli/option_checks.h"
#include "config/config.h"
#include "core/error.h"
#include "slurm/submit.h"
#include "sweeps/scheduler.h"
#include "sweeps/spec.h"

namespace relabel::cli {
namespace {

struct SubmitArgs {
  std::string spec, out;
  std::vector<std::string> overrides;
  slurm::SubmitOptions options;
  bool dry_run = false;
};

// Expands the spec here (errors before anything is written): the slurm module itself needs
// neither the run schema nor LibTorch.
slurm::SweepPlan plan_of(const SubmitArgs& a) {
  sweeps::SweepOptions options;
  options.overrides = a.overrides;
  options.out_dir = a.out;
  const sweeps::SweepSpec spec = sweeps::load_sweep(a.spec, options);
  sweeps::check_sweep_directory(spec);  // what the job's relabel sweep would refuse
  slurm::SweepPlan plan;
  plan.spec_path = std::filesystem::absolute(a.spec).lexically_normal().string();
  plan.dir = std::filesystem::absolute(spec.dir).lexically_normal().string();
  plan.name = spec.name;
  plan.ranks_per_run = spec.ranks_per_run;
  plan.overrides = a.overrides;
  plan.device = spec.runs.empty() ? "cpu" : spec.runs.front().config.parallel.device;
  // Array index order (mpi mode: the claim order).
  for (int64_t i : sweeps::claim_order(spec, a.options.breadth_first)) {
    const auto& run = spec.runs[i];
    std::string line = run.id;
    for (const auto& [k, v] : run.params) line += "  " + k + "=" + value_text(v);
    plan.run_lines.push_back(line);
  }
  return plan;
}

void run_submit(const SubmitArgs& a) {
  auto result = slurm::submit_sweep(plan_of(a), a.options, a.dry_run);
  if (a.dry_run) {
    std::fputs(result.script.c_str(), stdout);
    std::printf("\n# dry run: nothing submitted. The runs ([array index] id values):\n%s",
                result.runs.c_str());
    std::fflush(stdout);
    return;
  }
  const std::string dir = result.script_path.substr(0, result.script_path.rfind('/'));
  std::printf("submitted job %s (%s mode); script %s\n", result.job_id.c_str(),
              a.options.mode.c_str(), result.script_path.c_str());
  std::printf("follow it with:\n  relabel slurm status %s\n  squeue -j %s\n  relabel report %s\n",
              dir.c_str(), result.job_id.c_str(), dir.c_str());
}

const CommandRegistrar kSlurm(50, [](CLI::App& app, ProcessArgs, int*) {
  auto* slurm = app.add_subcommand("slurm", "Submit a sweep to SLURM and follow its jobs");
  slurm->require_subcommand(1);

  auto a = std::make_shared<SubmitArgs>();
  auto* submit = slurm->add_subcommand("submit", "Write the sbatch script and submit it");
  submit->add_option("spec", a->spec, "sweep specification (TOML)")
      ->required()
      ->check(non_empty_path());
  submit->add_option("--out", a->out, "sweep directory (default runs/<spec name>)")
      ->check(non_empty_path());
  submit->add_option("--set", a->overrides, "override a base config key")->take_all();
  auto& o = a->options;
  submit
      ->add_option("--mode", o.mode, "mpi: one MPI job farming the sweep; array: one run per task")
      ->capture_default_str();
  submit->add_option("--nodes", o.nodes, "nodes (mpi mode)")
      ->capture_default_str()
      ->check(whole_int_at_least(1));
  submit->add_option("--ntasks-per-node", o.ntasks_per_node, "MPI ranks per node (mpi mode)")
      ->capture_default_str()
      ->check(whole_int_at_least(1));
  // The ranks get it as --threads-per-rank: refused here, not in the job after it queued.
  submit->add_option("--cpus-per-task", o.cpus_per_task, "CPUs per rank: its torch threads")
      ->capture_default_str()
      ->check(whole_in(1, relabel::config::kMaxThreadsPerRank));
  submit
      ->add_option("--gpus-per-node", o.gpus_per_node,
                   "GPUs per node (parallel.device = cuda); rank r uses GPU r mod GPUs per node")
      ->capture_default_str()
      ->check(whole_int_at_least(0));
  submit->add_option("--time", o.time, "time limit in SLURM's formats, e.g. 04:00:00 or 1-12");
  submit
      ->add_option("--setup", o.setup,
                   "a shell line run before the launch, e.g. --setup 'module load openmpi' "
                   "(repeatable)")
      ->allow_extra_args(false);
  submit->add_option("--partition", o.partition, "partition");
  submit->add_option("--account", o.account, "account");
  submit->add_option("--qos", o.qos, "quality of service");
  submit->add_option("--mem", o.mem, "memory per node, e.g. 16G");
  submit->add_option("--job-name", o.job_name, "job name (default relabel-<sweep name>)");
  submit->add_option("--extra", o.extra, "an extra #SBATCH line, e.g. --extra '--constraint=a100'")
      ->allow_extra_args(false);
  submit->add_option("--launcher", o.launcher, "srun or mpirun")->capture_default_str();
  submit->add_option("--srun-mpi", o.srun_mpi, "srun --mpi plugin")->capture_default_str();
  submit->add_option("--signal", o.signal, "warning signal before the time limit")
      ->capture_default_str();
  submit->add_option("--signal-seconds", o.signal_seconds, "seconds before the limit")
      ->capture_default_str()
      ->check(whole_int_at_least(1));
  submit->add_option("--max-requeues", o.max_requeues, "requeues after a warning signal")
      ->capture_default_str()
      ->check(whole_int_at_least(0));
  submit->add_option("--array-throttle", o.array_throttle, "array mode: tasks at once (%N)")
      ->capture_default_str()
      ->check(whole_int_at_least(0));
  submit->add_flag("--breadth-first", o.breadth_first,
                   "run the sweep seed by seed (relabel sweep --breadth-first; array mode: task "
                   "i runs the i-th run of that order)");
  submit->add_flag("--dry-run", a->dry_run, "print the script and the runs, submit nothing");
  submit->callback([a] { run_submit(*a); });

  auto dir = std::make_shared<std::string>();
  auto* status = slurm->add_subcommand("status", "The sweep's SLURM jobs and per-run status");
  status->add_option("dir", *dir, "sweep directory")->required()->check(non_empty_path());
  status->callback([dir] { std::fputs(slurm::slurm_status(*dir).c_str(), stdout); });
});

}  // namespace
}  // namespace relabel::cli
