// A reward method and an offline learner defined and registered only in this file, the way a
// researcher adds their own: each is one RELABEL_REGISTER_* block beside its code, nothing else
// in the engine is edited. They run end to end through the run pipeline on 2 ranks (the shared
// pendulum suite), their keys validated by the config schema like the built-in ones.
#include <gtest/gtest.h>

#include <mpi.h>
#include <torch/torch.h>

#include <cmath>
#include <exception>

#include "algos/offline/learner.h"
#include "algos/policy_registry.h"
#include "algos/reward/reward_model.h"
#include "algos/reward/reward_registry.h"
#include "comm/mpi_collective.h"
#include "config/config_load.h"
#include "config/config_schema.h"
#include "config/config_write.h"
#include "config/registration_check.h"
#include "core/error.h"
#include "run/policy_export.h"
#include "run/run_pipeline.h"
#include "tests/run/run_helpers.h"

namespace relabel::test {
namespace {

// --- a reward method: the dataset's reward times a declared scale ----------------------------
class ScaledTruth final : public algos::RewardModel {
 public:
  ScaledTruth(double scale, double offset) : scale_(scale), offset_(offset) {}
  std::string method() const override { return "test_scaled_truth"; }
  void fit(const algos::RewardSupervision& sup, algos::GradSync& sync) override {
    // A collective no-op fit: every rank counts itself, so the sum proves both ranks fitted.
    double one = 1.0;
    sync.all_reduce_sum(&one, 1);
    ranks_fitted_ = one;
  }
  torch::Tensor annotate(const torch::Tensor& obs, const torch::Tensor&,
                         const torch::Tensor&) const override {
    throw Error("test_scaled_truth needs the true rewards");
  }
  bool needs_true_rewards() const override { return true; }
  torch::Tensor relabel(const torch::Tensor&, const torch::Tensor&, const torch::Tensor&,
                        const torch::Tensor& truth, const torch::Tensor&) const override {
    return truth.to(torch::kFloat32) * scale_ + offset_;
  }
  std::map<std::string, double> diagnostics(const algos::DiagnosticsInput& in) const override {
    auto truth = in.true_rewards.to(torch::kFloat64);
    auto mine = relabel(in.obs, in.actions, in.next_obs, in.true_rewards, {}).to(torch::kFloat64);
    return {{"test_ratio", (mine.sum() / truth.sum()).item<double>()},
            {"test_ranks_fitted", ranks_fitted_}};
  }

 private:
  double scale_, offset_;
  double ranks_fitted_ = 0.0;
};

RELABEL_REGISTER_REWARD_METHOD([] {
  algos::RewardMethodInfo m;
  m.name = "test_scaled_truth";
  m.doc = "the dataset's reward times test_scale (defined in a test)";
  m.needs_true_rewards = true;
  // test_offset came later: at 0 the method computes what it did before, so runs finished
  // without the key keep their config hash.
  m.keys = {param("test_scale", 1.0, "factor on the true reward").positive(),
            param("test_offset", 0.0, "added to the scaled reward").added_later()};
  m.label = [](const Params& p) {
    return "scaled" + value_text(ConfigValue(p.get<double>("test_scale")));
  };
  m.make = [](const algos::RewardOptions& o) {
    return std::make_unique<ScaledTruth>(o.params.get<double>("test_scale"),
                                         o.params.get<double>("test_offset"));
  };
  return m;
}());

// --- an offline learner: a linear policy regressed on the dataset's actions -----------------
class LinearBc final : public algos::OfflineLearner {
 public:
  LinearBc(const algos::OfflineOptions& o, algos::GradSync& sync)
      : sync_(sync), lr_(o.params.get<double>("test_lr")) {
    w_ = torch::zeros({o.obs_dim + 1, o.act_dim}).requires_grad_(true);
    sync_.broadcast_parameters({w_});
  }
  algos::Metrics update(const algos::Batch& b) override {
    auto x = torch::cat({b.obs, torch::ones({b.obs.size(0), 1})}, 1);
    auto loss = (x.matmul(w_) - b.actions).pow(2).mean();
    w_.mutable_grad() = torch::Tensor();
    loss.backward();
    sync_.average_gradients({w_});  // replicas stay identical
    {
      torch::NoGradGuard no_grad;
      w_ -= lr_ * w_.grad();
    }
    ++steps_;
    algos::Metrics m;
    m.set("loss", loss.detach());  // read only when a metrics line is written
    return m;
  }
  torch::Tensor act(const torch::Tensor& obs) override {
    torch::NoGradGuard no_grad;
    return torch::cat({obs, torch::ones({obs.size(0), 1})}, 1).matmul(w_).clamp(-2.0, 2.0);
  }
  void save(torch::serialize::OutputArchive& a) const override {
    a.write("w", w_);
    a.write("steps", torch::tensor(steps_));
  }
  void load(torch::serialize::InputArchive& a) override {
    torch::Tensor s, w;
    a.read("w", w);
    {
      torch::NoGradGuard no_grad;
      w_.copy_(w);
    }
    a.read("steps", s);
    steps_ = s.item<int64_t>();
  }
  int64_t steps() const override { return steps_; }
  double update_flops(int64_t batch) const override { return 4.0 * batch * w_.numel(); }

