#include "run/run_pipeline.h"

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>

#include "algos/offline/learner.h"
#include "algos/policy_registry.h"
#include "algos/reward/reward_registry.h"
#include "comm/collective.h"
#include "comm/gradient_sync.h"
#include "comm/mpi_collective.h"
#include "config/config_write.h"
#include "core/error.h"
#include "core/log.h"
#include "core/progress.h"
#include "core/seeding.h"
#include "envs/evaluate.h"
#include "envs/registry.h"
#include "run/checkpoint.h"
#include "run/global_sampler.h"
#include "run/offline_data.h"
#include "run/online_run.h"
#include "run/reward_phase.h"
#include "run/row_gather.h"
#include "run/run_attempt.h"
#include "run/run_record.h"
#include "run/shard_batcher.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace relabel::engine {

const char* to_string(RunStatus status) {
  switch (status) {
    case RunStatus::Done:
      return "done";
    case RunStatus::Failed:
      return "failed";
    case RunStatus::Preempted:
      return "preempted";
    case RunStatus::Skipped:
      return "skipped";
  }
  return "?";
}

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

algos::OfflineOptions learner_options(const RunConfig& c, const io::Dataset& shard, int rank) {
  const PolicyConfig& p = c.policy;
  algos::OfflineOptions o;
  o.algo = p.algo;
  o.obs_dim = shard.obs_dim();
  o.act_dim = shard.act_dim();
  o.max_action = envs::find_task(c.task.name).max_action;
  o.hidden = p.hidden;
  o.layers = p.layers;
  o.lr = p.lr;
  o.gamma = p.gamma;
  o.tau = p.tau;
  o.params = p.params;  // the learner's own keys (IQL's expectile, TD3+BC's alpha, ...)
  o.total_steps = c.train.steps;
  o.seed = shared_seed(static_cast<uint64_t>(c.seed), "init");
  o.rank = rank;
  o.device = "cpu";
  return o;
}

// The step of the newest checkpoint as seen by rank 0 (-1 if none), agreed on by every rank.
int64_t agreed_latest(const CheckpointStore& store, MPI_Comm comm, int rank) {
  int64_t step = -1;
  if (rank == 0) step = store.latest_step().value_or(-1);
  MPI_Bcast(&step, 1, MPI_INT64_T, 0, comm);
  return step;
}

bool agreed_stop(bool local, MPI_Comm comm, int size) {
  if (size == 1) return local;
  int flag = local ? 1 : 0;
  MPI_Allreduce(MPI_IN_PLACE, &flag, 1, MPI_INT, MPI_MAX, comm);
  return flag != 0;
}

class OfflineRun {
 public:
  OfflineRun(const RunConfig& config, Collective& comm, const RunControl& control)
      : config_(config), comm_(comm), control_(control) {
    auto* mpi = dynamic_cast<MpiCollective*>(&comm.host());
    if (!mpi) throw RunError("run_experiment needs an MPI communicator");
    mpi_ = mpi->comm();
    rank_ = comm.rank();
    size_ = comm.size();
    dir_ = config.output.dir;
    hash_ = config_hash(config);
    record_ = {
        {"id", control.run_id.empty() ? hash_ : control.run_id},
        {"status", "running"},
        {"task", config.task.name},
        {"dataset", !config.dataset.name.empty() ? config.dataset.name
                                                 : fs::path(config.dataset.path).stem().string()},
        {"method", method_label(config)},
        {"params", json::object()},
        {"seed", config.seed},
        {"ranks", size_},
        {"config_hash", hash_},
        {"relabel_version", RELABEL_VERSION},
        {"started_at", utc_now()}};
    for (const auto& [k, v] : control.params) record_["params"][k] = v;
  }

  RunOutcome execute();

 private:
  void write_record(const std::string& status, const std::string& error = "");
  CurvePoint evaluate(int64_t step, int64_t round);
  void save_checkpoint(int64_t step);
  json meta() const;

