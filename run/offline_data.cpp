#include "run/offline_data.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <filesystem>

#include "algos/policy_registry.h"
#include "comm/failure.h"
#include "comm/mpi_collective.h"
#include "core/error.h"
#include "core/seeding.h"
#include "datagen/datagen.h"
#include "envs/registry.h"
#include "io/d4rl_file.h"
#include "io/episodes.h"
#include "io/minari.h"
#include "run/row_gather.h"

namespace fs = std::filesystem;

namespace relabel::run {

using comm::Collective;
using comm::mpi_io_comm;
using comm::on_root;
using config::RunConfig;
using datagen::dataset_cache_root;
using datagen::ensure_dataset_suite;
using datagen::split_dataset_name;
using datagen::suite_file;

namespace {

io::Dataset read_shard(const std::string& path, const std::string& format, Collective& comm,
                       bool require_rewards) {
  if (format == "minari") {
    // Minari files are per-episode groups: read whole, keep this rank's contiguous rows.
    io::Dataset all = io::read_minari(path);
    const int rank = comm.rank(), size = comm.size();
    const int64_t n = all.size();
    io::Dataset shard = all.slice(rank * n / size, (rank + 1) * n / size);
    shard.total_rows = n;
    shard.checksum = io::dataset_checksum(shard);
    return shard;
  }
  io::D4rlReadOptions options;
  options.require_rewards = require_rewards;
  return io::read_d4rl_shard(path, mpi_io_comm(comm), options);
}

}  // namespace

std::string dataset_file(const RunConfig& config) {
  if (!config.dataset.path.empty()) return config.dataset.path;
  const auto [task, kind] = split_dataset_name(config.dataset.name);
  return suite_file(dataset_cache_root() + "/" + task, kind);
}

std::string pinned_file(const RunConfig& config) {
  if (!algos::find_policy_algo(config.policy.algo).online) return dataset_file(config);
  if (!config.dataset.expert_path.empty()) return config.dataset.expert_path;
  if (config.dataset.path.empty() && config.dataset.name.empty()) return "";
  return dataset_file(config);
}

io::DatasetIdentity dataset_identity_now(const RunConfig& config,
                                         const io::DatasetIdentity& recorded) {
  const std::string path = pinned_file(config);
  const bool minari = config.dataset.format == "minari" && path == dataset_file(config);
  return file_identity_now(path, minari, recorded);
}

io::DatasetIdentity file_identity_now(const std::string& path, bool minari,
                                      const io::DatasetIdentity& recorded) {
  if (path == recorded.path && io::file_unchanged(recorded)) return recorded;
  if (path.empty() || !fs::exists(path)) {
    io::DatasetIdentity missing;
    missing.path = path;
    return missing;
  }
  io::Dataset all;
  if (minari) {
    all = io::read_minari(path);
  } else {
    io::D4rlReadOptions options;
    options.require_rewards = false;  // rewards are read (and summed) whenever present
    all = io::read_d4rl(path, options);
  }
  return identity_of(path, all, minari);
}

io::DatasetIdentity identity_of(const std::string& path, io::Dataset& all, bool minari) {
  if (minari) all.checksum = io::dataset_checksum(all);  // the Minari reader sums nothing
  io::DatasetIdentity id;
  id.path = path;
  id.rows = all.total_rows;
  id.checksum = io::checksum_text(all.checksum);
  io::stat_dataset_file(id);
  return id;
}

std::optional<std::string> missing_suite(const RunConfig& config) {
  if (!config.dataset.path.empty() || config.dataset.name.empty() || config.dataset.generate)
    return std::nullopt;
  const std::string path = dataset_file(config);
  if (fs::exists(path)) return std::nullopt;
  const std::string task = split_dataset_name(config.dataset.name).first;
  return "dataset.name = \"" + config.dataset.name + "\": " + path +
         " does not exist; make the suite with `relabel datagen --task " + task + " --out " +
         dataset_cache_root() + "/" + task +
         "` (or set dataset.generate = true to generate it in the run)";
}

std::string resolve_dataset_path(const RunConfig& config, Collective& comm) {
  if (!config.dataset.path.empty()) return config.dataset.path;
  // A named suite ("pendulum-medium-expert") lives in the data cache. A missing one is an
  // input error naming the command that makes it (a typo must not start minutes of SAC
  // training), unless dataset.generate asks rank 0 to generate it here while the others wait.
  const auto [task, kind] = split_dataset_name(config.dataset.name);
  const std::string dir = dataset_cache_root() + "/" + task;
  const std::string path = dataset_file(config);
  on_root(comm, [&] {
    if (fs::exists(path)) return;
    if (auto missing = missing_suite(config)) throw Error(*missing);
    spdlog::info("dataset {} is not in the cache: generating the {} suite into {}",
                 config.dataset.name, task, dir);
    ensure_dataset_suite(task, dir);
  });
  return path;
}

OfflineData load_offline_data(const RunConfig& config, Collective& comm, bool require_rewards) {
  OfflineData data;
  data.path = resolve_dataset_path(config, comm);
  data.label =
      !config.dataset.name.empty() ? config.dataset.name : fs::path(data.path).stem().string();
  const bool minari = config.dataset.format == "minari";
  if (!minari && require_rewards) {
    // Say why rewards are needed before the reader's generic "missing key" error.
    bool has_rewards = true;
    on_root(comm, [&] {
      has_rewards = io::read_d4rl_info(data.path).has_rewards;
      if (!has_rewards)
        throw Error(data.path + ": dataset 'rewards' is missing, but reward.method = \"" +
                    config.reward.method + "\" needs the true rewards");
    });
  }
  data.shard = read_shard(data.path, config.dataset.format, comm, require_rewards);
  data.global_rows = data.shard.total_rows;
  // Pinning the run to its data: each rank's part of the checksum, summed modulo 2^64.
  uint64_t checksum = 0;
  for (int64_t part : comm.host().all_gather(static_cast<int64_t>(data.shard.checksum)))
    checksum += static_cast<uint64_t>(part);
  data.identity.path = data.path;
  data.identity.rows = data.global_rows;
  data.identity.checksum = io::checksum_text(checksum);
  io::stat_dataset_file(data.identity);
  // Fewer distinct rows than one batch (or than ranks, each of which owns a shard) would
  // "train" on repeats of a handful of transitions and report a score as if it had learned.
  const int64_t minimum = std::max<int64_t>(config.train.batch_size, comm.size());
  if (data.global_rows < minimum)
    throw Error(data.path + ": " + std::to_string(data.global_rows) +
                " transitions, fewer than the " + std::to_string(minimum) +
                " a run needs (train.batch_size = " + std::to_string(config.train.batch_size) +
                ", " + std::to_string(comm.size()) + " ranks)");

  // Global per-row columns: episode structure (split on terminals AND timeouts) and rewards.
  torch::Tensor terminals, timeouts;
  if (minari) {
    io::Dataset all = io::read_minari(data.path);
    terminals = all.terminals;
    timeouts = all.timeouts;
    if (all.has_rewards()) data.global_rewards = all.rewards;
  } else {
    std::vector<std::string> cols = {"terminals", "timeouts"};
    if (data.shard.has_rewards()) cols.push_back("rewards");
    auto columns = io::read_d4rl_columns(data.path, cols);
    terminals = columns.at("terminals");
    timeouts = columns.at("timeouts");
    if (data.shard.has_rewards()) data.global_rewards = columns.at("rewards");
  }
  if (terminals.size(0) != data.global_rows)
    throw RunError(data.path + ": per-row columns have " + std::to_string(terminals.size(0)) +
                   " rows, the sharded read " + std::to_string(data.global_rows));
  auto episodes = io::split_episodes(terminals, timeouts);
  data.num_episodes = static_cast<int64_t>(episodes.size());
  data.last_episode_complete = io::last_episode_complete(terminals, timeouts, episodes);
  data.episode_of_row = torch::empty({data.global_rows}, torch::kInt64);
  auto* ep = data.episode_of_row.data_ptr<int64_t>();
  for (int64_t e = 0; e < data.num_episodes; ++e)
    for (int64_t i = episodes[e].begin; i < episodes[e].end; ++i) ep[i] = e;

  // Observation normalisation with global statistics (docs/algorithms.md, Common data handling).
  if (config.policy.normalize_obs) {
    data.normalizer = ObsNormalizer::from_shard(data.shard.observations, comm);
    data.shard.observations = data.normalizer.apply(data.shard.observations);
    data.shard.next_observations = data.normalizer.apply(data.shard.next_observations);
  } else {
    data.normalizer = ObsNormalizer::identity(data.shard.obs_dim());
  }

  // Reference returns: config override, else the dataset's attributes, else the registry.
  const auto& task = envs::find_task(config.task.name);
  check_file_task(data.path, data.shard.info.env, task.name);
  if (task.obs_dim != data.shard.obs_dim() || task.act_dim != data.shard.act_dim())
    throw Error(data.path + ": observations/actions have dims " +
                std::to_string(data.shard.obs_dim()) + "/" + std::to_string(data.shard.act_dim()) +
                " but task '" + task.name + "' has " + std::to_string(task.obs_dim) + "/" +
                std::to_string(task.act_dim));
  auto pick = [](double override_value, double attribute, double registry) {
    if (!std::isnan(override_value)) return override_value;
    if (!std::isnan(attribute)) return attribute;
    return registry;
  };
  data.ref_random =
      pick(config.task.ref_min_score, data.shard.info.ref_min_score, task.ref_random_return);
  data.ref_expert =
      pick(config.task.ref_max_score, data.shard.info.ref_max_score, task.ref_expert_return);
  if (!(data.ref_expert > data.ref_random))
    throw Error(data.path + ": reference returns R_expert (" + std::to_string(data.ref_expert) +
                ") must exceed R_random (" + std::to_string(data.ref_random) +
                "); set task.ref_min_score / task.ref_max_score");
  return data;
}

ExpertSet load_expert_set(const RunConfig& config, const OfflineData& data, Collective& comm) {
  ExpertSet expert;
  const int64_t k = config.dataset.expert_trajectories;
  expert.trajectories = k;
  if (!config.dataset.expert_path.empty()) {
    const std::string& path = config.dataset.expert_path;
    io::Dataset file = io::read_d4rl(path);
    check_file_task(path, file.info.env, config.task.name);
    expert.file_identity = identity_of(path, file, false);
    if (file.obs_dim() != data.shard.obs_dim() || file.act_dim() != data.shard.act_dim())
      throw Error(path + ": expert observations/actions have dims " +
                  std::to_string(file.obs_dim()) + "/" + std::to_string(file.act_dim()) +
                  " but the dataset " + data.path + " has " + std::to_string(data.shard.obs_dim()) +
                  "/" + std::to_string(data.shard.act_dim()));
    io::Dataset best = io::select_best_trajectories(file, k);
    expert.obs = data.normalizer.apply(best.observations);
    expert.next_obs = data.normalizer.apply(best.next_observations);
    auto eps = io::split_episodes(best);
    expert.mean_return = io::episode_returns(best.rewards, eps).mean().item<double>();
    return expert;
  }
  // The K best trajectories of the dataset itself.
  if (!data.global_rewards.defined())
    throw Error(data.path + ": has no rewards to rank trajectories by; set dataset.expert_path");
  // Whole episodes only: a file cut mid-episode ends in a fragment, not a trajectory.
  const int64_t complete = data.num_episodes - (data.last_episode_complete ? 0 : 1);
  if (k > complete)
    throw Error("dataset.expert_trajectories = " + std::to_string(k) + " but " + data.path +
                " has only " + std::to_string(complete) + " complete episodes");
  auto returns = torch::zeros({data.num_episodes}, torch::kFloat64)
                     .index_add_(0, data.episode_of_row, data.global_rewards.to(torch::kFloat64));
  // Stable order: highest return first, ties to the earlier episode.
  std::vector<int64_t> order(complete);
  std::iota(order.begin(), order.end(), 0);
  const double* r = returns.data_ptr<double>();
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return r[a] > r[b]; });
  std::vector<char> chosen(data.num_episodes, 0);
  double sum = 0;
  for (int64_t i = 0; i < k; ++i) chosen[order[i]] = 1, sum += r[order[i]];
  expert.mean_return = sum / static_cast<double>(k);
  const int64_t* ep = data.episode_of_row.data_ptr<int64_t>();
  for (int64_t row = 0; row < data.global_rows; ++row)
    if (chosen[ep[row]]) expert.dataset_rows.push_back(row);
  auto local = torch::cat({data.shard.observations, data.shard.next_observations}, 1);
  auto rows = gather_rows(local, data.shard.row_offset, expert.dataset_rows, comm);
  const int64_t d = data.shard.obs_dim();
  expert.obs = rows.narrow(1, 0, d).contiguous();
  expert.next_obs = rows.narrow(1, d, d).contiguous();
  return expert;
}