 private:
  algos::GradSync& sync_;
  double lr_;
  torch::Tensor w_;
  int64_t steps_ = 0;
};

RELABEL_REGISTER_POLICY_ALGO([] {
  algos::PolicyAlgoInfo a;
  a.name = "test_linear_bc";
  a.doc = "a linear policy regressed on the dataset's actions (defined in a test)";
  a.keys = {param("test_lr", 0.05, "gradient step size").in(0, 1, true, false)};
  a.make_offline = [](const algos::OfflineOptions& o, algos::GradSync& sync) {
    return std::make_unique<LinearBc>(o, sync);
  };
  return a;
}());

// One directory for both ranks (rank 0 makes it).
std::string shared_dir(std::unique_ptr<TempDir>& holder) {
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  std::string path;
  if (rank == 0) holder = std::make_unique<TempDir>("relabel-custom"), path = holder->path();
  int n = static_cast<int>(path.size());
  MPI_Bcast(&n, 1, MPI_INT, 0, MPI_COMM_WORLD);
  path.resize(n);
  MPI_Bcast(path.data(), n, MPI_CHAR, 0, MPI_COMM_WORLD);
  return path;
}

relabel::config::RunConfig load(const std::string& dir, const std::vector<std::string>& sets) {
  // A new file per call: rank 0 must not rewrite a file the other rank may still be reading
  // (every rank calls load the same number of times, so the names agree).
  static int calls = 0;
  const std::string cfg = dir + "/custom" + std::to_string(calls++) + ".toml";
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (rank == 0)
    write_file(cfg, pendulum_config(dir + "/run", "test_scaled_truth", "test_linear_bc", 400,
                                    "[parallel]\nranks_per_run = 2\n"));
  MPI_Barrier(MPI_COMM_WORLD);
  // Both ranks finish reading before either goes on: rank 0 removes the directory when its test
  // ends, and a loaded rank 1 could otherwise still be opening the file ("file not found").
  std::exception_ptr error;
  relabel::config::RunConfig config;
  try {
    config = relabel::config::load_run_config(cfg, sets);
  } catch (...) {
    error = std::current_exception();
  }
  MPI_Barrier(MPI_COMM_WORLD);
  if (error) std::rethrow_exception(error);
  return config;
}

TEST(CustomMethod, KeysAreValidatedByTheSchemaLikeBuiltInOnes) {
  // What a relabel binary holding them would check at startup.
  EXPECT_EQ(relabel::config::registration_problem(relabel::config::registered()), "");
  const relabel::config::KeySpec* scale = relabel::config::find_key("reward.test_scale");
  ASSERT_NE(scale, nullptr);
  EXPECT_EQ(scale->used_by, std::vector<std::string>{"test_scaled_truth"});
  const relabel::config::KeySpec* method = relabel::config::find_key("reward.method");
  EXPECT_NE(std::find(method->choices.begin(), method->choices.end(), "test_scaled_truth"),
            method->choices.end());
  std::unique_ptr<TempDir> holder;
  const std::string dir = shared_dir(holder);
  try {
    load(dir, {"reward.test_scale=-2"});
    FAIL() << "a negative test_scale must be refused";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "--set reward.test_scale: must be > 0, got -2.0");
  }
  try {
    load(dir, {"policy.test_lr=2"});
    FAIL() << "test_lr outside (0, 1] must be refused";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "--set policy.test_lr: must be in (0, 1], got 2.0");
  }
  // Resolution keeps exactly the selected method's and learner's keys.
  auto c = load(dir, {"reward.test_scale=3"});
  EXPECT_EQ(c.reward.params.get<double>("test_scale"), 3.0);
  EXPECT_FALSE(c.reward.params.has("beta"));
  EXPECT_EQ(c.policy.params.get<double>("test_lr"), 0.05);
  EXPECT_FALSE(c.policy.params.has("expectile"));
  // A built-in method's keys are not the custom one's.
  auto reload = load(dir, {"reward.method=reload", "policy.algo=iql"});
  EXPECT_FALSE(reload.reward.params.has("test_scale"));
  EXPECT_TRUE(reload.reward.params.has("beta"));
}

