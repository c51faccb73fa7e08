#include "datagen/datagen.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>

#include "core/clock.h"
#include "core/error.h"
#include "core/progress.h"
#include "datagen/datagen_collect.h"
#include "datagen/sac_trainer.h"
#include "envs/registry.h"
#include "envs/seeding.h"
#include "io/atomic_file.h"
#include "io/d4rl_file.h"
#include "io/dataset.h"
#include "io/dir_lock.h"

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace relabel::datagen {
namespace {

// Seed streams derived from --seed (envs::mix_seed keeps them apart).
constexpr uint64_t kTrainStream = 100, kRandomStream = 101, kMediumStream = 102,
                   kExpertStream = 103;
// docs/envs.md: R_random is the mean return of a uniform-random policy over 100 episodes.
constexpr int kRandomEpisodes = 100;
// Collections with fewer complete episodes run extra (unstored) ones for a stable mean return.
constexpr int kMinEpisodes = 10;
constexpr const char* kSummaryFile = "datagen.json";
constexpr const char* kFinalCheckpoint = "sac_final.pt";
constexpr const char* kTrainCheckpoint = "sac_train.pt";  // while training

using Clock = SteadyClock;

json arguments_json(const DatagenOptions& o) {
  return {{"task", o.task},
          {"steps", o.steps},
          {"size", o.size},
          {"start_steps", o.start_steps},
          {"eval_every", o.eval_every},
          {"eval_episodes", o.eval_episodes},
          {"seed", o.seed}};
}

// datagen.json, if present: an object whose "arguments" (if any) is an object, as this file
// writes it; anything else is named, not read as a summary of other arguments.
std::optional<json> read_summary(const std::string& path) {
  if (!fs::exists(path)) return std::nullopt;
  const auto refuse = [&](const std::string& why) {
    return Error(path + ": not a datagen summary (" + why + "); remove it to regenerate");
  };
  if (fs::is_directory(path)) throw refuse("a directory");
  std::ifstream in(path);
  json j;
  try {
    j = json::parse(in);
  } catch (const json::exception& e) {
    throw refuse(e.what());
  }
  if (!j.is_object() || (j.contains("arguments") && !j["arguments"].is_object()))
    throw refuse("a JSON object with an \"arguments\" object expected");
  return j;
}

std::string archive_bytes(const std::function<void(torch::serialize::OutputArchive&)>& fill) {
  torch::serialize::OutputArchive out;
  fill(out);
  std::ostringstream ss;
  out.save_to(ss);
  return ss.str();
}

void load_archive_bytes(const std::string& bytes,
                        const std::function<void(torch::serialize::InputArchive&)>& use) {
  std::istringstream ss(bytes);
  torch::serialize::InputArchive in;
  in.load_from(ss);
  use(in);
}

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The state of one suite directory while it is generated.
class Suite {
 public:
  explicit Suite(const DatagenOptions& o)
      : o_(o), info_(envs::find_task(o.task)), summary_path_(o.out_dir + "/" + kSummaryFile) {}

  json run() {
    const auto start = Clock::now();
    open_summary();
    random_reference();
    train_or_reuse();
    if (stopped()) return stop_here(start);
    expert_reference();
    for (const auto& kind : suite_kinds()) {
      if (stopped()) return stop_here(start);
      ensure_file(kind);
    }
    summary_["status"] = "done";
    summary_["wall_s"] = summary_.value("wall_s_previous", 0.0) + seconds_since(start);
    summary_.erase("wall_s_previous");
    save_summary();
    // The normalised score is 100 (R − R_random) / (R_expert − R_random): relabel run refuses a
    // suite where that is not defined. Said last, where the user looks.
    if (r_expert() <= r_random())
      spdlog::warn(
          "datagen {}: R_expert {:.1f} is not above R_random {:.1f} (SAC did not learn in {} "
          "steps): relabel run refuses this suite; generate it again with more --steps",
          o_.task, r_expert(), r_random(), o_.steps);
    return summary_;
  }

 private:
  std::string path(const std::string& name) const { return o_.out_dir + "/" + name; }

  bool stopped() const { return o_.stop && o_.stop->load(); }
  // A stop request: what is finished stays (files, training state), the summary says
  // "stopped", and a re-run with the same arguments continues from there.
  json stop_here(Clock::time_point start) {
    summary_["status"] = "stopped";
    summary_["wall_s"] = summary_.value("wall_s_previous", 0.0) + seconds_since(start);
    summary_.erase("wall_s_previous");
    save_summary();
    spdlog::info("datagen {}: stopped by a signal; rerun the same command to resume", o_.task);
    return summary_;
  }

  void open_summary() {
    std::error_code ec;
    fs::create_directories(o_.out_dir, ec);
    if (ec || !fs::is_directory(o_.out_dir))
      throw Error("datagen: cannot create output directory " + o_.out_dir + ": " + ec.message());
    // One writer per suite: a second datagen on it (a second lane, a user's retry while the
    // first still trains) would interleave two trainings' checkpoints and files.
    lock_.emplace(io::DirLock::acquire(o_.out_dir, io::LockWriter::Datagen));
    if (!lock_->not_enforced().empty())
      spdlog::warn(
          "{}: cannot lock the suite directory ({}); a second datagen would not be stopped",
          o_.out_dir, lock_->not_enforced());
    const json args = arguments_json(o_);
    if (auto old = read_summary(summary_path_)) {
      const json& prev = (*old)["arguments"];
      for (auto it = args.begin(); it != args.end(); ++it)
        if (!prev.contains(it.key()) || prev[it.key()] != it.value())
          throw Error(fmt::format(
              "{}: generated with {} = {}, now {} = {}; use another --out or remove the "
              "directory to regenerate",
              summary_path_, it.key(), prev.contains(it.key()) ? prev[it.key()].dump() : "unset",
              it.key(), it.value().dump()));
      summary_ = *old;
      summary_["wall_s_previous"] = old->value("wall_s", 0.0);
      spdlog::info("datagen {}: continuing the suite in {}", o_.task, o_.out_dir);
    } else {
      summary_ = {{"task", o_.task},
                  {"arguments", args},
                  {"files", json::object()},
                  {"returns", json::object()}};
    }
    summary_["relabel_version"] = RELABEL_VERSION;
    summary_["status"] = "running";
    save_summary();
  }

  void save_summary() { io::write_json_atomic(summary_path_, summary_); }

  double r_random() const { return summary_["ref_min_score"].get<double>(); }
  double r_expert() const { return summary_["ref_max_score"].get<double>(); }

  // R_random: the random collection's complete episodes, topped up to 100 episodes.
  void random_reference() {
    if (summary_.contains("ref_min_score")) return;
    const auto t = Clock::now();
    random_ = collect_transitions(o_.task, uniform_policy(o_.task, seed(kRandomStream)), o_.size,
                                  seed(kRandomStream), kRandomEpisodes);
    double sum = 0.0;
    for (int i = 0; i < kRandomEpisodes; ++i) sum += random_->returns[i];
    summary_["ref_min_score"] = sum / kRandomEpisodes;
    summary_["returns"]["random"] = sum / kRandomEpisodes;
    spdlog::info("datagen {}: R_random = {:.2f} ({} episodes, {:.1f}s)", o_.task, r_random(),
                 kRandomEpisodes, seconds_since(t));
    save_summary();
  }

  uint64_t seed(uint64_t stream) const { return envs::mix_seed(o_.seed, stream); }

  SacTrainOptions train_options() const {
    SacTrainOptions t;
    t.steps = o_.steps;
    t.start_steps = o_.start_steps;
    t.eval_every = o_.eval_every;
    t.eval_episodes = o_.eval_episodes;
    t.seed = seed(kTrainStream);
    t.buffer_capacity = o_.steps;  // the whole history: medium-replay is a prefix of it
    return t;
  }

  void train_or_reuse() {
    trainer_ = std::make_unique<SacTrainer>(o_.task, algos::SacOptions{}, train_options());
    medium_ = std::make_unique<algos::Sac>(trainer_->agent().options());
    if (summary_.contains("training") && summary_["training"].value("done", false) &&
        fs::exists(path(kFinalCheckpoint))) {
      try {
        load_archive_bytes(read_bytes(path(kFinalCheckpoint)), [&](auto& in) {
          torch::serialize::InputArchive agent, buffer, medium;
          in.read("agent", agent);
          in.read("buffer", buffer);
          in.read("medium_policy", medium);
          trainer_->agent().load(agent);
          trainer_->buffer().load(buffer);
          medium_->load_policy(medium);
        });
        spdlog::info("datagen {}: reusing the trained SAC agent in {}", o_.task,
                     path(kFinalCheckpoint));
        write_policies_if_missing();
        return;
      } catch (const std::exception& e) {
        spdlog::warn("datagen {}: {} unusable ({}); training again", o_.task,
                     path(kFinalCheckpoint), error_message(e));
      }
    }
    train();
  }

  struct Snapshot {
    int64_t step;
    double ret;
    std::string policy;
  };

  // Training state between episodes plus the evaluation snapshots: a killed or preempted run
  // continues from here instead of from step 0 (MuJoCo suites train for hours on 2 cores).
  void save_training_state(const std::vector<Snapshot>& snapshots) const {
    io::write_file_atomic(path(kTrainCheckpoint), archive_bytes([&](auto& out) {
                            torch::serialize::OutputArchive trainer, snaps;
                            trainer_->save(trainer);
                            auto steps = torch::empty({int64_t(snapshots.size())}, torch::kInt64);
                            auto rets = torch::empty({int64_t(snapshots.size())}, torch::kFloat64);
                            for (size_t i = 0; i < snapshots.size(); ++i) {
                              steps[i] = snapshots[i].step;
                              rets[i] = snapshots[i].ret;
                              const auto& b = snapshots[i].policy;
                              snaps.write(std::to_string(i),
                                          torch::from_blob(const_cast<char*>(b.data()),
                                                           {int64_t(b.size())}, torch::kInt8)
                                              .clone());
                            }
                            snaps.write("steps", steps);
                            snaps.write("returns", rets);
                            out.write("trainer", trainer);
                            out.write("snapshots", snaps);
                          }));
  }

  // Restores save_training_state(); false (with a warning) when the file is unusable.
  bool load_training_state(std::vector<Snapshot>& snapshots) {
    try {
      load_archive_bytes(read_bytes(path(kTrainCheckpoint)), [&](auto& in) {
        torch::serialize::InputArchive trainer, snaps;
        in.read("trainer", trainer);
        in.read("snapshots", snaps);
        trainer_->load(trainer);
        torch::Tensor steps, rets;
        snaps.read("steps", steps);
        snaps.read("returns", rets);
        snapshots.clear();
        for (int64_t i = 0; i < steps.numel(); ++i) {
          torch::Tensor b;
          snaps.read(std::to_string(i), b);
          snapshots.push_back({steps[i].item<int64_t>(), rets[i].item<double>(),
                               std::string(static_cast<const char*>(b.data_ptr()), b.numel())});
        }
      });
      return true;
    } catch (const std::exception& e) {
      spdlog::warn("datagen {}: {} unusable ({}); training from the start", o_.task,
                   path(kTrainCheckpoint), error_message(e));
      trainer_ = std::make_unique<SacTrainer>(o_.task, algos::SacOptions{}, train_options());
      snapshots.clear();
      return false;
    }
  }

  void train() {
    std::vector<Snapshot> snapshots;
    const auto start = Clock::now();
    auto last_checkpoint = start;
    if (fs::exists(path(kTrainCheckpoint)) && load_training_state(snapshots))
      spdlog::info("datagen {}: resuming SAC training at step {} from {}", o_.task,
                   trainer_->step(), path(kTrainCheckpoint));
    else
      spdlog::info("datagen {}: training SAC for {} steps ({} random), evaluating every {}",
                   o_.task, o_.steps, o_.start_steps, o_.eval_every);
    auto& trainer = *trainer_;
    std::optional<double> last_eval;
    if (!snapshots.empty()) last_eval = snapshots.back().ret;
    ProgressOptions popts;
    popts.out = &std::cerr;
    popts.tty = false;
    popts.first_step = trainer.step();
    Progress progress(o_.steps, "datagen " + o_.task + " SAC", popts);
    trainer.train(
        [&](const EvalPoint& p) {
          last_eval = p.mean_return;
          snapshots.push_back({p.step, p.mean_return, archive_bytes([&](auto& out) {
                                 trainer.agent().save_policy(out);
                               })});
          spdlog::info("datagen {}: step {} eval return {:.1f} ± {:.1f}", o_.task, p.step,
                       p.mean_return, p.std_return);
        },
        [&](int64_t step) {
          progress.update(step, last_eval);
          if (step < o_.steps && trainer.at_episode_boundary() &&
              (stopped() || seconds_since(last_checkpoint) >= 60.0 * o_.checkpoint_minutes)) {
            save_training_state(snapshots);
            last_checkpoint = Clock::now();
            if (stopped()) {
              spdlog::info("datagen {}: training state saved at step {} in {}", o_.task, step,
                           path(kTrainCheckpoint));
              trainer.stop();  // returns at this episode boundary
            }
          }
        });
    if (trainer.step() < o_.steps) {  // stopped: run() records it
      progress.finish_stopped();
      return;
    }
    progress.finish();
    const double wall = seconds_since(start);

    // The medium policy. D4RL saves the policy "when its return first reaches about one third of
    // the final" (docs/algorithms.md); read as: among the evaluation snapshots, the earliest
    // whose deterministic return is at least R_random + (R_final − R_random) / 3, i.e. a third of
    // the way from random to final performance (returns may be negative, as on pendulum).
    const double r_final = snapshots.back().ret;
    const double threshold = r_random() + (r_final - r_random()) / 3.0;
    const Snapshot* medium = &snapshots.back();
    for (const auto& s : snapshots)
      if (s.ret >= threshold) {
        medium = &s;
        break;
      }
    if (r_final <= r_random())
      spdlog::warn(
          "datagen {}: the final return {:.1f} is not above R_random {:.1f}; SAC did "
          "not learn, the medium policy is the final one",
          o_.task, r_final, r_random());
    load_archive_bytes(medium->policy, [&](auto& in) { medium_->load_policy(in); });

    json evals = json::array();
    for (const auto& s : snapshots) evals.push_back({{"step", s.step}, {"return", s.ret}});
    summary_["training"] = {{"done", true},
                            {"steps", o_.steps},
                            {"updates", trainer.agent().updates()},
                            {"wall_s", wall},
                            {"steps_per_s", o_.steps / wall},
                            {"evaluations", evals},
                            {"medium_threshold", threshold},
                            {"medium_step", medium->step},
                            {"medium_eval_return", medium->ret},
                            {"expert_step", snapshots.back().step},
                            {"expert_eval_return", r_final}};
    spdlog::info(
        "datagen {}: trained in {}; final eval {:.1f}, medium = step {} ({:.1f} >= "
        "{:.1f})",
        o_.task, Progress::format_duration(wall), r_final, medium->step, medium->ret, threshold);

    io::write_file_atomic(path(kFinalCheckpoint), archive_bytes([&](auto& out) {
                            torch::serialize::OutputArchive agent, buffer, med;
                            trainer.agent().save(agent);
                            trainer.buffer().save(buffer);
                            medium_->save_policy(med);
                            out.write("agent", agent);
                            out.write("buffer", buffer);
                            out.write("medium_policy", med);
                          }));
    fs::remove(path(kTrainCheckpoint));
    for (const char* f : {"policy_medium.pt", "policy_expert.pt"}) fs::remove(path(f));
    write_policies_if_missing();
    save_summary();
  }

  void write_policies_if_missing() {
    if (!fs::exists(path("policy_medium.pt")))
      io::write_file_atomic(path("policy_medium.pt"),
                            archive_bytes([&](auto& out) { medium_->save_policy(out); }));
    if (!fs::exists(path("policy_expert.pt")))
      io::write_file_atomic(path("policy_expert.pt"),
                            archive_bytes([&](auto& out) { trainer_->agent().save_policy(out); }));
  }

  int64_t medium_step() const { return summary_["training"]["medium_step"].get<int64_t>(); }

  int64_t expected_rows(const std::string& kind) const {
    if (kind == "medium-replay") return medium_step();
    if (kind == "medium-expert") return 2 * o_.size;
    return o_.size;
  }

  std::string generator(const std::string& kind) const {
    if (kind == "random") return "relabel datagen: uniform random actions";
    if (kind == "medium")
      return fmt::format("relabel datagen: SAC stochastic policy at step {} of {}", medium_step(),
                         o_.steps);
    if (kind == "medium-replay")
      return fmt::format("relabel datagen: SAC replay buffer, steps 0-{} of {}", medium_step(),
                         o_.steps);
    if (kind == "expert")
      return fmt::format("relabel datagen: SAC stochastic policy at step {} of {}", o_.steps,
                         o_.steps);
    return "relabel datagen: medium followed by expert";
  }

  // The file of `kind` when it exists, validates, and was made by this suite (rows, task,
  // generator and reference scores agree); otherwise nothing.
  std::optional<io::Dataset> existing(const std::string& kind) {
    const std::string file = suite_file(o_.out_dir, kind);
    if (!fs::exists(file)) return std::nullopt;
    try {
      io::Dataset ds = io::read_d4rl(file);
      const auto& in = ds.info;
      if (ds.size() == expected_rows(kind) && in.env == o_.task &&
          in.generator == generator(kind) && in.ref_min_score == r_random() &&
          in.ref_max_score == r_expert() && summary_["files"].contains(kind))
        return ds;
      if (stale_.insert(kind).second)
        spdlog::warn("datagen {}: {} does not match this suite; regenerating it", o_.task, file);
    } catch (const Error& e) {
      if (stale_.insert(kind).second)
        spdlog::warn("datagen {}: {} is invalid ({}); regenerating it", o_.task, file, e.what());
    }
    return std::nullopt;
  }

  // R_expert: the expert policy's stochastic collection (the expert dataset itself).
  void expert_reference() {
    if (summary_.contains("ref_max_score") && (expert_ = existing("expert"))) return;
    auto t = Clock::now();
    auto c = collect_transitions(o_.task, stochastic_policy(trainer_->agent()), o_.size,
                                 seed(kExpertStream), kMinEpisodes);
    summary_["ref_max_score"] = c.mean_return();
    summary_["returns"]["expert"] = c.mean_return();
    spdlog::info("datagen {}: R_expert = {:.2f} ({} episodes, {:.1f}s)", o_.task, r_expert(),
                 c.returns.size(), seconds_since(t));
    expert_collection_ = std::move(c);
    expert_collect_s_ = seconds_since(t);
    save_summary();
  }

  void ensure_file(const std::string& kind) {
    if (kind == "expert" && expert_) return;
    if (auto ds = existing(kind)) {
      if (kind == "medium") medium_data_ = std::move(ds);
      spdlog::info("datagen {}: keeping {}", o_.task, suite_file(o_.out_dir, kind));
      return;
    }
    const auto t = Clock::now();
    io::Dataset ds;
    std::vector<double> returns;
    int64_t in_data = 0;
    auto take = [&](Collection&& c) {
      ds = std::move(c.data);
      in_data = c.episodes_in_data;
      returns.assign(c.returns.begin(), c.returns.begin() + std::max<int64_t>(in_data, 0));
      if (returns.empty()) returns = c.returns;  // fewer complete episodes than one: the extras
    };
    if (kind == "random") {
      take(random_ ? std::move(*random_)
                   : collect_transitions(o_.task, uniform_policy(o_.task, seed(kRandomStream)),
                                         o_.size, seed(kRandomStream), kRandomEpisodes));
      random_.reset();
    } else if (kind == "expert") {
      take(std::move(*expert_collection_));
      expert_collection_.reset();
    } else if (kind == "medium") {
      take(collect_transitions(o_.task, stochastic_policy(*medium_), o_.size, seed(kMediumStream),
                               kMinEpisodes));
    } else if (kind == "medium-replay") {
      auto cols = trainer_->buffer().export_rows(0, medium_step());
      cols.timeouts[-1] = cols.timeouts[-1].item<bool>() || !cols.terminals[-1].item<bool>();
      ds = io::make_dataset(cols.obs, cols.actions, cols.rewards, cols.next_obs, cols.terminals,
                            cols.timeouts);
      returns = complete_episode_returns(ds, info_.max_episode_steps);
      in_data = static_cast<int64_t>(returns.size());
    } else {  // medium-expert
      if (!medium_data_) medium_data_ = existing("medium");
      if (!expert_) expert_ = existing("expert");
      if (!medium_data_ || !expert_)
        throw RunError("datagen: medium or expert data missing while building medium-expert");
      ds = io::Dataset::concat(*medium_data_, *expert_);
      returns = complete_episode_returns(ds, info_.max_episode_steps);
      in_data = static_cast<int64_t>(returns.size());
    }
    ds.info.env = o_.task;
    ds.info.generator = generator(kind);
    ds.info.ref_min_score = r_random();
    ds.info.ref_max_score = r_expert();
    ds.info.seed = static_cast<int64_t>(o_.seed);
    io::write_d4rl(suite_file(o_.out_dir, kind), ds);
    if (kind == "medium") medium_data_ = ds;
    if (kind == "expert") expert_ = ds;

    double mean = 0.0;
    for (double r : returns) mean += r / returns.size();
    if (returns.empty()) mean = std::nan("");
    if (kind != "random" && kind != "expert") summary_["returns"][kind] = mean;
    summary_["files"][kind] = {
        {"path", kind + ".hdf5"},
        {"rows", ds.size()},
        {"episodes", in_data},
        {"mean_return", mean},
        {"wall_s", seconds_since(t) + (kind == "expert" ? expert_collect_s_ : 0.0)}};
    spdlog::info("datagen {}: wrote {} ({} rows, {} complete episodes, mean return {:.1f})",
                 o_.task, suite_file(o_.out_dir, kind), ds.size(), in_data, mean);
    save_summary();
  }

  DatagenOptions o_;
  const envs::TaskInfo& info_;
  std::string summary_path_;
  std::optional<io::DirLock> lock_;  // held from the summary's first read to the end
  json summary_;
  std::unique_ptr<SacTrainer> trainer_;
  std::unique_ptr<algos::Sac> medium_;
  std::optional<Collection> random_, expert_collection_;
  std::optional<io::Dataset> medium_data_, expert_;
  double expert_collect_s_ = 0.0;
  // The kinds whose file existing() found stale: the expert file is judged twice (for R_expert,
  // then as a suite file), and its "regenerating it" is said once.
  std::set<std::string> stale_;
};

}  // namespace

DatagenOptions datagen_defaults(const std::string& task) {
  DatagenOptions d;
  d.task = task;
  if (task == "pendulum") {
    d.steps = 20000, d.size = 20000, d.start_steps = 1000, d.eval_every = 1000;
  } else if (task == "mountaincar") {
    d.steps = 50000, d.size = 50000, d.start_steps = 10000, d.eval_every = 5000;
  } else if (envs::find_task(task).needs_mujoco) {
    d.steps = 300000, d.size = 200000, d.start_steps = 10000, d.eval_every = 10000;
  } else {
    d.steps = 100000, d.size = 100000, d.start_steps = 5000, d.eval_every = 5000;
  }
  return d;
}

DatagenOptions resolve_datagen_options(const DatagenOptions& options) {
  if (options.task.empty()) throw Error("datagen: --task is required");
  envs::find_task(options.task);  // throws naming the known tasks
  DatagenOptions o = options, d = datagen_defaults(options.task);
  if (o.steps == 0) o.steps = d.steps;
  if (o.size == 0) o.size = d.size;
  if (o.start_steps < 0) o.start_steps = std::min(d.start_steps, o.steps / 2);
  if (o.eval_every == 0) o.eval_every = std::min(d.eval_every, std::max<int64_t>(o.steps / 10, 1));
  if (o.out_dir.empty()) o.out_dir = dataset_cache_root() + "/" + o.task;
  if (o.steps <= 0) throw Error(fmt::format("datagen: --steps must be positive (got {})", o.steps));
  if (o.size <= 0) throw Error(fmt::format("datagen: --size must be positive (got {})", o.size));
  if (o.start_steps >= o.steps)
    throw Error(fmt::format("datagen: --start-steps ({}) must be below --steps ({})", o.start_steps,
                            o.steps));
  if (o.eval_every <= 0 || o.eval_every > o.steps)
    throw Error(fmt::format("datagen: --eval-every must lie in [1, steps = {}] (got {})", o.steps,
                            o.eval_every));
  if (o.eval_episodes <= 0)
    throw Error(fmt::format("datagen: --eval-episodes must be positive (got {})", o.eval_episodes));
  return o;
}

const std::vector<std::string>& suite_kinds() {
  static const std::vector<std::string> kinds = {"random", "medium", "medium-replay", "expert",
                                                 "medium-expert"};
  return kinds;
}

std::string suite_file(const std::string& dir, const std::string& kind) {
  return dir + "/" + kind + ".hdf5";
}

json run_datagen(const DatagenOptions& options) {
  return Suite(resolve_datagen_options(options)).run();
}

std::string dataset_cache_root() {
  if (const char* d = std::getenv("RELABEL_DATA"); d && *d) return d;
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : ".") + "/.cache/relabel/datasets";
}

