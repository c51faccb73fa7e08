#include "sweeps/scheduler.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <optional>

#include "comm/collective_factory.h"
#include "comm/context.h"
#include "comm/failure.h"
#include "comm/idle_barrier.h"
#include "comm/shared_counter.h"
#include "core/error.h"
#include "core/text_file.h"
#include "io/atomic_file.h"
#include "io/dir_lock.h"
#include "io/observed_status.h"
#include "io/run_record.h"
#include "run/run_pin.h"
#include "run/run_pipeline.h"
#include "run/run_record.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace relabel::sweeps {

namespace {

// As `relabel status` shows it: a run whose writer died is "interrupted", not "running".
std::string run_status(const RunSpec& run) {
  return io::observed_status(run.config.output.dir, io::read_run_record(run.config.output.dir));
}

}  // namespace

void write_sweep_json(const SweepSpec& spec) {
  json runs = json::array();
  for (const auto& run : spec.runs) {
    json params = json::object();
    for (const auto& [k, v] : run.params) params[k] = io::param_json(io::param_value(v));
    // The labels result.json will carry: a report places the runs not yet started in their
    // cells by them (a method label can depend on a key, as imputation's baselines do).
    runs.push_back({{"id", run.id},
                    {"params", params},
                    {"task", run.config.task.name},
                    {"dataset", run::dataset_label(run.config)},
                    {"method", run::method_label(run.config)},
                    {"status", run_status(run)}});
  }
  json sweep = {{"name", spec.name},
                {"spec_path", fs::absolute(spec.source_path).string()},
                {"spec", read_text_file_if_present(spec.source_path).value_or("")},
                {"base", spec.base_path},
                {"ranks_per_run", spec.ranks_per_run},
                {"swept_keys", spec.swept_keys},
                {"overrides", spec.overrides},
                {"updated_at", io::utc_now()},
                {"runs", runs}};
  fs::create_directories(spec.dir);
  io::write_json_atomic(spec.dir + "/sweep.json", sweep);
}

void check_sweep_directory(const SweepSpec& spec) {
  const auto text = read_text_file_if_present(spec.dir + "/sweep.json");
  if (!text) return;
  const json j = json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("name") || !j["name"].is_string()) return;
  const std::string other = j["name"].get<std::string>();
  if (other != spec.name)
    throw Error(spec.dir + ": holds the sweep \"" + other + "\" (its sweep.json), not \"" +
                spec.name + "\"; use another --out");
}