TEST(CustomMethod, AKeyAddedLaterStaysOutOfTheHashAtItsNeutralValue) {
  using relabel::config::config_hash;
  using relabel::config::to_toml;
  std::unique_ptr<TempDir> holder;
  const std::string dir = shared_dir(holder);
  // One name: it derives from the file's stem otherwise, and load writes a file per call.
  auto plain = load(dir, {"name=later", "reward.test_scale=3"});
  auto neutral = load(dir, {"name=later", "reward.test_scale=3", "reward.test_offset=0"});
  auto offset = load(dir, {"name=later", "reward.test_scale=3", "reward.test_offset=0.5"});
  // config.toml still says what the run used; the hashed text leaves the neutral key out...
  EXPECT_NE(to_toml(plain).find("test_offset = 0.0"), std::string::npos) << to_toml(plain);
  EXPECT_EQ(to_toml(plain, false).find("test_offset"), std::string::npos) << to_toml(plain, false);
  EXPECT_EQ(config_hash(plain), config_hash(neutral));
  // ... so it is the text an engine without the key hashed. Another value is another run.
  std::string with = to_toml(offset, false);
  const std::string line = "test_offset = 0.5\n";
  ASSERT_NE(with.find(line), std::string::npos) << with;
  EXPECT_EQ(with.erase(with.find(line), line.size()), to_toml(plain, false));
  EXPECT_NE(config_hash(offset), config_hash(plain));
}

TEST(CustomMethod, RunsEndToEndOnTwoRanks) {
  std::unique_ptr<TempDir> holder;
  const std::string dir = shared_dir(holder);
  auto config = load(dir, {"reward.test_scale=2"});
  relabel::comm::MpiCollective comm(MPI_COMM_WORLD);
  relabel::run::RunControl control;
  auto outcome = relabel::run::run_experiment(config, comm, control);
  EXPECT_EQ(outcome.status, relabel::run::RunStatus::Done);
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (rank == 0) {
    auto record = nlohmann::json::parse(read_file(dir + "/run/result.json"));
    EXPECT_EQ(record["status"], "done");
    EXPECT_EQ(record["method"], "scaled2.0+test_linear_bc");
    EXPECT_EQ(record["ranks"], 2);
    const auto& diag = record["reward_diagnostics"];
    EXPECT_NEAR(diag["test_ratio"].get<double>(), 2.0, 1e-9) << diag.dump();
    EXPECT_EQ(diag["test_ranks_fitted"].get<double>(), 2.0) << diag.dump();
    ASSERT_EQ(record["curve"].size(), 1u);
    EXPECT_TRUE(std::isfinite(record["final_score"].get<double>()));
    // The learner's own losses reach metrics.jsonl through the run skeleton.
    const std::string metrics = read_file(dir + "/run/metrics.jsonl");
    EXPECT_NE(metrics.find("\"loss\":"), std::string::npos) << metrics;
    const std::string toml = read_file(dir + "/run/config.toml");
    EXPECT_NE(toml.find("test_scale = 2.0"), std::string::npos) << toml;
    EXPECT_NE(toml.find("test_lr = 0.05"), std::string::npos) << toml;
    // The learner has no actor_weights(): relabel export / eval name it.
    try {
      relabel::run::export_run_policy(dir + "/run");
      ADD_FAILURE() << "a learner without actor_weights() was exported";
    } catch (const Error& e) {
      EXPECT_EQ(std::string(e.what()),
                dir +
                    "/run: policy.algo \"test_linear_bc\": this policy learner has no exportable "
                    "MLP actor: it does not implement OfflineLearner::actor_weights, which relabel "
                    "export and relabel eval need");
    }
  }
  MPI_Barrier(MPI_COMM_WORLD);
}

}  // namespace
}  // namespace relabel::test
