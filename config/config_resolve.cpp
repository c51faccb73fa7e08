// Resolution of a loaded configuration: the method-dependent defaults the schema describes as
// "derived", output.dir, and the checks that involve more than one key.
#include <fmt/format.h>

#include <cmath>
#include <filesystem>

#include "algos/policy_registry.h"
#include "algos/reward/reward_registry.h"
#include "config/config_load.h"
#include "config/config_tasks.h"
#include "core/error.h"
#include "envs/registry.h"

namespace relabel::config {

namespace {

const char* const kDatasetKinds[] = {"medium-expert", "medium-replay", "random", "medium",
                                     "expert"};

class Resolver {
 public:
  explicit Resolver(const ConfigDraft& draft) : d_(draft), c_(draft.config) {}

  RunConfig run() {
    derive();
    check();
    c_.source_path = d_.file;
    return c_;
  }

 private:
  bool given(const std::string& key) const { return d_.origins.count(key) > 0; }
  [[noreturn]] void fail(const std::string& key, const std::string& message) const {
    auto it = d_.origins.find(key);
    if (it != d_.origins.end()) throw Error(key_error(it->second, key, message));
    throw Error(fmt::format("{}: {}: {}", d_.file.empty() ? "config" : d_.file, key, message));
  }

  void derive() {
    if (c_.name.empty())
      c_.name = d_.file.empty() ? "run" : std::filesystem::path(d_.file).stem().string();
    const bool locomotion =
        envs::has_task(c_.task.name) && envs::find_task(c_.task.name).needs_mujoco;
    const auto& method = algos::find_reward_method(c_.reward.method);
    const auto& algo = algos::find_policy_algo(c_.policy.algo);
    c_.reward.params =
        declared_params("reward", method.keys, c_.reward.params, locomotion, method.derive);
    c_.policy.params =
        declared_params("policy", algo.keys, c_.policy.params, locomotion, algo.derive);
    if (!given("dataset.label_fraction")) c_.dataset.label_fraction = method.default_label_fraction;
    if (!method.needs_labelled_subset) refuse_labelling_keys(method);
    // docs/algorithms.md: the episode-range scaling is IQL's *locomotion* reward scaling; on
    // other tasks (pendulum's returns span ~1500) it would blow rewards up and saturate IQL's
    // weights.
    if (c_.policy.reward_scaling == "auto")
      c_.policy.reward_scaling =
          algo.episode_range_scaling && locomotion ? "episode_range" : "none";
    if (c_.output.dir.empty()) c_.output.dir = "runs/" + c_.name;
  }

  // The labelled subset's keys are the engine's (in every run's hash), but only a method with a
  // labelled subset reads them: another value would change a run's identity, not what it
  // computes, and put it in a cell of its own. Its default (a method's own, 1.0) stays allowed,
  // as sweep specs zip it with reward.method.
  void refuse_labelling_keys(const algos::RewardMethodInfo& method) const {
    const auto why = [&](const std::string& value) {
      return fmt::format(
          "{}, but reward method '{}' reads no labelled subset (only a method with one, like "
          "imputation, does): leave the key out",
          value, method.name);
    };
    if (given("dataset.label_fraction") &&
        c_.dataset.label_fraction != method.default_label_fraction)
      fail("dataset.label_fraction", why(fmt::format("set to {}", c_.dataset.label_fraction)));
    if (given("dataset.label_trajectories") && c_.dataset.label_trajectories)
      fail("dataset.label_trajectories", why("set to true"));
  }

  // The selected owner's keys: the values set explicitly, checked by its own rule (the one place
  // a declared key's range is enforced), the others at its defaults, then its derive hook. Keys
  // that other methods / learners declare are dropped: the run does not use them.
  Params declared_params(const std::string& section, const std::vector<ConfigKey>& specs,
                         const Params& draft, bool locomotion,
                         const std::function<void(Params&, const DeriveContext&)>& derive_hook) {
    Params out;
    DeriveContext ctx;
    ctx.device = c_.parallel.device;
    ctx.locomotion = locomotion;
    for (const ConfigKey& spec : specs) {
      const std::string key = section + "." + spec.name;
      if (given(key) && draft.has(spec.name)) {
        ConfigValue value;
        auto problem = spec.check(draft.values().at(spec.name), &value);
        if (!problem.empty()) fail(key, problem);
        out.set(spec.name, value);
        ctx.given.push_back(spec.name);
      } else {
        out.set(spec.name, spec.default_value);
      }
    }
    if (derive_hook) derive_hook(out, ctx);
    return out;
  }

