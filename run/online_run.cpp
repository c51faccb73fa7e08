#include "run/online_run.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "algos/reward/reward_registry.h"
#include "comm/collective.h"
#include "comm/gradient_sync.h"
#include "comm/mpi_collective.h"
#include "comm/root_error.h"
#include "config/config_write.h"
#include "core/error.h"
#include "core/progress.h"
#include "core/seeding.h"
#include "envs/registry.h"
#include "io/d4rl_file.h"
#include "io/episodes.h"
#include "io/minari.h"
#include "run/checkpoint.h"
#include "run/global_sampler.h"
#include "run/offline_data.h"
#include "run/run_attempt.h"
#include "run/run_record.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace relabel::engine {

WorldModelTrainerOptions online_trainer_options(const RunConfig& c, int rank, int size) {
  const auto& p = c.policy;
  const auto& r = c.reward;
  WorldModelTrainerOptions o;
  o.task = c.task.name;
  auto& a = o.agent;
  const Params& wm = p.params;  // the world model's own [policy] keys
  const auto preset = wm.get<std::string>("preset");
  algos::apply_world_model_preset(a, preset);
  // policy.num_q sets the ensemble size; the 5M preset asks for at least 5 (TD-MPC2).
  const auto num_q = wm.get<int64_t>("num_q");
  a.num_q = preset == "5M" ? std::max<int64_t>(5, num_q) : num_q;
  a.horizon = wm.get<int64_t>("horizon");
  a.two_hot = wm.get<bool>("two_hot");
  a.mppi = wm.get<bool>("mppi");
  a.lr = p.lr;
  a.seed = shared_seed(static_cast<uint64_t>(c.seed), "init");
  a.device = c.parallel.device == "cuda" ? "cuda" : "cpu";
  // The reward: a registered latent reward (CDRED), or the environment's (ground_truth).
  const algos::RewardMethodInfo& method = algos::find_reward_method(r.method);
  if (!method.online)
    throw Error(fmt::format("reward.method: {} is not an online reward", r.method));
  if (method.make_latent) o.reward = method.make_latent(r.params);
  o.total_env_steps = c.train.env_steps;
  o.seed_steps = wm.get<int64_t>("seed_steps");
  o.batch_size = c.train.batch_size;
  o.env_seed = derive_seed(static_cast<uint64_t>(c.seed), rank, "env");
  o.buffer_seed = derive_seed(static_cast<uint64_t>(c.seed), rank, "batch");
  o.rank = rank;
  o.world_size = size;
  return o;
}

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Replaces `t` on every rank with rank 0's tensor (shapes may differ before the call).
void broadcast_tensor(Collective& comm, torch::Tensor& t, torch::ScalarType type) {
  int64_t dims[2] = {0, 0};
  if (comm.rank() == 0) {
    t = t.to(type).contiguous();
    dims[0] = t.size(0);
    dims[1] = t.dim() > 1 ? t.size(1) : -1;
  }
  dims[0] = comm.all_reduce_max(comm.rank() == 0 ? dims[0] : int64_t{-2});
  dims[1] = comm.all_reduce_max(comm.rank() == 0 ? dims[1] : int64_t{-2});
  if (comm.rank() != 0)
    t = dims[1] < 0 ? torch::empty({dims[0]}, type) : torch::empty({dims[0], dims[1]}, type);
  if (t.numel() > 0) comm.host().broadcast(t, 0);
}

struct ExpertData {
  algos::TransitionColumns columns;
  std::string path;
  double mean_return = NAN;
  double ref_random = NAN, ref_expert = NAN;  // the file's attributes (NaN when absent)
};

// The expert dataset file: dataset.expert_path, else dataset.path, else the named suite.
std::string expert_file(const RunConfig& c, MPI_Comm comm) {
  if (!c.dataset.expert_path.empty()) return c.dataset.expert_path;
  if (c.dataset.path.empty() && c.dataset.name.empty()) return "";
  return resolve_dataset_path(c, comm);
}