std::string ensure_dataset_suite(const std::string& task, const std::string& cache_dir,
                                 DatagenOptions options) {
  options.task = task;
  options.out_dir = cache_dir.empty() ? dataset_cache_root() + "/" + task : cache_dir;
  // A finished suite is used as it is, whatever arguments generated it.
  if (auto s = read_summary(options.out_dir + "/" + kSummaryFile);
      s && s->value("status", "") == "done") {
    bool complete = true;
    for (const auto& kind : suite_kinds())
      complete = complete && fs::exists(suite_file(options.out_dir, kind));
    if (complete) return options.out_dir;
  }
  spdlog::info("datagen {}: suite missing in {}, generating it", task, options.out_dir);
  run_datagen(options);
  return options.out_dir;
}

std::pair<std::string, std::string> split_dataset_name(const std::string& name) {
  // Longest kind first: "medium-expert" and "medium-replay" also end in another kind's text.
  std::vector<std::string> kinds = suite_kinds();
  std::sort(kinds.begin(), kinds.end(),
            [](const auto& a, const auto& b) { return a.size() > b.size(); });
  for (const auto& kind : kinds) {
    const std::string suffix = "-" + kind;
    if (name.size() > suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      std::string task = name.substr(0, name.size() - suffix.size());
      envs::find_task(task);
      return {task, kind};
    }
  }
  throw Error("dataset name '" + name +
              "' is not <task>-<kind> with kind one of random, medium, "
              "medium-replay, expert, medium-expert");
}

}  // namespace relabel::datagen
