#include "run/online_run.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <sstream>

#include "algos/reward/reward_registry.h"
#include "comm/collective.h"
#include "comm/failure.h"
#include "comm/gradient_sync.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/seeding.h"
#include "envs/registry.h"
#include "io/d4rl_file.h"
#include "io/episodes.h"
#include "io/minari.h"
#include "run/global_sampler.h"
#include "run/offline_data.h"

using nlohmann::json;

namespace relabel::run {

using comm::Collective;
using comm::GradientSync;
using comm::on_root;
using config::RunConfig;

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
  a.planner.num_samples = wm.get<int64_t>("mppi_samples");
  a.planner.num_elites = wm.get<int64_t>("mppi_elites");
  a.planner.iterations = wm.get<int64_t>("mppi_iterations");
  a.planner.num_pi_trajs = wm.get<int64_t>("mppi_policy_trajs");
  a.lr = p.lr;
  a.gamma = wm.get<double>("discount");
  a.entropy_coef = wm.get<double>("entropy_coef");
  a.value_on_expert = wm.get<std::string>("value_rows") == "all";
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
  io::DatasetIdentity identity;               // what the run is pinned to (docs/formats.md)
};

// The expert dataset file: dataset.expert_path, else dataset.path, else the named suite.
std::string expert_file(const RunConfig& c, Collective& comm) {
  if (!c.dataset.expert_path.empty()) return c.dataset.expert_path;
  if (c.dataset.path.empty() && c.dataset.name.empty()) return "";
  return resolve_dataset_path(c, comm);
}