  const RunConfig& config_;
  Collective& comm_;
  const RunControl& control_;
  MPI_Comm mpi_;
  int rank_ = 0, size_ = 1;
  std::string dir_, hash_;
  json record_;
  std::vector<CurvePoint> curve_;
  std::map<std::string, double> timing_;
  std::unique_ptr<CheckpointStore> store_;
  std::unique_ptr<GradientSync> sync_;
  OfflineData data_;
  RewardPhase reward_;
  std::unique_ptr<algos::OfflineLearner> learner_;
  Clock::time_point started_ = Clock::now();
  double train_seconds_ = 0.0;
  int64_t updates_done_ = 0;
  int64_t current_step_ = 0;
};

void OfflineRun::write_record(const std::string& status, const std::string& error) {
  if (rank_ != 0) return;
  record_["status"] = status;
  if (!record_["attempts"].empty()) {
    record_["attempts"].back()["status"] = status;
    record_["attempts"].back()["end_step"] = current_step_;
  }
  if (!error.empty()) record_["error"] = error;
  record_["curve"] = curve_to_json(curve_);
  if (!curve_.empty()) {
    record_["final_score"] = curve_.back().score;
    record_["final_return"] = curve_.back().ret;
    double best = curve_.front().score;
    for (const auto& p : curve_) best = std::max(best, p.score);
    record_["best_score"] = best;
  }
  json timing = json::object();
  for (const auto& [k, v] : timing_) timing[k] = v;
  timing["total_s"] = since(started_);
  timing["train_s"] = train_seconds_;
  timing["updates_per_s"] = train_seconds_ > 0 ? updates_done_ / train_seconds_ : 0.0;
  record_["timing"] = timing;
  if (status != "running") record_["finished_at"] = utc_now();
  write_run_record(dir_, record_, curve_);
}

CurvePoint OfflineRun::evaluate(int64_t step, int64_t round) {
  auto t0 = Clock::now();
  const int64_t episodes = config_.train.eval_episodes;
  int64_t b, e;
  batch_slice(episodes, rank_, size_, &b, &e);
  const int64_t obs_dim = data_.shard.obs_dim(), act_dim = data_.shard.act_dim();
  // Batched policy inference on normalised observations; environments stay on the CPU.
  envs::BatchPolicy policy = [&](const float* obs, int n, float* act) {
    auto o = torch::from_blob(const_cast<float*>(obs), {n, obs_dim}, torch::kFloat32);
    auto a = learner_->act(data_.normalizer.apply(o)).to(torch::kCPU).contiguous();
    std::memcpy(act, a.data_ptr<float>(), sizeof(float) * n * act_dim);
  };
  envs::EvalOptions options;
  options.first_episode = static_cast<uint64_t>(b);
  const uint64_t seed = splitmix64(shared_seed(static_cast<uint64_t>(config_.seed), "eval") +
                                   static_cast<uint64_t>(round));
  std::vector<double> mine;
  if (e > b)
    mine = envs::evaluate(policy, config_.task.name, static_cast<int>(e - b), seed, options);
  auto all = all_gather_rows(torch::tensor(mine, torch::kFloat64), mpi_);
  CurvePoint point;
  point.step = step;
  point.ret = all.numel() ? all.mean().item<double>() : 0.0;
  point.score = normalised_score(point.ret, data_.ref_random, data_.ref_expert);
  timing_["eval_s"] += since(t0);
  return point;
}

json OfflineRun::meta() const {
  return {{"curve", curve_to_json(curve_)},
          {"train_seconds", train_seconds_},
          {"updates_done", updates_done_},
          {"started_at", record_["started_at"]},
          {"config_hash", hash_}};
}

