#include "run/reward_phase.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iterator>

#include "core/clock.h"
#include "core/error.h"
#include "core/seeding.h"
#include "run/row_gather.h"

namespace relabel::run {

using comm::Collective;
using config::RewardConfig;
using config::RunConfig;

namespace {

// Rows [r*M/P, (r+1)*M/P) of a replicated set: this rank's share of the supervision.
torch::Tensor share(const torch::Tensor& t, int rank, int size) {
  const int64_t m = t.size(0);
  return t.slice(0, rank * m / size, (rank + 1) * m / size);
}

// Diagnostics on a bounded, evenly strided sample of the dataset gathered to every rank
// (computed by rank 0's caller only). Expert demonstrations are appended, marked expert.
nlohmann::json compute_diagnostics(const RunConfig& config, const OfflineData& data,
                                   const algos::RewardModel& model, const ExpertSet* expert,
                                   const std::vector<int64_t>& labelled, Collective& comm) {
  const int64_t n = data.global_rows;
  const int64_t cap = 100000;
  const int64_t stride = std::max<int64_t>(1, (n + cap - 1) / cap);
  std::vector<int64_t> ids;
  for (int64_t i = 0; i < n; i += stride) ids.push_back(i);
  const io::Dataset& s = data.shard;
  auto local = torch::cat({s.observations, s.actions, s.next_observations}, 1);
  auto rows = gather_rows(local, s.row_offset, ids, comm);
  const int64_t d = s.obs_dim(), a = s.act_dim();
  algos::DiagnosticsInput in;
  in.obs = rows.narrow(1, 0, d);
  in.actions = rows.narrow(1, d, a);
  in.next_obs = rows.narrow(1, d + a, d);
  auto idx = torch::tensor(ids, torch::kInt64);
  if (data.global_rewards.defined()) in.true_rewards = data.global_rewards.index_select(0, idx);
  if (!labelled.empty()) {
    auto mask = torch::zeros({n}, torch::kBool);
    mask.index_fill_(0, torch::tensor(labelled, torch::kInt64), true);
    in.labelled_mask = mask.index_select(0, idx);
  }
  if (expert && expert->obs.size(0) > 0) {
    auto is_expert = torch::zeros({static_cast<int64_t>(ids.size())}, torch::kBool);
    if (!expert->dataset_rows.empty()) {
      auto mask = torch::zeros({n}, torch::kBool);
      mask.index_fill_(0, torch::tensor(expert->dataset_rows, torch::kInt64), true);
      is_expert = mask.index_select(0, idx);
    } else {
      // Expert demonstrations from a separate file: append them (no true reward known for the
      // diagnostics' correlation, so those use the dataset sample alone).
      const int64_t m = expert->obs.size(0);
      in.obs = torch::cat({in.obs, expert->obs});
      in.next_obs = torch::cat({in.next_obs, expert->next_obs});
      in.actions = torch::cat({in.actions, torch::zeros({m, a})});
      is_expert = torch::cat({is_expert, torch::ones({m}, torch::kBool)});
      if (in.true_rewards.defined())
        in.true_rewards = torch::cat({in.true_rewards, torch::full({m}, NAN)});
      if (in.labelled_mask.defined())
        in.labelled_mask = torch::cat({in.labelled_mask, torch::zeros({m}, torch::kBool)});
    }
    in.expert_mask = is_expert;
  }
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [key, value] : model.diagnostics(in))
    out[key] = std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr);
  out["sample_rows"] = static_cast<int64_t>(ids.size());
  (void)config;
  return out;
}

// docs/algorithms.md, Common data handling: r <- r * 1000 / (max episode return - min episode
// return), episodes split on terminals and timeouts, returns summed across shards.
double episode_range_scale(const OfflineData& data, const torch::Tensor& rewards,
                           algos::GradSync& sync) {
  const io::Dataset& s = data.shard;
  auto ep = data.episode_of_row.slice(0, s.row_offset, s.row_offset + s.size());
  auto sums = torch::zeros({data.num_episodes}, torch::kFloat64)
                  .index_add_(0, ep, rewards.to(torch::kFloat64))
                  .contiguous();
  sync.all_reduce_sum(sums.data_ptr<double>(), static_cast<int>(sums.numel()));
  const double range = (sums.max() - sums.min()).item<double>();
  if (!(range > 1e-8)) return 1.0;  // constant returns: scaling is undefined, leave as is
  return 1000.0 / range;
}

}  // namespace

algos::RewardOptions reward_options(const RunConfig& config) {
  const RewardConfig& r = config.reward;
  algos::RewardOptions o;
  o.method = r.method;
  o.params = r.params;
  algos::apply_params(o);
  o.seed = shared_seed(static_cast<uint64_t>(config.seed), "reward");
  o.device = config.parallel.device;
  return o;
}

