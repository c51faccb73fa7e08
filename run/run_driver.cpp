#include "run/run_driver.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <memory>
#include <optional>
#include <sstream>

#include "comm/failure.h"
#include "config/config_write.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/log.h"
#include "core/progress.h"
#include "core/seeding.h"
#include "core/text_file.h"
#include "io/atomic_file.h"
#include "io/event_file.h"
#include "io/run_record.h"
#include "run/checkpoint.h"
#include "run/global_sampler.h"
#include "run/offline_data.h"
#include "run/run_directory.h"
#include "run/run_pin.h"
#include "run/run_record.h"

using nlohmann::json;

namespace relabel::run {

using comm::Collective;
using comm::on_root;
using config::config_hash;
using config::RunConfig;
using config::to_toml;
using config::TrainConfig;

namespace {

// Whether going from step `before` to `after` crossed a multiple of `every` (an online
// iteration advances several environment steps at once; an offline update one).
bool crossed(int64_t before, int64_t after, int64_t every) {
  return every > 0 && after / every > before / every;
}

// The numbers of a reward method's diagnostics as TensorBoard scalars "reward/<key>" (one level
// of nesting: "reward/<key>/<inner key>").
void add_numbers(const json& j, const std::string& prefix,
                 std::vector<std::pair<std::string, double>>* out, int depth = 0) {
  if (!j.is_object()) return;
  for (const auto& [k, v] : j.items()) {
    if (v.is_number()) out->emplace_back(prefix + k, v.get<double>());
    if (v.is_object() && depth == 0) add_numbers(v, prefix + k + "/", out, 1);
  }
}

// A writer killed mid-line leaves a partial last record; the next attempt's records must not be
// appended to it (one unreadable line in the middle of the file), so it is cut off first.
void drop_torn_tail(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in || in.tellg() <= 0) return;
  in.seekg(-1, std::ios::end);
  if (in.get() == '\n') return;
  in.seekg(0);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t keep = text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1;
  spdlog::warn("{}: dropped a partial last record ({} bytes) left by a killed attempt", path,
               text.size() - keep);
  std::filesystem::resize_file(path, keep);
}

class Driver {
 public:
  Driver(RunBody& body, const RunConfig& config, Collective& comm, const RunControl& control)
      : body_(body), config_(config), comm_(comm), control_(control) {
    rank_ = comm.rank();
    size_ = comm.size();
    dir_ = config.output.dir;
    hash_ = config_hash(config);
    record_.id = control.run_id.empty() ? hash_ : control.run_id;
    record_.status = "running";
    record_.task = config.task.name;
    record_.dataset = dataset_label(config);
    record_.method = method_label(config);
    for (const auto& [k, v] : control.params) record_.params[k] = io::param_value(v);
    record_.seed = config.seed;
    record_.ranks = size_;
    record_.config_hash = hash_;
    record_.config_hash_without_seed = config::config_hash_without_seed(config);
    record_.relabel_version = RELABEL_VERSION;
    record_.started_at = io::utc_now();
    record_.reward_diagnostics = json::object();
  }

  RunOutcome execute();

 private:
  void check_pinned();
  bool finished_before(RunOutcome& outcome);
  void relabel_params();
  void open_run_directory();
  int64_t agreed_resume_step();
  void pin_resumed_file(std::optional<io::DatasetIdentity>& recorded,
                        const std::optional<io::DatasetIdentity>& now, int64_t resume_step,
                        const char* file);
  void begin_attempt(int64_t resume_step);
  void write_record(const std::string& status, const std::string& error = "");
  void record_failure_before_attempt(const std::string& error);
  io::CurvePoint evaluate(int64_t step);
  void save_checkpoint(int64_t step);
  CheckpointStore& my_store() {
    return body_.state_per_rank() && rank_ > 0 ? *rank_store_ : *store_;
  }
  void log_metrics(int64_t step, const Advance& advance, bool only_with_metrics);
  RunOutcome train(int64_t start_step);