void OfflineRun::save_checkpoint(int64_t step) {
  if (rank_ != 0) return;  // replicas are identical
  auto t0 = Clock::now();
  store_->save(step, meta().dump(), [&](torch::serialize::OutputArchive& archive) {
    torch::serialize::OutputArchive learner, reward;
    learner_->save(learner);
    reward_.model->save(reward);
    archive.write("learner", learner);
    archive.write("reward", reward);
    // The observation normaliser: what inference with this checkpoint (policy or reward)
    // applies to raw observations.
    archive.write("obs_mean", data_.normalizer.mean);
    archive.write("obs_std", data_.normalizer.std);
  });
  timing_["checkpoint_s"] += since(t0);
}

RunOutcome OfflineRun::execute() {
  RunOutcome outcome;
  outcome.dir = dir_;
  if (!control_.force && finished_before(outcome, dir_, hash_, mpi_, rank_)) {
    outcome.status = RunStatus::Skipped;
    return outcome;
  }
  open_run_directory(dir_, to_toml(config_), mpi_, rank_);
  store_ = std::make_unique<CheckpointStore>(dir_ + "/ckpt");
  const int64_t resume_step = agreed_latest(*store_, mpi_, rank_);
  if (rank_ == 0) begin_attempt(record_, dir_, resume_step, size_);
  write_record("running");
  spdlog::info("run {} ({}, {} ranks) -> {}", record_["id"].get<std::string>(),
               method_label(config_), size_, dir_);

  // Data.
  auto t0 = Clock::now();
  data_ = load_offline_data(config_, mpi_,
                            algos::find_reward_method(config_.reward.method).needs_true_rewards);
  timing_["load_s"] = since(t0);
  spdlog::info(
      "dataset {}: {} rows ({} on this rank), {} episodes, R_random {:.1f}, R_expert {:.1f}",
      data_.path, data_.global_rows, data_.shard.size(), data_.num_episodes, data_.ref_random,
      data_.ref_expert);

  // Resume state, if any (every rank reads the same file).
  torch::serialize::InputArchive learner_archive, reward_archive;
  int64_t start_step = 0;
  if (resume_step >= 0) {
    json m = json::parse(store_->load(resume_step, [&](torch::serialize::InputArchive& a) {
      a.read("learner", learner_archive);
      a.read("reward", reward_archive);
    }));
    curve_ = curve_from_json(m.at("curve"));
    train_seconds_ = m.value("train_seconds", 0.0);
    updates_done_ = m.value("updates_done", int64_t{0});
    record_["started_at"] = m.value("started_at", record_["started_at"].get<std::string>());
    start_step = resume_step;
    current_step_ = resume_step;
    spdlog::info("resuming from checkpoint at step {}", resume_step);
  }

  // Reward model.
  sync_ = std::make_unique<GradientSync>(comm_);
  t0 = Clock::now();
  reward_ =
      run_reward_phase(config_, data_, *sync_, mpi_, resume_step >= 0 ? &reward_archive : nullptr);
  timing_["reward_fit_s"] = reward_.fit_seconds;
  timing_["annotate_s"] = reward_.annotate_seconds;
  record_["reward_diagnostics"] = reward_.diagnostics;
  spdlog::info("reward '{}' ready in {:.1f}s (scale {:.4g})", config_.reward.method, since(t0),
               reward_.reward_scale);

  // Policy.
  learner_ = algos::make_offline_learner(learner_options(config_, data_.shard, rank_), *sync_);
  if (resume_step >= 0) learner_->load(learner_archive);
  ShardColumns columns{data_.shard.observations, data_.shard.actions, reward_.rewards,
                       data_.shard.next_observations, data_.shard.terminals.to(torch::kFloat32)};
  ShardBatcher batcher(mpi_, columns, config_.train.batch_size);
  std::vector<int64_t> universe = reward_.train_universe;
  const int64_t universe_size =
      universe.empty() ? batcher.global_rows() : static_cast<int64_t>(universe.size());
  GlobalSampler sampler(shared_seed(static_cast<uint64_t>(config_.seed), "batch"), universe_size,
                        std::move(universe));

  std::ofstream metrics;
  if (rank_ == 0) metrics.open(dir_ + "/metrics.jsonl", std::ios::app);
  ProgressOptions popts;
  popts.print = rank_ == 0;
  popts.json = rank_ == 0 ? &metrics : nullptr;
  Progress progress(config_.train.steps, record_["id"].get<std::string>(), popts);

  const TrainConfig& train = config_.train;
  std::optional<double> last_score;
  if (!curve_.empty()) last_score = curve_.back().score;
  auto train_start = Clock::now();
  double train_before = train_seconds_;
  int64_t step = start_step;
  bool preempted = false;
  while (step < train.steps) {
    const bool local_stop = (control_.stop_flag && control_.stop_flag->load()) ||
                            (control_.stop_at_step >= 0 && step >= control_.stop_at_step);
    // Ranks agree every 8 steps (and on the deterministic stop_at_step at once).
    if ((step - start_step) % 8 == 0 ||
        (control_.stop_at_step >= 0 && step >= control_.stop_at_step)) {
      if (agreed_stop(local_stop, mpi_, size_) && step > start_step) {
        preempted = true;
        break;
      }
    }
    algos::Batch batch = batcher.next(sampler, step);
    auto losses = learner_->update(batch);
    ++step;
    ++updates_done_;
    current_step_ = step;
    if (train.log_every > 0 && (step % train.log_every == 0 || step == 1)) {
      std::vector<double> values;
      for (const auto& [k, v] : losses) values.push_back(v);
      sync_->all_reduce_sum(values.data(), static_cast<int>(values.size()));
      if (rank_ == 0) {
        json line = {{"step", step}};
        size_t i = 0;
        for (const auto& [k, v] : losses) line[k] = values[i++] / size_;
        metrics << line.dump() << "\n";
      }
    }
    if ((train.eval_every > 0 && step % train.eval_every == 0) || step == train.steps) {
      train_seconds_ = train_before + since(train_start);
      curve_.push_back(evaluate(step, static_cast<int64_t>(curve_.size())));
      last_score = curve_.back().score;
      spdlog::info("step {}: return {:.1f}, normalised score {:.1f}", step, curve_.back().ret,
                   curve_.back().score);
      write_record("running");
    }
    if (train.checkpoint_every > 0 && step % train.checkpoint_every == 0 && step < train.steps)
      save_checkpoint(step);
    progress.update(step, last_score);
  }
  train_seconds_ = train_before + since(train_start);
  progress.finish();
  finish_attempt(
      outcome, preempted, step, store_->latest_step(), curve_, "step",
      [&](int64_t s) { save_checkpoint(s); }, [&](const std::string& st) { write_record(st); });
  return outcome;
}

}  // namespace

RunOutcome run_experiment(const RunConfig& config, Collective& comm, const RunControl& control) {
  // An online learner (the world model) steps its own environments (run/online_run.h).
  const bool online = algos::find_policy_algo(config.policy.algo).online;
  std::unique_ptr<OfflineRun> run;
  if (!online) run = std::make_unique<OfflineRun>(config, comm, control);
  try {
    auto outcome = online ? run_online_experiment(config, comm, control) : run->execute();
    if (comm.rank() == 0) engine::remove_log_files();
    return outcome;
  } catch (const std::exception& e) {
    // Record the failure (rank 0), then let the caller decide (exit code, or the sweep's
    // "failed" bookkeeping).
    if (comm.rank() == 0) {
      try {
        auto record = read_run_record(config.output.dir).value_or(json::object());
        record["status"] = "failed";
        record["error"] = e.what();
        record["finished_at"] = utc_now();
        if (fs::exists(config.output.dir))
          write_run_record(config.output.dir, record,
                           curve_from_json(record.value("curve", json::array())));
      } catch (...) {
      }
      engine::remove_log_files();
    }
    throw;
  }
}

}  // namespace relabel::engine