// Rank 0 reads the K best trajectories; every rank gets them.
ExpertData load_expert(const RunConfig& c, Collective& comm, MPI_Comm mpi) {
  ExpertData e;
  e.path = expert_file(c, mpi);
  if (e.path.empty()) return e;
  const bool minari = c.dataset.expert_path.empty() && c.dataset.format == "minari";
  const auto& task = envs::find_task(c.task.name);
  const bool need_rows = algos::find_reward_method(c.reward.method).needs_demonstrations;
  double scalars[3] = {NAN, NAN, NAN};
  on_root_then_share_error(mpi, [&] {
    io::Dataset all = minari ? io::read_minari(e.path) : io::read_d4rl(e.path);
    scalars[1] = all.info.ref_min_score;
    scalars[2] = all.info.ref_max_score;
    if (!need_rows) return;
    if (all.obs_dim() != task.obs_dim || all.act_dim() != task.act_dim)
      throw Error(fmt::format(
          "{}: expert observations/actions have dims {}/{}, task '{}' has {}/{}", e.path,
          all.obs_dim(), all.act_dim(), c.task.name, task.obs_dim, task.act_dim));
    if (!all.has_rewards())
      throw Error(e.path + ": has no rewards to rank the expert trajectories by");
    io::Dataset best = io::select_best_trajectories(all, c.dataset.expert_trajectories);
    auto eps = io::split_episodes(best);
    scalars[0] = io::episode_returns(best.rewards, eps).mean().item<double>();
    e.columns.obs = best.observations;
    e.columns.actions = best.actions;
    e.columns.rewards = best.rewards;
    e.columns.next_obs = best.next_observations;
    e.columns.terminals = best.terminals;
    e.columns.timeouts = best.timeouts;
  });
  auto s = torch::tensor({scalars[0], scalars[1], scalars[2]}, torch::kFloat64);
  comm.host().broadcast(s, 0);
  e.mean_return = s[0].item<double>();
  e.ref_random = s[1].item<double>();
  e.ref_expert = s[2].item<double>();
  if (!need_rows) return e;
  broadcast_tensor(comm, e.columns.obs, torch::kFloat32);
  broadcast_tensor(comm, e.columns.actions, torch::kFloat32);
  broadcast_tensor(comm, e.columns.rewards, torch::kFloat32);
  broadcast_tensor(comm, e.columns.next_obs, torch::kFloat32);
  broadcast_tensor(comm, e.columns.terminals, torch::kInt32);
  broadcast_tensor(comm, e.columns.timeouts, torch::kInt32);
  e.columns.terminals = e.columns.terminals.to(torch::kBool);
  e.columns.timeouts = e.columns.timeouts.to(torch::kBool);
  return e;
}

