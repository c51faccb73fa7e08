#include "run/offline_run.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <cstring>

#include "algos/offline/learner.h"
#include "algos/reward/reward_registry.h"
#include "comm/gradient_sync.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/seeding.h"
#include "envs/evaluate.h"
#include "envs/registry.h"
#include "run/global_sampler.h"
#include "run/offline_data.h"
#include "run/reward_phase.h"
#include "run/shard_batcher.h"

using nlohmann::json;

namespace relabel::run {

using comm::Collective;
using comm::GradientSync;
using config::PolicyConfig;
using config::RunConfig;

algos::OfflineOptions offline_learner_options(const RunConfig& c, int64_t obs_dim, int64_t act_dim,
                                              int rank) {
  const PolicyConfig& p = c.policy;
  algos::OfflineOptions o;
  o.algo = p.algo;
  o.obs_dim = obs_dim;
  o.act_dim = act_dim;
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
  o.device = c.parallel.device;
  o.kernels = c.policy.kernels;
  return o;
}

namespace {

class OfflineRun final : public RunBody {
 public:
  OfflineRun(const RunConfig& config, Collective& comm) : config_(config), comm_(comm) {}

  const char* step_name() const override { return "step"; }
  int64_t total_steps() const override { return config_.train.steps; }
  bool state_per_rank() const override { return false; }
  std::optional<io::DatasetIdentity> dataset_identity() const override { return data_.identity; }
  std::optional<io::DatasetIdentity> expert_identity() const override {
    return reward_.expert_identity;
  }

  void read_checkpoint(torch::serialize::InputArchive& archive) override {
    archive.read("learner", learner_archive_);
    archive.read("reward", reward_archive_);
  }
  void prepare(int64_t resume_step, const json& meta, Timing& timing) override;

  int64_t step() const override { return step_; }
  bool done() const override { return step_ >= config_.train.steps; }
  void advance(Advance& out) override {
    algos::Batch batch = batcher_->next(*sampler_, step_);
    losses_ = learner_->update(batch);
    ++step_;
    ++updates_done_;
    out.step = step_;
    out.metrics = &losses_;
  }
  std::vector<double> evaluate(int count, uint64_t seed, uint64_t first_episode) override;
  double ref_random() const override { return data_.ref_random; }
  double ref_expert() const override { return data_.ref_expert; }

  void write_checkpoint(torch::serialize::OutputArchive& archive) override {
    torch::serialize::OutputArchive learner, reward;
    learner_->save(learner);
    reward_.model->save(reward);
    archive.write("learner", learner);
    archive.write("reward", reward);
    // The observation normaliser: what inference with this checkpoint (policy or reward)
    // applies to raw observations.
    archive.write("obs_mean", data_.normalizer.mean);
    archive.write("obs_std", data_.normalizer.std);
  }
  json checkpoint_meta() const override { return {{"updates_done", updates_done_}}; }
  json reward_diagnostics() const override { return reward_.diagnostics; }
  void add_timing(Timing& timing, double train_seconds) const override {
    timing["updates_per_s"] = train_seconds > 0 ? updates_done_ / train_seconds : 0.0;
  }

 private:
  const RunConfig& config_;
  Collective& comm_;
  torch::serialize::InputArchive learner_archive_, reward_archive_;
  std::unique_ptr<GradientSync> sync_;
  OfflineData data_;
  RewardPhase reward_;
  std::unique_ptr<algos::OfflineLearner> learner_;
  std::unique_ptr<ShardBatcher> batcher_;
  std::unique_ptr<GlobalSampler> sampler_;
  algos::Metrics losses_;
  int64_t step_ = 0;
  int64_t updates_done_ = 0;
};

void OfflineRun::prepare(int64_t resume_step, const json& meta, Timing& timing) {
  const bool resuming = resume_step >= 0;
  if (resuming) {
    step_ = resume_step;
    updates_done_ = meta.value("updates_done", int64_t{0});
  }
  // Each rank averages the gradient of its own rows and the ranks average those: equal slices
  // make that the 1-rank gradient of the whole batch (unequal ones would weight rows unequally).
  if (config_.train.batch_size % comm_.size() != 0)
    throw Error(fmt::format("train.batch_size: {} is not divisible by the {} ranks of the run",
                            config_.train.batch_size, comm_.size()));
  // Data.
  auto t0 = SteadyClock::now();
  data_ = load_offline_data(config_, comm_,
                            algos::find_reward_method(config_.reward.method).needs_true_rewards);
  timing["load_s"] = seconds_since(t0);
  spdlog::info(
      "dataset {}: {} rows ({} on this rank), {} episodes, R_random {:.1f}, R_expert {:.1f}",
      data_.path, data_.global_rows, data_.shard.size(), data_.num_episodes, data_.ref_random,
      data_.ref_expert);

  // Reward model: fitted, or restored from the checkpoint.
  sync_ = std::make_unique<GradientSync>(comm_);
  t0 = SteadyClock::now();
  RewardFitLog fit_log(comm_, metrics_log_, run_id_ + " reward fit");
  reward_ = run_reward_phase(config_, data_, *sync_, comm_, resuming ? &reward_archive_ : nullptr,
                             &fit_log);
  timing["reward_fit_s"] = reward_.fit_seconds;
  timing["annotate_s"] = reward_.annotate_seconds;
  spdlog::info(
      "reward '{}' ready in {:.1f}s (the learner sees it times {:.4g}: "
      "policy.reward_scaling)",
      config_.reward.method, seconds_since(t0), reward_.reward_scale);

  // Policy, on the collective's device (cuda:<local GPU>), where GradientSync reduces.
  auto options =
      offline_learner_options(config_, data_.shard.obs_dim(), data_.shard.act_dim(), comm_.rank());
  options.device = comm_.device().str();
  learner_ = algos::make_offline_learner(options, *sync_);
  if (resuming) learner_->load(learner_archive_);
  ShardColumns columns{data_.shard.observations, data_.shard.actions, reward_.rewards,
                       data_.shard.next_observations, data_.shard.terminals.to(torch::kFloat32)};
  batcher_ = std::make_unique<ShardBatcher>(comm_, columns, config_.train.batch_size);
  std::vector<int64_t> universe = reward_.train_universe;
  const int64_t universe_size =
      universe.empty() ? batcher_->global_rows() : static_cast<int64_t>(universe.size());
  sampler_ =
      std::make_unique<GlobalSampler>(shared_seed(static_cast<uint64_t>(config_.seed), "batch"),
                                      universe_size, std::move(universe));
}

std::vector<double> OfflineRun::evaluate(int count, uint64_t seed, uint64_t first_episode) {
  const int64_t obs_dim = data_.shard.obs_dim(), act_dim = data_.shard.act_dim();
  // Batched policy inference on normalised observations; environments stay on the CPU.
  envs::BatchPolicy policy = [&](const float* obs, int n, float* act) {
    auto o = torch::from_blob(const_cast<float*>(obs), {n, obs_dim}, torch::kFloat32);
    auto a = learner_->act(data_.normalizer.apply(o)).to(torch::kCPU).contiguous();
    std::memcpy(act, a.data_ptr<float>(), sizeof(float) * n * act_dim);
  };
  envs::EvalOptions options;
  options.first_episode = first_episode;
  return envs::evaluate(policy, config_.task.name, count, seed, options);
}

}  // namespace

std::unique_ptr<RunBody> make_offline_run(const RunConfig& config, Collective& comm) {
  return std::make_unique<OfflineRun>(config, comm);
}

}  // namespace relabel::run