SweepCounts run_sweep(const SweepSpec& spec, relabel::comm::Context& context,
                      const std::atomic<bool>* stop_flag, const std::vector<int64_t>& subset,
                      bool breadth_first) {
  const int world_rank = context.rank(), world_size = context.size();
  using Clock = std::chrono::steady_clock;
  const auto since = [](Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
  };
  const auto start = Clock::now();
  double run_seconds = 0.0;
  int runs_executed = 0;
  const int group_size = static_cast<int>(spec.ranks_per_run);
  if (world_size % group_size != 0)
    throw Error(spec.source_path + ": ranks_per_run = " + std::to_string(group_size) +
                " does not divide the " + std::to_string(world_size) + " ranks of this job");
  // One sweep process per directory: a second `relabel sweep` on it stops here, on every rank,
  // before anything is written. Array tasks share the directory on purpose; each run's own lock
  // (run/run_directory.h) keeps two tasks off the same run.
  std::optional<io::DirLock> sweep_lock;
  relabel::comm::on_root(context.host_world(), [&] {
    fs::create_directories(spec.dir);
    if (subset.empty()) sweep_lock.emplace(io::DirLock::acquire(spec.dir, io::LockWriter::Sweep));
    if (sweep_lock && !sweep_lock->not_enforced().empty())
      spdlog::warn("{}: cannot lock the sweep directory ({}); another sweep would not be stopped",
                   spec.dir, sweep_lock->not_enforced());
    write_sweep_json(spec);
  });

  const int color = world_rank / group_size;
  auto world = relabel::comm::make_collective(context, context.world());
  auto group = world->split(color, world_rank);
  const bool leader = group->rank() == 0;
  // The shared run counter: passive-target fetch-and-add needs no participation from rank 0,
  // which is busy running its own group's runs.
  relabel::comm::SharedCounter counter(context.host_world());
  // The positions of the expansion in the order they are claimed.
  const std::vector<int64_t> order = !subset.empty() ? subset : claim_order(spec, breadth_first);
  const int64_t total = static_cast<int64_t>(order.size());
  SweepCounts counts;

  while (true) {
    // Leaders claim; members learn the index (or "stop", sent as `total`) from their leader, so
    // a signal seen by one rank at a slightly different moment cannot split the group.
    const bool stopping = stop_flag && stop_flag->load();
    int64_t index = leader ? (stopping ? total : counter.next()) : 0;
    auto claimed = torch::tensor({index}, torch::kInt64);
    group->host().broadcast(claimed, 0);
    index = claimed.item<int64_t>();
    if (index >= total) break;  // all claimed, or stopping: unclaimed runs stay pending
    const RunSpec& run = spec.runs[order[index]];
    relabel::run::RunControl control;
    control.stop_flag = stop_flag;
    control.run_id = run.id;
    control.params = run.params;
    const auto run_start = Clock::now();
    ++runs_executed;
    // A refusal of an earlier sweep is withdrawn when the run is tried again.
    if (leader) relabel::io::clear_refused(run.config.output.dir);
    try {
      auto outcome = relabel::run::run_experiment(run.config, *group, control);
      run_seconds += since(run_start);
      switch (outcome.status) {
        case relabel::run::RunStatus::Done:
          ++counts.done;
          break;
        case relabel::run::RunStatus::Skipped:
          ++counts.skipped;
          --runs_executed;  // done before: nothing ran (a restored sweep skips them all)
          break;
        case relabel::run::RunStatus::Preempted:
          ++counts.preempted;
          break;
        case relabel::run::RunStatus::Failed:
          ++counts.failed;
          break;
      }
      if (leader)
        std::fprintf(stderr, "sweep %s: run %s (%lld/%lld) %s, %s\n", spec.name.c_str(),
                     run.id.c_str(), static_cast<long long>(index + 1),
                     static_cast<long long>(total), relabel::run::to_string(outcome.status),
                     outcome.final_score ? fmt::format("score {:.1f}", *outcome.final_score).c_str()
                                         : "not evaluated yet");
    } catch (const relabel::run::RunRefused& e) {
      // Not done here: its directory (done, or checkpointed) belongs to other data or another
      // config, and stays as it is. Counted apart so the sweep does not end as if done.
      run_seconds += since(run_start);
      if (leader) {
        ++counts.refused;
        relabel::io::mark_refused(run.config.output.dir, e.what());
        std::fprintf(stderr, "sweep %s: run %s (%lld/%lld) refused: %s\n", spec.name.c_str(),
                     run.id.c_str(), static_cast<long long>(index + 1),
                     static_cast<long long>(total), e.what());
      }
    } catch (const std::exception& e) {
      run_seconds += since(run_start);
      // run_experiment recorded it as failed; every rank of the group threw (input and data
      // errors are agreed on), so the group can go on with the next run.
      ++counts.failed;
      if (leader)
        std::fprintf(stderr, "sweep %s: run %s (%lld/%lld) failed: %s\n", spec.name.c_str(),
                     run.id.c_str(), static_cast<long long>(index + 1),
                     static_cast<long long>(total), relabel::error_message(e).c_str());
    }
  }
  const auto loop_end = Clock::now();
  // Groups that ran out of runs wait here for the others' last runs, possibly for hours: asleep.
  relabel::comm::idle_barrier(context.host_world());
  const double final_wait = since(loop_end);
  const int refused =
      static_cast<int>(context.host_world().all_reduce_sum(int64_t{counts.refused}));
  const auto set_timing = [&](SweepCounts& c) {
    c.runs = runs_executed;
    c.run_seconds = run_seconds;
    c.final_wait_seconds = final_wait;
    c.scheduler_seconds = since(start) - run_seconds - final_wait;
  };
  if (world_rank == 0) {
    write_sweep_json(spec);
    SweepCounts all;
    for (const auto& run : spec.runs) {
      std::string s = run_status(run);
      if (s == "done")
        ++all.done;
      else if (s == "failed")
        ++all.failed;
      else if (s == "preempted")
        ++all.preempted;
      else if (s != "refused")  // counted apart (this invocation's refusals: `refused`)
        ++all.pending;
    }
    all.refused = refused;
    set_timing(all);
    return all;
  }
  set_timing(counts);
  return counts;
}

}  // namespace relabel::sweeps