// Rank 0 reads the K best trajectories; every rank gets them.
ExpertData load_expert(const RunConfig& c, Collective& comm) {
  ExpertData e;
  e.path = expert_file(c, comm);
  if (e.path.empty()) return e;
  const bool minari = c.dataset.expert_path.empty() && c.dataset.format == "minari";
  const auto& task = envs::find_task(c.task.name);
  const bool need_rows = algos::find_reward_method(c.reward.method).needs_demonstrations;
  double scalars[3] = {NAN, NAN, NAN};
  std::string identity;  // of the expert file, as JSON (rank 0 reads it)
  on_root(comm, [&] {
    io::Dataset all = minari ? io::read_minari(e.path) : io::read_d4rl(e.path);
    identity = io::to_json(identity_of(e.path, all, minari)).dump();
    check_file_task(e.path, all.info.env, c.task.name);
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
  // The run is pinned to the file it took demonstrations and reference returns from: a done run
  // is not skipped, nor a checkpoint resumed, once that file has other content.
  comm.host().broadcast(identity, 0);
  e.identity = io::dataset_identity_from_json(json::parse(identity), e.path);
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

class OnlineRun final : public RunBody {
 public:
  OnlineRun(const RunConfig& config, Collective& comm) : config_(config), comm_(comm) {}

  const char* step_name() const override { return "environment step"; }
  int64_t total_steps() const override { return config_.train.env_steps; }
  bool state_per_rank() const override { return true; }
  std::optional<io::DatasetIdentity> dataset_identity() const override {
    if (expert_.path.empty()) return std::nullopt;
    return expert_.identity;
  }

  void read_checkpoint(torch::serialize::InputArchive& archive) override {
    archive.read("trainer", saved_);
  }
  void prepare(int64_t resume_step, const json& meta, Timing& timing) override;

  int64_t step() const override { return trainer_->env_steps(); }
  bool done() const override { return trainer_->done(); }
  void advance(Advance& out) override {
    trainer_->iterate();
    out.step = trainer_->env_steps();
    metrics_ = algos::Metrics(trainer_->last_metrics());
    out.metrics = &metrics_;
    for (const auto& ep : trainer_->take_finished_episodes())
      out.finished_returns.push_back(ep.ret);
  }
  std::vector<double> evaluate(int count, uint64_t seed, uint64_t first_episode) override {
    std::vector<double> returns;
    for (const auto& ep : trainer_->evaluate(count, seed, first_episode)) returns.push_back(ep.ret);
    return returns;
  }
  double ref_random() const override { return ref_random_; }
  double ref_expert() const override { return ref_expert_; }

  void write_checkpoint(torch::serialize::OutputArchive& archive) override {
    torch::serialize::OutputArchive state;
    trainer_->save(state);
    archive.write("trainer", state);
  }
  json checkpoint_meta() const override {
    const auto& t = trainer_->timing();
    return {{"acting_seconds", acting_before_ + t.acting},
            {"updating_seconds", updating_before_ + t.updating},
            {"updates", updates_before_ + t.updates}};
  }
  json reward_diagnostics() const override;
  void add_timing(Timing& timing, double train_seconds) const override;

 private:
  const RunConfig& config_;
  Collective& comm_;
  torch::serialize::InputArchive saved_;
  std::unique_ptr<GradientSync> sync_;
  std::unique_ptr<WorldModelTrainer> trainer_;
  ExpertData expert_;
  double ref_random_ = 0.0, ref_expert_ = 0.0;
  double acting_before_ = 0.0, updating_before_ = 0.0;
  int64_t updates_before_ = 0;
  algos::Metrics metrics_;  // the trainer's latest, as Advance carries them
};

json OnlineRun::reward_diagnostics() const {
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
  return diag;
}

void OnlineRun::add_timing(Timing& timing, double train_seconds) const {
  if (!trainer_) return;
  const auto& t = trainer_->timing();
  const double acting = acting_before_ + t.acting, updating = updating_before_ + t.updating;
  const int64_t updates = updates_before_ + t.updates;
  timing["acting_s"] = acting;
  timing["update_s"] = updating;
  timing["updates"] = static_cast<double>(updates);
  timing["updates_per_s"] = updating > 0 ? updates / updating : 0.0;
  timing["env_steps_per_s"] = train_seconds > 0 ? trainer_->env_steps() / train_seconds : 0.0;
}

void OnlineRun::prepare(int64_t resume_step, const json& meta, Timing& timing) {
  // Expert demonstrations and reference returns.
  auto t0 = SteadyClock::now();
  expert_ = load_expert(config_, comm_);
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
  timing["load_s"] = seconds_since(t0);
  const bool demonstrations = algos::find_reward_method(config_.reward.method).needs_demonstrations;
  if (demonstrations)
    spdlog::info(
        "expert {}: {} best trajectories, {} transitions, mean return {:.1f} "
        "(normalised {:.1f})",
        expert_.path, config_.dataset.expert_trajectories, expert_.columns.rows(),
        expert_.mean_return, normalised_score(expert_.mean_return, ref_random_, ref_expert_));

  sync_ = std::make_unique<GradientSync>(comm_);
  auto options = online_trainer_options(config_, comm_.rank(), comm_.size());
  // The collective's device (cuda:<local GPU> on a node with several), where GradientSync reduces.
  options.agent.device = comm_.device().str();
  trainer_ = std::make_unique<WorldModelTrainer>(options, sync_.get(),
                                                 demonstrations ? &expert_.columns : nullptr);
  spdlog::info("world model {}: {} parameters, discount {:.4f}, seed steps {}",
               config_.policy.params.get<std::string>("preset"), trainer_->agent().num_parameters(),
               trainer_->agent().discount(), trainer_->seed_steps());
  if (resume_step >= 0) {
    trainer_->load(saved_);
    acting_before_ = meta.value("acting_seconds", 0.0);
    updating_before_ = meta.value("updating_seconds", 0.0);
    updates_before_ = meta.value("updates", int64_t{0});
  }
}

}  // namespace

std::unique_ptr<RunBody> make_online_run(const RunConfig& config, Collective& comm) {
  return std::make_unique<OnlineRun>(config, comm);
}

}  // namespace relabel::run