RewardPhase run_reward_phase(const RunConfig& config, const OfflineData& data,
                             algos::GradSync& sync, Collective& comm,
                             torch::serialize::InputArchive* saved, RewardFitLog* fit_log) {
  const int rank = comm.rank(), size = comm.size();
  RewardPhase phase;
  algos::RewardOptions options = reward_options(config);
  options.device = comm.device().str();  // where GradientSync reduces (cuda:<local GPU>)
  phase.model = algos::make_reward_model(options);
  const io::Dataset& s = data.shard;

  // Supervision, as the method declared it needs: expert demonstrations (ReLOAD) and/or the
  // labelled subset (imputation).
  const algos::RewardMethodInfo& method = algos::find_reward_method(options.method);
  std::unique_ptr<ExpertSet> expert;
  std::vector<int64_t> labelled;
  torch::Tensor labelled_mask;
  algos::RewardSupervision sup;
  sup.rank = rank;
  if (method.needs_demonstrations) {
    expert = std::make_unique<ExpertSet>(load_expert_set(config, data, comm));
    sup.expert_obs = share(expert->obs, rank, size);
    sup.expert_next_obs = share(expert->next_obs, rank, size);
  }
  if (method.needs_labelled_subset) {
    if (!data.global_rewards.defined())
      throw Error(data.path + ": reward.method = \"" + method.name +
                  "\" needs rewards for the labelled fraction, but the dataset has none");
    labelled = labelled_rows(config, data);
    labelled_mask = torch::zeros({s.size()}, torch::kBool);
    std::vector<int64_t> mine;
    for (int64_t id : labelled)
      if (id >= s.row_offset && id < s.row_offset + s.size()) mine.push_back(id - s.row_offset);
    auto mine_t = torch::tensor(mine, torch::kInt64);
    labelled_mask.index_fill_(0, mine_t, true);
    sup.labelled_obs = s.observations.index_select(0, mine_t);
    sup.labelled_actions = s.actions.index_select(0, mine_t);
    sup.labelled_rewards = s.rewards.index_select(0, mine_t);
  }

  auto t0 = std::chrono::steady_clock::now();
  if (saved) {
    phase.model->load(*saved);
  } else {
    if (fit_log) phase.model->set_fit_observer(fit_log->observer());
    phase.model->fit(sup, sync);
    phase.model->set_fit_observer(nullptr);
    phase.model->finalize_statistics(s.observations, s.actions, s.next_observations, sync);
  }
  phase.fit_seconds = seconds_since(t0);

  // Annotate the shard in chunks (bounded memory for large shards).
  t0 = std::chrono::steady_clock::now();
  const int64_t chunk = 65536;
  std::vector<torch::Tensor> parts;
  for (int64_t b = 0; b < s.size(); b += chunk) {
    const int64_t e = std::min(s.size(), b + chunk);
    torch::Tensor truth = s.has_rewards() ? s.rewards.slice(0, b, e) : torch::Tensor();
    torch::Tensor mask = labelled_mask.defined() ? labelled_mask.slice(0, b, e) : torch::Tensor();
    parts.push_back(phase.model->relabel(s.observations.slice(0, b, e), s.actions.slice(0, b, e),
                                         s.next_observations.slice(0, b, e), truth, mask));
  }
  phase.rewards = parts.empty() ? torch::zeros({0}) : torch::cat(parts).to(torch::kFloat32);
  phase.annotate_seconds = seconds_since(t0);
  if (!torch::isfinite(phase.rewards).all().item<bool>())
    throw RunError("reward model produced non-finite rewards");

  if (phase.model->train_on_labelled_only()) phase.train_universe = labelled;
  if (config.dataset.demonstrations_only) {
    // Behaviour cloning on the demonstrations (docs/algorithms.md, CDRED baselines): the policy
    // samples only rows of the K best trajectories of the dataset itself (never
    // dataset.expert_path: config/config_resolve.cpp rejects that).
    if (!expert) expert = std::make_unique<ExpertSet>(load_expert_set(config, data, comm));
    const auto& demo = expert->dataset_rows;  // sorted
    if (phase.train_universe.empty()) {
      phase.train_universe = demo;
    } else {
      std::vector<int64_t> both;
      std::set_intersection(phase.train_universe.begin(), phase.train_universe.end(), demo.begin(),
                            demo.end(), std::back_inserter(both));
      if (both.empty())
        throw Error("dataset.demonstrations_only: no labelled row lies in the " +
                    std::to_string(expert->trajectories) + " best trajectories");
      phase.train_universe = std::move(both);
    }
  }
  if (config.policy.reward_scaling == "episode_range") {
    phase.reward_scale = episode_range_scale(data, phase.rewards, sync);
    phase.rewards = phase.rewards * phase.reward_scale;
  }
  phase.diagnostics = compute_diagnostics(config, data, *phase.model, expert.get(), labelled, comm);
  if (expert) phase.expert_identity = expert->file_identity;
  if (config.dataset.demonstrations_only)
    phase.diagnostics["demonstration_rows"] = static_cast<int64_t>(phase.train_universe.size());
  phase.diagnostics["reward_scale"] = phase.reward_scale;
  phase.diagnostics["fit_seconds"] = phase.fit_seconds;
  if (expert) {
    phase.diagnostics["expert_trajectories"] = expert->trajectories;
    phase.diagnostics["expert_transitions"] = expert->obs.size(0);
  }
  if (!labelled.empty()) phase.diagnostics["labelled_rows"] = static_cast<int64_t>(labelled.size());
  return phase;
}

}  // namespace relabel::run