class OnlineRun {
 public:
  OnlineRun(const RunConfig& config, Collective& comm, const RunControl& control)
      : config_(config), comm_(comm), control_(control) {
    auto* mpi = dynamic_cast<MpiCollective*>(&comm.host());
    if (!mpi) throw RunError("run_online_experiment needs an MPI communicator");
    mpi_ = mpi->comm();
    rank_ = comm.rank();
    size_ = comm.size();
    dir_ = config.output.dir;
    hash_ = config_hash(config);
    std::string dataset = config.dataset.name;
    if (dataset.empty() && !config.dataset.expert_path.empty())
      dataset = fs::path(config.dataset.expert_path).stem().string();
    if (dataset.empty() && !config.dataset.path.empty())
      dataset = fs::path(config.dataset.path).stem().string();
    record_ = {{"id", control.run_id.empty() ? hash_ : control.run_id},
               {"status", "running"},
               {"task", config.task.name},
               {"dataset", dataset.empty() ? "online" : dataset},
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
  void write_record(const std::string& status);
  CurvePoint evaluate(int64_t step, int64_t round);
  void save_checkpoint(int64_t step);
  CheckpointStore& my_store() { return rank_ == 0 ? *store_ : *rank_store_; }

  const RunConfig& config_;
  Collective& comm_;
  const RunControl& control_;
  MPI_Comm mpi_;
  int rank_ = 0, size_ = 1;
  std::string dir_, hash_;
  json record_;
  std::vector<CurvePoint> curve_;
  std::map<std::string, double> timing_;
  // Rank 0's store holds the metadata and rank 0's state; rank r > 0 keeps its own shard
  // (replay buffer, environment, generators) in ckpt/rank<r>.
  std::unique_ptr<CheckpointStore> store_, rank_store_;
  std::unique_ptr<GradientSync> sync_;
  std::unique_ptr<WorldModelTrainer> trainer_;
  ExpertData expert_;
  double ref_random_ = 0.0, ref_expert_ = 0.0;
  Clock::time_point started_ = Clock::now();
  double train_seconds_ = 0.0, acting_before_ = 0.0, updating_before_ = 0.0;
  int64_t updates_before_ = 0;
  int64_t current_step_ = 0;
  std::vector<double> train_returns_;
};

void OnlineRun::write_record(const std::string& status) {
  if (rank_ != 0) return;
  record_["status"] = status;
  if (!record_["attempts"].empty()) {
    record_["attempts"].back()["status"] = status;
    record_["attempts"].back()["end_step"] = current_step_;
  }
  record_["curve"] = curve_to_json(curve_);
  if (!curve_.empty()) {
    record_["final_score"] = curve_.back().score;
    record_["final_return"] = curve_.back().ret;
    double best = curve_.front().score;
    for (const auto& p : curve_) best = std::max(best, p.score);
    record_["best_score"] = best;
  }
  json diag = json::object();
  if (trainer_) {
    for (const auto& [k, v] : trainer_->last_metrics())
      if (k.rfind("cdred_", 0) == 0 || k.rfind("reward_", 0) == 0) diag[k] = v;
  }
  if (!expert_.path.empty()) {
    diag["expert_file"] = expert_.path;
    if (algos::find_reward_method(config_.reward.method).needs_demonstrations) {
      diag["expert_trajectories"] = config_.dataset.expert_trajectories;
      diag["expert_transitions"] = expert_.columns.rows();
      diag["expert_return"] = expert_.mean_return;
      diag["expert_score"] = normalised_score(expert_.mean_return, ref_random_, ref_expert_);
    }
  }
  record_["reward_diagnostics"] = diag;
  json timing = json::object();
  for (const auto& [k, v] : timing_) timing[k] = v;
  timing["total_s"] = since(started_);
  timing["train_s"] = train_seconds_;
  if (trainer_) {
    const auto& t = trainer_->timing();
    const double acting = acting_before_ + t.acting, updating = updating_before_ + t.updating;
    const int64_t updates = updates_before_ + t.updates;
    timing["acting_s"] = acting;
    timing["update_s"] = updating;
    timing["updates"] = updates;
    timing["updates_per_s"] = updating > 0 ? updates / updating : 0.0;
    timing["env_steps_per_s"] = train_seconds_ > 0 ? current_step_ / train_seconds_ : 0.0;
  }
  record_["timing"] = timing;
  if (status != "running") record_["finished_at"] = utc_now();
  write_run_record(dir_, record_, curve_);
}

CurvePoint OnlineRun::evaluate(int64_t step, int64_t round) {
  auto t0 = Clock::now();
  int64_t b, e;
  batch_slice(config_.train.eval_episodes, rank_, size_, &b, &e);
  const uint64_t seed = splitmix64(shared_seed(static_cast<uint64_t>(config_.seed), "eval") +
                                   static_cast<uint64_t>(round));
  std::vector<double> mine;
  if (e > b)
    for (const auto& ep :
         trainer_->evaluate(static_cast<int>(e - b), seed, static_cast<uint64_t>(b)))
      mine.push_back(ep.ret);
  auto all = comm_.all_gather(torch::tensor(mine, torch::kFloat64));
  CurvePoint point;
  point.step = step;
  point.ret = all.numel() ? all.mean().item<double>() : 0.0;
  point.score = normalised_score(point.ret, ref_random_, ref_expert_);
  timing_["eval_s"] += since(t0);
  return point;
}

void OnlineRun::save_checkpoint(int64_t step) {
  auto t0 = Clock::now();
  const auto& t = trainer_->timing();
  json meta = {{"curve", curve_to_json(curve_)},
               {"train_seconds", train_seconds_},
               {"acting_seconds", acting_before_ + t.acting},
               {"updating_seconds", updating_before_ + t.updating},
               {"updates", updates_before_ + t.updates},
               {"started_at", record_["started_at"]},
               {"config_hash", hash_},
               {"ranks", size_}};
  my_store().save(step, meta.dump(), [&](torch::serialize::OutputArchive& archive) {
    torch::serialize::OutputArchive state;
    trainer_->save(state);
    archive.write("trainer", state);
  });
  comm_.barrier();  // a checkpoint step counts once every rank has written its part
  timing_["checkpoint_s"] += since(t0);
}

RunOutcome OnlineRun::execute() {
  RunOutcome outcome;
  outcome.dir = dir_;
  if (!control_.force && finished_before(outcome, dir_, hash_, mpi_, rank_)) {
    outcome.status = RunStatus::Skipped;
    return outcome;
  }
  open_run_directory(dir_, to_toml(config_), mpi_, rank_);
  store_ = std::make_unique<CheckpointStore>(dir_ + "/ckpt");
  if (rank_ > 0)
    rank_store_ = std::make_unique<CheckpointStore>(fmt::format("{}/ckpt/rank{}", dir_, rank_));
  // The newest step every rank has a checkpoint of (a save interrupted on some rank falls back
  // to the previous one, which every store still keeps).
  int64_t mine = my_store().latest_step().value_or(-1);
  const int64_t resume_step = -comm_.all_reduce_max(-mine);
  if (rank_ == 0) begin_attempt(record_, dir_, resume_step, size_);
  write_record("running");
  spdlog::info("run {} ({}+{}, online, {} ranks) -> {}", record_["id"].get<std::string>(),
               config_.reward.method, config_.policy.algo, size_, dir_);

  // Expert demonstrations and reference returns.
  auto t0 = Clock::now();
  expert_ = load_expert(config_, comm_, mpi_);
  const auto& task = envs::find_task(config_.task.name);
  auto pick = [](double override_value, double file_value, double registry) {
    if (!std::isnan(override_value)) return override_value;
    if (!std::isnan(file_value)) return file_value;
    return registry;
  };
  ref_random_ = pick(config_.task.ref_min_score, expert_.ref_random, task.ref_random_return);
  ref_expert_ = pick(config_.task.ref_max_score, expert_.ref_expert, task.ref_expert_return);
  if (!(ref_expert_ > ref_random_))
    throw Error(
        fmt::format("reference returns R_expert ({}) must exceed R_random ({}); set "
                    "task.ref_min_score / task.ref_max_score",
                    ref_expert_, ref_random_));
  timing_["load_s"] = since(t0);
  if (algos::find_reward_method(config_.reward.method).needs_demonstrations)
    spdlog::info(
        "expert {}: {} best trajectories, {} transitions, mean return {:.1f} "
        "(normalised {:.1f})",
        expert_.path, config_.dataset.expert_trajectories, expert_.columns.rows(),
        expert_.mean_return, normalised_score(expert_.mean_return, ref_random_, ref_expert_));

  sync_ = std::make_unique<GradientSync>(comm_);
  trainer_ = std::make_unique<WorldModelTrainer>(
      online_trainer_options(config_, rank_, size_), sync_.get(),
      algos::find_reward_method(config_.reward.method).needs_demonstrations ? &expert_.columns
                                                                            : nullptr);
  spdlog::info("world model {}: {} parameters, discount {:.4f}, seed steps {}",
               config_.policy.params.get<std::string>("preset"), trainer_->agent().num_parameters(),
               trainer_->agent().discount(), trainer_->seed_steps());
  if (resume_step >= 0) {
    json m = json::parse(my_store().load(resume_step, [&](torch::serialize::InputArchive& a) {
      torch::serialize::InputArchive state;
      a.read("trainer", state);
      trainer_->load(state);
    }));
    if (m.value("ranks", size_) != size_)
      throw Error(fmt::format("{}: the checkpoint was written by {} ranks, this run has {}", dir_,
                              m.value("ranks", 0), size_));
    curve_ = curve_from_json(m.at("curve"));
    train_seconds_ = m.value("train_seconds", 0.0);
    acting_before_ = m.value("acting_seconds", 0.0);
    updating_before_ = m.value("updating_seconds", 0.0);
    updates_before_ = m.value("updates", int64_t{0});
    record_["started_at"] = m.value("started_at", record_["started_at"].get<std::string>());
    current_step_ = resume_step;
    if (trainer_->env_steps() != resume_step)
      throw RunError(fmt::format("{}: checkpoint of step {} holds a trainer at step {}", dir_,
                                 resume_step, trainer_->env_steps()));
    spdlog::info("resuming from checkpoint at environment step {}", resume_step);
  }

  std::ofstream metrics;
  if (rank_ == 0) metrics.open(dir_ + "/metrics.jsonl", std::ios::app);
  ProgressOptions popts;
  popts.print = rank_ == 0;
  popts.json = rank_ == 0 ? &metrics : nullptr;
  const TrainConfig& train = config_.train;
  const int64_t total = train.env_steps;
  Progress progress(total, record_["id"].get<std::string>(), popts);
  std::optional<double> last_score;
  if (!curve_.empty()) last_score = curve_.back().score;
  // Whether the latest iteration (P environment steps) crossed a multiple of `every`.
  auto crossed = [](int64_t before, int64_t after, int64_t every) {
    return every > 0 && after / every > before / every;
  };

  const int64_t start_step = trainer_->env_steps();
  auto train_start = Clock::now();
  const double train_before = train_seconds_;
  bool preempted = false;
  int64_t iteration = 0;
  while (!trainer_->done()) {
    const int64_t step = trainer_->env_steps();
    const bool stop_now = control_.stop_at_step >= 0 && step >= control_.stop_at_step;
    // Ranks agree on a stop every 8 iterations (and at once on the deterministic stop_at_step).
    if (step > start_step && (iteration % 8 == 0 || stop_now)) {
      const bool local = stop_now || (control_.stop_flag && control_.stop_flag->load());
      if (comm_.any(local)) {
        preempted = true;
        break;
      }
    }
    trainer_->iterate();
    ++iteration;
    const int64_t after = trainer_->env_steps();
    current_step_ = after;
    for (const auto& ep : trainer_->take_finished_episodes()) train_returns_.push_back(ep.ret);
    if (crossed(step, after, train.log_every)) {
      const auto& m = trainer_->last_metrics();
      std::vector<double> values;
      for (const auto& [k, v] : m) values.push_back(v);
      double ret_sum = 0.0;
      for (double r : train_returns_) ret_sum += r;
      values.push_back(ret_sum);
      values.push_back(static_cast<double>(train_returns_.size()));
      train_returns_.clear();
      // Every rank has the same metric keys (none before the first update).
      const int64_t n = comm_.all_reduce_max(static_cast<int64_t>(values.size()));
      if (comm_.all(n == static_cast<int64_t>(values.size()))) {
        comm_.all_reduce_sum(values.data(), n);
        if (rank_ == 0) {
          json line = {{"step", after}};
          size_t i = 0;
          for (const auto& [k, v] : m) line[k] = values[i++] / size_;
          const double episodes = values[i + 1];
          if (episodes > 0) line["train_return"] = values[i] / episodes;
          metrics << line.dump() << "\n";
        }
      }
    }
    if (crossed(step, after, train.eval_every) || trainer_->done()) {
      train_seconds_ = train_before + since(train_start);
      curve_.push_back(evaluate(after, static_cast<int64_t>(curve_.size())));
      last_score = curve_.back().score;
      spdlog::info("env step {}: return {:.1f}, normalised score {:.1f}", after, curve_.back().ret,
                   curve_.back().score);
      write_record("running");
    }
    if (crossed(step, after, train.checkpoint_every) && !trainer_->done()) save_checkpoint(after);
    progress.update(after, last_score);
  }
  train_seconds_ = train_before + since(train_start);
  progress.finish();
  const int64_t step = trainer_->env_steps();
  finish_attempt(
      outcome, preempted, step, my_store().latest_step(), curve_, "environment step",
      [&](int64_t s) { save_checkpoint(s); }, [&](const std::string& st) { write_record(st); });
  return outcome;
}

}  // namespace

RunOutcome run_online_experiment(const RunConfig& config, Collective& comm,
                                 const RunControl& control) {
  OnlineRun run(config, comm, control);
  return run.execute();
}

}  // namespace relabel::engine