std::vector<int64_t> labelled_rows(const RunConfig& config, const OfflineData& data) {
  std::vector<io::Episode> episodes;
  if (config.dataset.label_trajectories) {
    const int64_t* ep = data.episode_of_row.data_ptr<int64_t>();
    int64_t begin = 0;
    for (int64_t i = 1; i <= data.global_rows; ++i)
      if (i == data.global_rows || ep[i] != ep[i - 1]) episodes.push_back({begin, i}), begin = i;
  }
  auto ids = io::labelled_subset(data.global_rows, config.dataset.label_fraction,
                                 shared_seed(static_cast<uint64_t>(config.seed), "labels"),
                                 config.dataset.label_trajectories, episodes)
                 .contiguous();
  return std::vector<int64_t>(ids.data_ptr<int64_t>(), ids.data_ptr<int64_t>() + ids.numel());
}

double normalised_score(double ret, double ref_random, double ref_expert) {
  return 100.0 * (ret - ref_random) / (ref_expert - ref_random);
}

void check_file_task(const std::string& path, const std::string& env,
                     const std::string& task_name) {
  // The words of the attribute, lower case: "mujoco/hopper/expert-v0" -> mujoco hopper expert v0.
  std::vector<std::string> words(1);
  for (char ch : env) {
    if (ch == '-' || ch == '/' || ch == ' ') {
      if (!words.back().empty()) words.emplace_back();
      continue;
    }
    words.back() += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  }
  if (std::find(words.begin(), words.end(), task_name) != words.end()) return;
  for (const auto& word : words)
    if (!word.empty() && envs::has_task(word))
      throw Error(fmt::format(
          "{}: the file's env attribute \"{}\" names task '{}', but task.name = \"{}\" (its "
          "reference returns and the evaluation would be of different tasks)",
          path, env, word, task_name));
}

}  // namespace relabel::run
