#pragma once
// The skeleton every run shares (docs/architecture.md, "A run"). drive_run owns the run
// directory (config.toml, result.json, curve.csv, metrics.jsonl, log.txt), the attempts, the
// progress line, the stop agreement between ranks, the evaluation cadence and the gather of
// every rank's episodes, and the checkpoint cadence and resume. A kind of run (offline, online)
// is a RunBody: what it loads, how it advances one unit, how this rank evaluates, and what its
// checkpoint holds.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "algos/metrics.h"
#include "comm/collective.h"
#include "config/config.h"
#include "io/dataset_identity.h"
#include "run/run_pipeline.h"

namespace torch::serialize {
class InputArchive;
class OutputArchive;
}  // namespace torch::serialize

namespace relabel::run {

using comm::Collective;
using config::RunConfig;

using Timing = std::map<std::string, double>;  // seconds and rates for result.json's "timing"

// What one RunBody::advance did on this rank.
struct Advance {
  int64_t step = 0;  // the run's step count after it (the same on every rank)
  // Latest losses; may be empty. Read only when a metrics line is written: a device learner's
  // stay on its device until then (algos/metrics.h).
  const algos::Metrics* metrics = nullptr;
  std::vector<double> finished_returns;  // training episodes that ended (online runs)
};

class RunBody {
 public:
  virtual ~RunBody() = default;

  // Set by the driver before prepare(): rank 0's open metrics.jsonl (nullptr on other ranks),
  // where a body appends its own typed records (the reward fit's), and the run's id, which
  // labels progress lines.
  void set_run_log(std::ostream* metrics, std::string run_id) {
    metrics_log_ = metrics;
    run_id_ = std::move(run_id);
  }

  virtual const char* step_name() const = 0;  // "step" (an update), "environment step"
  virtual int64_t total_steps() const = 0;
  // The data prepare() loaded (offline runs): recorded in result.json and the checkpoints,
  // which pin the run to it (run/run_pin.h). None: the run is not pinned to a dataset.
  virtual std::optional<io::DatasetIdentity> dataset_identity() const { return std::nullopt; }
  // A second file the run is pinned to: an offline run's dataset.expert_path.
  virtual std::optional<io::DatasetIdentity> expert_identity() const { return std::nullopt; }
  // Every rank checkpoints its own state (online: environments, replay) and a resume needs the
  // same number of ranks; otherwise the state is replicated and rank 0 writes it alone.
  virtual bool state_per_rank() const = 0;

  // Called inside the checkpoint read when resuming: keep what prepare() will restore from.
  virtual void read_checkpoint(torch::serialize::InputArchive& archive) = 0;
  // Loads data and builds the models, restored from the checkpoint read before when
  // `resume_step` >= 0 (`meta` is the checkpoint's metadata then, else empty). Adds the seconds
  // its phases took to `timing`. Collective.
  virtual void prepare(int64_t resume_step, const nlohmann::json& meta, Timing& timing) = 0;

  virtual int64_t step() const = 0;
  virtual bool done() const = 0;
  // One unit of training (an update, or an online iteration). Collective.
  virtual void advance(Advance& out) = 0;
  // Returns of this rank's evaluation episodes [first_episode, first_episode + count).
  virtual std::vector<double> evaluate(int count, uint64_t seed, uint64_t first_episode) = 0;
  virtual double ref_random() const = 0;  // R_random and R_expert of the normalised score
  virtual double ref_expert() const = 0;

  virtual void write_checkpoint(torch::serialize::OutputArchive& archive) = 0;
  virtual nlohmann::json checkpoint_meta() const = 0;  // the body's counters, merged into meta
  virtual nlohmann::json reward_diagnostics() const = 0;
  // The body's timing entries at this moment, given the training seconds so far.
  virtual void add_timing(Timing& timing, double train_seconds) const = 0;

 protected:
  std::ostream* metrics_log_ = nullptr;
  std::string run_id_;
};

// Runs (or resumes) `body` as the run `config` describes. Every rank of `comm` calls it.
// A failure after the run directory opened is recorded in result.json ("failed", the message,
// the attempt's end step) by rank 0, then rethrown on every rank that had it.
RunOutcome drive_run(RunBody& body, const RunConfig& config, Collective& comm,
                     const RunControl& control);

}  // namespace relabel::run