  void check() const {
    // The name becomes a directory name under runs/.
    if (c_.name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                  "0123456789._-") != std::string::npos ||
        c_.name == "." || c_.name == "..")
      fail("name",
           fmt::format("must contain only letters, digits, '.', '_' and '-', got \"{}\"", c_.name));
    auto task_problem = check_task_name(c_.task.name);
    if (!task_problem.empty()) fail("task.name", task_problem);
    const auto& t = c_.task;
    if (!std::isnan(t.ref_min_score) && !std::isnan(t.ref_max_score) &&
        t.ref_max_score <= t.ref_min_score)
      fail("task.ref_max_score", fmt::format("must be greater than task.ref_min_score ({}), got {}",
                                             t.ref_min_score, t.ref_max_score));
    check_dataset();
    check_methods();
    const auto& tr = c_.train;
    if (tr.batch_size % c_.parallel.ranks_per_run != 0)
      fail("train.batch_size",
           fmt::format("must be divisible by parallel.ranks_per_run ({}), got {}",
                       c_.parallel.ranks_per_run, tr.batch_size));
  }

  void check_dataset() const {
    const auto& ds = c_.dataset;
    bool online = algos::find_policy_algo(c_.policy.algo).online;
    if (!ds.name.empty() && !ds.path.empty())
      fail("dataset.path", "set either dataset.name or dataset.path, not both");
    if (ds.name.empty() && ds.path.empty() && !online)
      fail("dataset", "set one of dataset.name (a named suite) or dataset.path (a file)");
    if (!ds.name.empty()) check_dataset_name(ds.name);
    check_dataset_file("dataset.path", ds.path, ds.format == "d4rl");
    check_dataset_file("dataset.expert_path", ds.expert_path, true);
    // BC on the demonstrations clones rows of the dataset itself (run/reward_phase.cpp).
    if (ds.demonstrations_only && (online || !ds.expert_path.empty()))
      fail("dataset.demonstrations_only",
           online ? "is for offline learners; world_model takes its demonstrations from the "
                    "expert file"
                  : "clones the K best trajectories of the dataset itself; set dataset.path to "
                    "the expert file and leave dataset.expert_path empty");
  }

  // An existing file; a directory only for a Minari dataset (its <id> or data/ directory). The
  // expert file is always D4RL. Refused here, not at the run's first read, so that `relabel
  // check` refuses what `relabel run` would, in the words of the HDF5 reader (io/h5_column.cpp).
  void check_dataset_file(const std::string& key, const std::string& path, bool hdf5_file) const {
    if (path.empty()) return;
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) fail(key, "file not found: " + path);
    if (hdf5_file && std::filesystem::is_directory(path, ec))
      fail(key, path + ": is a directory, expected an HDF5 file");
  }

  // "<task>-<kind>" with the task of task.name (a suite of another task is a mistake).
  void check_dataset_name(const std::string& name) const {
    for (const char* kind : kDatasetKinds) {
      std::string suffix = std::string("-") + kind;
      if (name.size() > suffix.size() &&
          name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
        std::string task = name.substr(0, name.size() - suffix.size());
        if (task != c_.task.name)
          fail("dataset.name",
               fmt::format("suite of task '{}' but task.name is '{}'", task, c_.task.name));
        return;
      }
    }
    fail("dataset.name",
         fmt::format("expected '<task>-<kind>' with kind random|medium|medium-replay|expert|"
                     "medium-expert, got \"{}\"",
                     name));
  }

  // Whether the method serves the learner's kind of run (offline relabelling or an online
  // reward), from what each registered itself as.
  void check_methods() const {
    const auto& method = algos::find_reward_method(c_.reward.method);
    const auto& algo = algos::find_policy_algo(c_.policy.algo);
    auto algos_of_kind = [](bool online) {
      std::vector<std::string> names;
      for (const auto* a : algos::policy_algos())
        if (a->online == online) names.push_back(a->name);
      return names;
    };
    if (algo.online && !method.online)
      fail("reward.method", fmt::format("{} relabels an offline dataset; it needs policy.algo {}, "
                                        "got \"{}\"",
                                        method.name, join_or(algos_of_kind(false)), algo.name));
    if (!algo.online && !method.offline)
      fail("reward.method", fmt::format("{} needs policy.algo = \"{}\", got \"{}\"", method.name,
                                        join_or(algos_of_kind(true)), algo.name));
    const auto& ds = c_.dataset;
    if (algo.online && method.needs_demonstrations && ds.expert_path.empty() && ds.name.empty() &&
        ds.path.empty())
      fail("dataset.expert_path",
           fmt::format("{} needs expert demonstrations: set dataset.expert_path (or "
                       "dataset.name/path)",
                       method.name));
  }

  const ConfigDraft& d_;
  RunConfig c_;
};

}  // namespace

RunConfig resolve(const ConfigDraft& draft) { return Resolver(draft).run(); }

}  // namespace relabel::config