  RunBody& body_;
  const RunConfig& config_;
  Collective& comm_;
  const RunControl& control_;
  int rank_ = 0, size_ = 1;
  std::string dir_, hash_;
  io::RunRecord record_;
  std::vector<io::CurvePoint> curve_;
  bool attempt_begun_ = false;
  Timing timing_;
  // Rank 0's store holds the metadata and the replicated (or rank 0's) state; with per-rank
  // state, rank r > 0 keeps its part in ckpt/rank<r>.
  std::unique_ptr<CheckpointStore> store_, rank_store_;
  std::unique_ptr<RunDirectoryClaim> claim_;  // the lock and space reserve (rank 0)
  std::ofstream metrics_;
  std::unique_ptr<io::EventFileWriter> events_;  // rank 0, with logging.tensorboard
  int64_t last_log_step_ = -1;                   // for updates/s between metrics lines
  SteadyClock::time_point last_log_time_;
  std::vector<double> train_returns_;  // finished training episodes since the last metrics line
  SteadyClock::time_point started_ = SteadyClock::now();
  double train_seconds_ = 0.0;
  double earlier_wall_s_ = 0.0;  // wall time of the attempts before this one
  int64_t current_step_ = 0;
};

// Throws RunRefused on every rank, before anything is written, when the directory holds another
// config's run; with --force, rank 0 clears the directory's record and checkpoints instead.
void Driver::check_pinned() {
  std::string refusal;
  on_root(comm_, [&] {
    if (control_.force)
      clear_run_state(dir_);
    else
      refusal = config_pin_violation(dir_, hash_, config_);
  });
  comm_.host().broadcast(refusal, 0);
  if (!refusal.empty()) throw RunRefused(refusal);
}

// True on every rank when rank 0 finds the run recorded "done" under this config hash (a rerun
// of a finished sweep skips it); rank 0 then also fills the outcome's scores from the record.
// A done run whose dataset now has other content is refused rather than skipped.
bool Driver::finished_before(RunOutcome& outcome) {
  std::optional<io::RunRecord> record;
  bool done = false;
  std::string refusal;
  on_root(comm_, [&] {
    record = io::read_run_record(dir_);
    done = record && record->done() && record->config_hash == hash_;
    if (done && record->dataset_identity)
      refusal = dataset_pin_violation(dir_, *record->dataset_identity, config_);
    if (done && refusal.empty() && record->expert_identity)
      refusal = expert_pin_violation(dir_, *record->expert_identity, config_);
    // An online run's ranks each collect their own environment steps: its rank count is part
    // of the experiment (an offline run's is not: its batches are the 1-rank run's).
    if (done && refusal.empty() && body_.state_per_rank() && record->ranks &&
        *record->ranks != size_)
      refusal = fmt::format(
          "{}: done with {} ranks, this run has {} (an online run's ranks each collect their "
          "own environment steps); use another --out, or --force to start it over",
          dir_, *record->ranks, size_);
  });
  comm_.host().broadcast(refusal, 0);
  if (!refusal.empty()) throw RunRefused(refusal);
  done = comm_.host().any(done);
  if (done && rank_ == 0) {
    outcome.final_score = record->final_score;
    outcome.best_score = record->best_score;
    // Done under another spec with the same config (a restored record, a spec that gained a
    // one-value axis): it carries that sweep's swept values. Label it with this sweep's, or its
    // report would show it as a cell of its own.
    if (!control_.params.empty() && record->params != record_.params) relabel_params();
  }
  return done;
}

// Rewrites only result.json's "params" (atomically); the scores and attempts stay as they are.
void Driver::relabel_params() {
  const std::string path = dir_ + "/result.json";
  json j = json::parse(read_text_file(path));
  json params = json::object();
  for (const auto& [k, v] : record_.params) params[k] = io::param_json(v);
  spdlog::info("run {}: done under other swept values {}; relabelled {}", record_.id,
               j.value("params", json::object()).dump(), params.dump());
  j["params"] = std::move(params);
  io::write_json_atomic(path, j);
}

// Rank 0 writes the resolved config.toml and appends to log.txt (the directory is claimed:
// execute() locked it first).
void Driver::open_run_directory() {
  if (rank_ == 0) {
    io::write_file_atomic(dir_ + "/config.toml", to_toml(config_));
    add_log_file(dir_ + "/log.txt");
  }
  comm_.host().barrier();
}

// The newest step every rank can resume from (-1: none). With per-rank state a save interrupted
// on some rank falls back to the previous step, which every store still keeps. Unreadable
// checkpoints are set aside; rank 0 logs every rank's warnings (only its lines reach the
// console and log.txt).
int64_t Driver::agreed_resume_step() {
  store_ = std::make_unique<CheckpointStore>(dir_ + "/ckpt");
  if (body_.state_per_rank() && rank_ > 0)
    rank_store_ = std::make_unique<CheckpointStore>(fmt::format("{}/ckpt/rank{}", dir_, rank_));
  std::vector<std::string> warnings;
  if (body_.state_per_rank()) {
    const int64_t mine = my_store().set_aside_unreadable(warnings).value_or(-1);
    const int64_t agreed = -comm_.host().all_reduce_max(-mine);
    std::string lines;
    for (const auto& w : warnings) lines += w + "\n";
    const auto every_rank = comm_.host().all_gather(lines);
    if (rank_ == 0)
      for (const auto& rank_lines : every_rank) {
        std::istringstream in(rank_lines);
        for (std::string w; std::getline(in, w);)
          spdlog::warn("{}; every rank resumes from {}", w,
                       agreed < 0 ? std::string("step 0") : "step " + std::to_string(agreed));
      }
    return agreed;
  }
  const int64_t root = rank_ == 0 ? store_->set_aside_unreadable(warnings).value_or(-1)
                                  : std::numeric_limits<int64_t>::min();
  for (const auto& w : warnings) spdlog::warn("{}", w);
  return comm_.host().all_reduce_max(root);
}

// Every start is recorded so restarts can be audited: after preemptions the attempts tile
// [0, steps) exactly.
void Driver::begin_attempt(int64_t resume_step) {
  attempt_begun_ = true;
  if (rank_ != 0) return;
  auto previous = io::read_run_record(dir_);
  if (previous) {
    record_.attempts = previous->attempts;
    // The earlier attempts' wall time (records before timing.wall_s have total_s, which was one
    // attempt's).
    const auto& t = previous->timing;
    auto it = t.find("wall_s");
    if (it == t.end()) it = t.find("total_s");
    earlier_wall_s_ = it == t.end() ? 0.0 : it->second;
  }
  // An attempt still "running" by the record died without a word (kill -9, a node failure);
  // its end_step stays the last step its record saw (this attempt's start shows what was lost).
  if (!record_.attempts.empty()) {
    io::Attempt& last = record_.attempts.back();
    if (last.status.empty() || last.status == "running") {
      last.status = "interrupted";
      if (!last.end_step) last.end_step = last.start_step;
    }
  }
  io::Attempt attempt;
  attempt.started_at = io::utc_now();
  attempt.start_step = std::max<int64_t>(resume_step, 0);
  attempt.ranks = size_;
  record_.attempts.push_back(attempt);
}

// A failure before the attempt began (the directory's config.toml cannot be written): the
// directory's record, if any, says "failed" with the reason and keeps its curve and attempts.
void Driver::record_failure_before_attempt(const std::string& error) {
  if (rank_ != 0) return;
  auto previous = io::read_run_record(dir_);
  if (!previous) return write_record("failed", error);
  previous->status = "failed";
  previous->error = error;
  previous->finished_at = io::utc_now();
  io::write_run_record(dir_, *previous);
}

void Driver::write_record(const std::string& status, const std::string& error) {
  if (rank_ != 0) return;
  record_.status = status;
  if (!record_.attempts.empty()) {
    record_.attempts.back().status = status;
    record_.attempts.back().end_step = current_step_;
  }
  if (!error.empty()) record_.error = error;
  record_.curve = curve_;
  if (!curve_.empty()) {
    record_.final_score = curve_.back().score;
    record_.final_return = curve_.back().ret;
    double best = curve_.front().score;
    for (const auto& p : curve_) best = std::max(best, p.score);
    record_.best_score = best;
  }
  record_.reward_diagnostics = body_.reward_diagnostics();
  record_.timing = timing_;
  const double attempt_s = seconds_since(started_);
  record_.timing["total_s"] = attempt_s;
  record_.timing["wall_s"] = earlier_wall_s_ + attempt_s;  // all attempts
  record_.timing["train_s"] = train_seconds_;
  body_.add_timing(record_.timing, train_seconds_);
  if (status != "running") record_.finished_at = io::utc_now();
  io::write_run_record(dir_, record_);
}

// Evaluation episodes are split across the ranks; each round has its own seed so successive
// evaluations see different initial states, the same for any number of ranks.
io::CurvePoint Driver::evaluate(int64_t step) {
  const auto t0 = SteadyClock::now();
  int64_t b, e;
  batch_slice(config_.train.eval_episodes, rank_, size_, &b, &e);
  const uint64_t seed = splitmix64(shared_seed(static_cast<uint64_t>(config_.seed), "eval") +
                                   static_cast<uint64_t>(curve_.size()));
  std::vector<double> mine;
  if (e > b) mine = body_.evaluate(static_cast<int>(e - b), seed, static_cast<uint64_t>(b));
  auto all = comm_.host().all_gather(torch::tensor(mine, torch::kFloat64));
  io::CurvePoint point;
  point.step = step;
  point.ret = all.numel() ? all.mean().item<double>() : 0.0;
  point.score = normalised_score(point.ret, body_.ref_random(), body_.ref_expert());
  timing_["eval_s"] += seconds_since(t0);
  return point;
}

void Driver::save_checkpoint(int64_t step) {
  if (!body_.state_per_rank() && rank_ != 0) return;  // replicas are identical
  const auto t0 = SteadyClock::now();
  // The training records up to this step reach the disk before the checkpoint that resumes
  // after them: a kill once it is written would otherwise leave a hole in the traces.
  if (rank_ == 0) metrics_.flush();
  json meta = body_.checkpoint_meta();
  // The reference returns travel with the checkpoint: `relabel export` / `eval` normalise scores
  // as the run did without reading its dataset.
  meta["ref_random"] = body_.ref_random();
  meta["ref_expert"] = body_.ref_expert();
  meta["curve"] = io::curve_to_json(curve_);
  meta["train_seconds"] = train_seconds_;
  meta["started_at"] = record_.started_at;
  meta["config_hash"] = hash_;
  for (auto [key, identity] : {std::pair{"dataset_identity", &record_.dataset_identity},
                               std::pair{"expert_identity", &record_.expert_identity}})
    if (*identity) meta[key] = io::to_json(**identity);
  meta["ranks"] = size_;
  my_store().save(step, meta.dump(), [&](torch::serialize::OutputArchive& archive) {
    body_.write_checkpoint(archive);
  });
  // A checkpoint step counts once every rank has written its part.
  if (body_.state_per_rank()) comm_.barrier();
  timing_["checkpoint_s"] += seconds_since(t0);
}

// One metrics.jsonl line: every metric averaged over the ranks, and the mean return of the
// training episodes that ended since the last line (online runs). `only_with_metrics`: no line
// when no rank has a metric yet.
void Driver::log_metrics(int64_t step, const Advance& advance, bool only_with_metrics) {
  std::vector<double> values;
  std::map<std::string, double> metrics;
  if (advance.metrics) metrics = advance.metrics->values();  // the one device wait of a line
  for (const auto& [k, v] : metrics) values.push_back(v);
  double ret_sum = 0.0;
  for (double r : train_returns_) ret_sum += r;
  values.push_back(ret_sum);
  values.push_back(static_cast<double>(train_returns_.size()));
  // Every rank has the same metric keys (an online agent has none before its first update).
  const int64_t n = comm_.host().all_reduce_max(static_cast<int64_t>(values.size()));
  const bool agreed = comm_.host().all(n == static_cast<int64_t>(values.size()));
  if (only_with_metrics && n == 2) return;  // the episodes count towards the next line
  train_returns_.clear();
  if (!agreed) return;
  comm_.host().all_reduce_sum(values.data(), n);
  if (rank_ != 0) return;
  json line = {{"type", "train"}, {"step", step}};
  size_t i = 0;
  std::vector<std::pair<std::string, double>> scalars;
  for (const auto& [k, v] : metrics) {
    line[k] = values[i++] / size_;
    scalars.emplace_back("train/" + k, line[k].get<double>());
  }
  const double episodes = values[i + 1];
  if (episodes > 0) {
    line["train_return"] = values[i] / episodes;
    scalars.emplace_back("train/return", values[i] / episodes);
  }
  metrics_ << line.dump() << "\n";
  const auto now = SteadyClock::now();
  if (last_log_step_ >= 0 && step > last_log_step_)
    scalars.emplace_back(
        "perf/steps_per_s",
        static_cast<double>(step - last_log_step_) /
            std::max(1e-9, std::chrono::duration<double>(now - last_log_time_).count()));
  last_log_step_ = step;
  last_log_time_ = now;
  if (events_) events_->add_scalars(step, scalars);
}

RunOutcome Driver::train(int64_t start_step) {
  RunOutcome outcome;
  outcome.dir = dir_;
  if (rank_ == 0 && config_.logging.tensorboard)
    events_ = std::make_unique<io::EventFileWriter>(dir_);
  ProgressOptions popts;
  popts.print = rank_ == 0;
  popts.json = rank_ == 0 ? &metrics_ : nullptr;
  popts.first_step = std::max<int64_t>(start_step, 0);
  Progress progress(body_.total_steps(), record_.id, popts);
  const TrainConfig& train = config_.train;
  std::optional<double> last_score;
  if (!curve_.empty()) last_score = curve_.back().score;

  const auto train_start = SteadyClock::now();
  const double train_before = train_seconds_;
  bool preempted = false;
  Advance advance;
  for (int64_t iteration = 0; !body_.done(); ++iteration) {
    const int64_t before = body_.step();
    const bool stop_now = control_.stop_at_step >= 0 && before >= control_.stop_at_step;
    // Ranks agree on a stop every 8 iterations (and at once on the deterministic stop_at_step),
    // so every rank stops after the same step.
    if (before > start_step && (iteration % 8 == 0 || stop_now)) {
      const bool local = stop_now || (control_.stop_flag && control_.stop_flag->load());
      if (comm_.host().any(local)) {
        preempted = true;
        break;
      }
    }
    advance.finished_returns.clear();
    body_.advance(advance);
    const int64_t after = advance.step;
    current_step_ = after;
    train_returns_.insert(train_returns_.end(), advance.finished_returns.begin(),
                          advance.finished_returns.end());
    // The first update is logged too, so a loss curve starts at the start.
    if (crossed(before, after, train.log_every))
      log_metrics(after, advance, false);
    else if (train.log_every > 0 && before == 0)
      log_metrics(after, advance, true);
    if (crossed(before, after, train.eval_every) || body_.done()) {
      train_seconds_ = train_before + seconds_since(train_start);
      curve_.push_back(evaluate(after));
      last_score = curve_.back().score;
      spdlog::info("{} {}: return {:.1f}, normalised score {:.1f}", body_.step_name(), after,
                   curve_.back().ret, curve_.back().score);
      if (events_) {
        std::vector<std::pair<std::string, double>> scalars = {
            {"eval/return", curve_.back().ret}, {"eval/normalised_score", curve_.back().score}};
        add_numbers(body_.reward_diagnostics(), "reward/", &scalars);
        events_->add_scalars(after, scalars);
      }
      write_record("running");
    }
    if (crossed(before, after, train.checkpoint_every) && !body_.done()) save_checkpoint(after);
    progress.update(after, last_score);
  }
  train_seconds_ = train_before + seconds_since(train_start);
  if (preempted)
    progress.finish_stopped();
  else
    progress.finish();

  // A preempted attempt keeps (or writes) a checkpoint at its step; a finished one writes its
  // final checkpoint (what resume tests compare).
  const int64_t step = body_.step();
  if (preempted) {
    if (my_store().latest_step().value_or(-1) != step) save_checkpoint(step);
    write_record("preempted");
    spdlog::info("preempted at {} {}: checkpoint written, rerun to resume", body_.step_name(),
                 step);
    outcome.status = RunStatus::Preempted;
  } else {
    save_checkpoint(step);
    write_record("done");
    outcome.status = RunStatus::Done;
  }
  if (!curve_.empty()) {
    outcome.final_score = curve_.back().score;
    double best = curve_.front().score;
    for (const auto& p : curve_) best = std::max(best, p.score);
    outcome.best_score = best;
  }
  return outcome;
}

// The checkpoint's state was trained on the file the record names: resuming on other content
// is refused; otherwise the record names what this attempt read.
void Driver::pin_resumed_file(std::optional<io::DatasetIdentity>& recorded,
                              const std::optional<io::DatasetIdentity>& now, int64_t resume_step,
                              const char* file) {
  if (!now) return;
  if (resume_step >= 0 && recorded) {
    const std::string refusal = dataset_mismatch(
        dir_, *recorded, *now, fmt::format("checkpointed at {} {}", body_.step_name(), resume_step),
        file);
    if (!refusal.empty()) throw RunRefused(refusal);
  }
  recorded = now;
}

RunOutcome Driver::execute() {
  RunOutcome outcome;
  outcome.dir = dir_;
  // The lock first: --force clears a directory only this process writes.
  claim_ = std::make_unique<RunDirectoryClaim>(dir_, comm_);
  check_pinned();
  if (!control_.force && finished_before(outcome)) {
    outcome.status = RunStatus::Skipped;
    return outcome;
  }
  try {
    open_run_directory();
    const int64_t resume_step = agreed_resume_step();
    begin_attempt(resume_step);
    json meta = json::object();
    if (resume_step >= 0) {
      meta = json::parse(my_store().load(
          resume_step, [&](torch::serialize::InputArchive& a) { body_.read_checkpoint(a); }));
      curve_ = io::curve_from_json(meta.at("curve"), my_store().path_for(resume_step));
      train_seconds_ = meta.value("train_seconds", 0.0);
      record_.started_at = meta.value("started_at", record_.started_at);
      for (auto [key, identity] : {std::pair{"dataset_identity", &record_.dataset_identity},
                                   std::pair{"expert_identity", &record_.expert_identity}})
        if (meta.contains(key))
          *identity =
              io::dataset_identity_from_json(meta.at(key), my_store().path_for(resume_step));
      current_step_ = resume_step;
    }
    // The attempt is recorded with the checkpoint's curve: a refusal below records "failed"
    // with its reason and keeps the scores the directory's run has.
    write_record("running");
    if (resume_step >= 0 && body_.state_per_rank() && meta.value("ranks", size_) != size_)
      throw RunRefused(fmt::format(
          "{}: checkpointed by {} ranks, this run has {} (an online run's ranks each collect "
          "their own environment steps); resume it on {} ranks, or --force to start it over",
          dir_, meta.value("ranks", 0), size_, meta.value("ranks", 0)));
    spdlog::info("run {} ({}{}, {} ranks x {} threads) -> {}", record_.id, method_label(config_),
                 body_.state_per_rank() ? ", online" : "", size_, torch::get_num_threads(), dir_);
    // Open before prepare(): the reward fit records its progress there.
    if (rank_ == 0) {
      drop_torn_tail(dir_ + "/metrics.jsonl");
      metrics_.open(dir_ + "/metrics.jsonl", std::ios::app);
    }
    body_.set_run_log(rank_ == 0 ? &metrics_ : nullptr, record_.id);
    body_.prepare(resume_step, meta, timing_);
    pin_resumed_file(record_.dataset_identity, body_.dataset_identity(), resume_step,
                     "the dataset");
    pin_resumed_file(record_.expert_identity, body_.expert_identity(), resume_step,
                     "the expert file");
    record_.ref_random = body_.ref_random();
    record_.ref_expert = body_.ref_expert();
    if (resume_step >= 0) {
      if (body_.step() != resume_step)
        throw RunError(fmt::format("{}: checkpoint of step {} holds a run at step {}", dir_,
                                   resume_step, body_.step()));
      spdlog::info("resuming from checkpoint at {} {}", body_.step_name(), resume_step);
    }
    outcome = train(body_.step());
  } catch (const std::exception& e) {
    // Recorded here, where the attempt and its step are known; the caller decides the exit
    // code (or the sweep's "failed" bookkeeping).
    try {
      if (claim_) claim_->release_reserve();  // room for this record on a full disk
      if (attempt_begun_)
        write_record("failed", error_message(e));
      else
        record_failure_before_attempt(error_message(e));
    } catch (...) {
    }
    if (rank_ == 0) remove_log_files();
    throw;
  }
  if (rank_ == 0) remove_log_files();
  return outcome;
}

}  // namespace

RunOutcome drive_run(RunBody& body, const RunConfig& config, Collective& comm,
                     const RunControl& control) {
  Driver driver(body, config, comm, control);
  return driver.execute();
}

}  // namespace relabel::run
