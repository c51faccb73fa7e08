#include "run/policy_export.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <torch/torch.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstring>
#include <filesystem>

#include "algos/online/world_model.h"
#include "algos/policy_registry.h"
#include "config/config_load.h"
#include "config/config_write.h"
#include "core/error.h"
#include "core/seeding.h"
#include "envs/evaluate.h"
#include "envs/registry.h"
#include "io/run_record.h"
#include "run/checkpoint.h"
#include "run/offline_run.h"
#include "run/online_run.h"

namespace relabel::run {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Doubles printed so that parsing gives the same value back (TorchScript source literals).
std::string literal(double x) { return fmt::format("{:.17g}", x); }

// forward(obs) of every policy module: (n, obs_dim) or (obs_dim,) observations in, h the batch.
constexpr const char* kForwardHead =
    "def forward(self, obs: Tensor) -> Tensor:\n"
    "    single = obs.dim() == 1\n"
    "    h = obs.float()\n"
    "    if single:\n"
    "        h = h.unsqueeze(0)\n";

// Ends `body` (kForwardHead and the layers, actions in h) and defines it as m's forward.
void define_forward(torch::jit::Module& m, std::string body) {
  body +=
      "    if single:\n"
      "        h = h.squeeze(0)\n"
      "    return h\n";
  m.define(body);
  m.eval();
}

torch::Tensor f32(const torch::Tensor& t) {
  return t.detach().to(torch::kCPU, torch::kFloat32).contiguous().clone();
}

// What evaluating the module needs, as module attributes (policy_info reads them back).
void register_info(torch::jit::Module& m, const PolicyInfo& info) {
  m.register_attribute("task", c10::StringType::get(), info.task);
  m.register_attribute("algo", c10::StringType::get(), info.algo);
  m.register_attribute("run_id", c10::StringType::get(), info.run_id);
  m.register_attribute("step", c10::IntType::get(), info.step);
  m.register_attribute("obs_dim", c10::IntType::get(), info.obs_dim);
  m.register_attribute("act_dim", c10::IntType::get(), info.act_dim);
  m.register_attribute("ref_random", c10::FloatType::get(), info.ref_random);
  m.register_attribute("ref_expert", c10::FloatType::get(), info.ref_expert);
  m.register_attribute("eval_seed", c10::IntType::get(), info.eval_seed);
  m.register_attribute("eval_episodes", c10::IntType::get(), info.eval_episodes);
  m.register_attribute("eval_return", c10::FloatType::get(), info.eval_return);
}

}  // namespace

torch::jit::Module make_policy_module(const algos::ActorWeights& actor,
                                      const torch::Tensor& obs_mean, const torch::Tensor& obs_std,
                                      const PolicyInfo& info) {
  if (actor.layers.empty()) throw Error("make_policy_module: the actor has no layers");
  torch::jit::Module m("RelabelPolicy");
  m.register_buffer("obs_mean", f32(obs_mean));
  m.register_buffer("obs_std", f32(obs_std));
  const size_t layers = actor.layers.size();
  for (size_t l = 0; l < layers; ++l)
    m.register_buffer("l" + std::to_string(l), f32(actor.layers[l]));
  register_info(m, info);
  // The same operations in the same order, on [W; b] matrices sliced as FastMlp::bind does, as
  // the run's normaliser and FastMlp::infer: the run's actions up to float rounding (BLAS may
  // sum in another order for another memory layout).
  std::string src = std::string(kForwardHead) + "    h = (h - self.obs_mean) / self.obs_std\n";
  for (size_t l = 0; l < layers; ++l) {
    const std::string i = std::to_string(l), in = std::to_string(actor.layers[l].size(0) - 1);
    src += "    h = torch.addmm(self.l" + i + "[" + in + "], h, self.l" + i + "[:" + in + "])\n";
    if (l + 1 < layers) src += "    h = torch.relu(h)\n";
  }
  if (actor.tanh_output) src += "    h = torch.tanh(h)\n";
  src += "    h = h * " + literal(actor.max_action) + "\n";
  if (actor.clamp)
    src += "    h = torch.clamp(h, " + literal(-actor.max_action) + ", " +
           literal(actor.max_action) + ")\n";
  define_forward(m, src);
  return m;
}

torch::jit::Module make_prior_policy_module(const algos::PriorActor& actor,
                                            const PolicyInfo& info) {
  if (actor.layers.empty()) throw Error("make_prior_policy_module: the actor has no layers");
  torch::jit::Module m("RelabelWorldModelPrior");
  register_info(m, info);
  // The operations of the agent's encoder and prior (algos/online/world_model_params.cpp,
  // net_forward; Mish and SimNorm as defined there), on raw observations: the world model does
  // not normalise them.
  std::string src = kForwardHead;
  for (size_t l = 0; l < actor.layers.size(); ++l) {
    const auto& layer = actor.layers[l];
    const std::string i = std::to_string(l);
    m.register_buffer("w" + i, f32(layer.weight));
    m.register_buffer("b" + i, f32(layer.bias));
    src += "    h = torch.addmm(self.b" + i + ", h, self.w" + i + ")\n";
    if (layer.activation == algos::PriorActor::Activation::None) continue;
    m.register_buffer("g" + i, f32(layer.ln_gain));
    m.register_buffer("s" + i, f32(layer.ln_shift));
    src += "    h = torch.layer_norm(h, [" + std::to_string(layer.weight.size(1)) + "], self.g" +
           i + ", self.s" + i + ", 1e-05)\n";
    if (layer.activation == algos::PriorActor::Activation::Mish)
      src += "    h = torch.mish(h)\n";
    else
      src += "    h = torch.softmax(h.reshape([h.size(0), -1, " +
             std::to_string(actor.simnorm_group) + "]), -1).reshape([h.size(0), -1])\n";
  }
  src += "    h = torch.tanh(h[:, :" + std::to_string(actor.act_dim) + "]) * " +
         literal(actor.max_action) + "\n";
  define_forward(m, src);
  return m;
}

PolicyInfo policy_info(const torch::jit::Module& m) {
  PolicyInfo info;
  try {
    info.task = m.attr("task").toStringRef();
    info.algo = m.attr("algo").toStringRef();
    info.run_id = m.attr("run_id").toStringRef();
    info.step = m.attr("step").toInt();
    info.obs_dim = m.attr("obs_dim").toInt();
    info.act_dim = m.attr("act_dim").toInt();
    info.ref_random = m.attr("ref_random").toDouble();
    info.ref_expert = m.attr("ref_expert").toDouble();
    info.eval_seed = m.attr("eval_seed").toInt();
    info.eval_episodes = m.attr("eval_episodes").toInt();
    info.eval_return = m.attr("eval_return").toDouble();
  } catch (const std::exception& e) {
    throw Error(std::string("not a relabel policy module (missing attribute): ") + e.what());
  }
  return info;
}

namespace {

// The module's attributes from the run's config and the checkpoint's metadata.
PolicyInfo run_policy_info(const std::string& run_dir, const config::RunConfig& config,
                           const CheckpointStore& store, int64_t step, const json& meta) {
  // The module is built from config.toml (sizes, normalisation, references): a file edited
  // since the run would describe another policy, or score this one against other references.
  const std::string hash = config::config_hash(config);
  if (meta.contains("config_hash") && meta["config_hash"] != hash)
    throw Error(fmt::format(
        "{}/config.toml: not the configuration {} was trained with (config hash {}, the "
        "checkpoint's {}): the file was edited; restore it",
        run_dir, store.path_for(step), hash, meta["config_hash"].get<std::string>()));
  const auto& task = envs::find_task(config.task.name);
  PolicyInfo info;
  info.task = config.task.name;
  info.algo = config.policy.algo;
  const auto record = io::read_run_record(run_dir);
  info.run_id = record ? record->id : config::config_hash(config);
  info.step = step;
  info.obs_dim = task.obs_dim;
  info.act_dim = task.act_dim;
  // Checkpoints written before the references travelled with them: the task's (or the
  // config's override of them).
  auto pick = [](double config_value, const json& meta_value, double task_value) {
    if (!std::isnan(config_value)) return config_value;
    return meta_value.is_number() ? meta_value.get<double>() : task_value;
  };
  info.ref_random =
      pick(config.task.ref_min_score, meta.value("ref_random", json()), task.ref_random_return);
  info.ref_expert =
      pick(config.task.ref_max_score, meta.value("ref_expert", json()), task.ref_expert_return);
  const auto curve = io::curve_from_json(meta.at("curve"), store.path_for(step));
  if (!curve.empty() && curve.back().step == step) {
    // Driver::evaluate's seed for evaluation round k = curve.size() - 1.
    info.eval_seed =
        static_cast<int64_t>(splitmix64(shared_seed(static_cast<uint64_t>(config.seed), "eval") +
                                        static_cast<uint64_t>(curve.size() - 1)));
    info.eval_episodes = config.train.eval_episodes;
    info.eval_return = curve.back().ret;
  }
  return info;
}

// The newest checkpoint that can be read. A newer one that cannot (a truncated copy) is skipped
// with the warning a resuming run gives (run/checkpoint.h), and left where it is: export and
// eval only read the run directory.
int64_t newest_step(const std::string& run_dir, const CheckpointStore& store) {
  const auto choice = store.newest_readable();
  if (!choice.step && choice.unreadable.empty())
    throw Error(run_dir +
                ": no checkpoint to export (ckpt/ is empty; a run writes one every "
                "train.checkpoint_every steps and at its end)");
  if (!choice.step) {
    std::string which;
    for (const auto& u : choice.unreadable)
      which += (which.empty() ? "" : "; ") + store.path_for(u.step) + ": " + u.why;
    throw Error(run_dir + ": no readable checkpoint to export (" + which + ")");
  }
  for (const auto& line : store.fallback_warnings(choice)) spdlog::warn("{}", line);
  return *choice.step;
}

// The world-model agent's policy prior (encoder, then the prior's mean). Rank 0's checkpoint:
// the replicas' weights are the same.
torch::jit::Module export_world_model_prior(const std::string& run_dir,
                                            const config::RunConfig& config, bool planner_prior) {
  const bool planned = config.policy.params.get<bool>("mppi");
  if (planned && !planner_prior)
    throw Error(fmt::format(
        "{}: policy.algo = \"world_model\" with policy.mppi = true acts by planning with its "
        "world model, which a standalone policy cannot do; relabel export --prior writes its "
        "policy prior instead (not the policy the run's scores are of)",
        run_dir));
  CheckpointStore store(run_dir + "/ckpt");
  const int64_t step = newest_step(run_dir, store);
  torch::serialize::InputArchive trainer_archive;
  const json meta = json::parse(store.load(
      step, [&](torch::serialize::InputArchive& a) { a.read("trainer", trainer_archive); }));
  // On the CPU whatever device trained it, as the offline learners' export.
  auto options = online_trainer_options(config, 0, config.parallel.ranks_per_run);
  options.agent.device = "cpu";
  std::unique_ptr<algos::LatentReward> reward;
  auto agent = load_checkpoint_agent(options, trainer_archive, reward);
  PolicyInfo info = run_policy_info(run_dir, config, store, step, meta);
  if (planned) {  // the run's evaluations are of the planner: nothing to repeat
    info.eval_seed = 0;
    info.eval_episodes = 0;
    info.eval_return = 0.0;
  }
  return make_prior_policy_module(agent->prior_actor(), info);
}

}  // namespace

torch::jit::Module export_run_policy(const std::string& run_dir, bool planner_prior) {
  const std::string config_path = run_dir + "/config.toml";
  if (!fs::is_directory(run_dir)) throw Error(run_dir + ": not a run directory");
  if (!fs::exists(config_path)) throw Error(run_dir + ": no config.toml (not a run directory)");
  const config::RunConfig config = config::load_run_config(config_path, {});
  if (config.policy.algo == "world_model")
    return export_world_model_prior(run_dir, config, planner_prior);
  if (planner_prior)
    throw Error(
        fmt::format("{}: --prior exports a world-model run's policy prior; this run's "
                    "policy.algo is \"{}\" (export it without --prior)",
                    run_dir, config.policy.algo));
  if (algos::find_policy_algo(config.policy.algo).online)
    throw Error(fmt::format("{}: relabel export has no exporter for the online agent \"{}\"",
                            run_dir, config.policy.algo));
  CheckpointStore store(run_dir + "/ckpt");
  const int64_t step = newest_step(run_dir, store);
  const auto& task = envs::find_task(config.task.name);
  torch::serialize::InputArchive learner_archive;
  torch::Tensor obs_mean, obs_std;
  const json meta = json::parse(store.load(step, [&](torch::serialize::InputArchive& a) {
    a.read("learner", learner_archive);
    a.read("obs_mean", obs_mean);
    a.read("obs_std", obs_std);
  }));
  algos::NoSync sync;
  // On the CPU whatever device trained it: checkpoints hold CPU tensors, the export is a CPU
  // module.
  auto options = offline_learner_options(config, task.obs_dim, task.act_dim, 0);
  options.device = "cpu";
  auto learner = algos::make_offline_learner(options, sync);
  learner->load(learner_archive);
  algos::ActorWeights actor;
  try {
    actor = learner->actor_weights();
  } catch (const Error& e) {
    throw Error(fmt::format("{}: policy.algo \"{}\": {}", run_dir, config.policy.algo, e.what()));
  }
  return make_policy_module(actor, obs_mean, obs_std,
                            run_policy_info(run_dir, config, store, step, meta));
}

void save_policy_module(torch::jit::Module& module, const std::string& path) {
  const fs::path target(path);
  if (fs::is_directory(target)) throw Error(path + ": is a directory; --out names the module file");
  const std::string tmp =
      (target.parent_path().empty() ? fs::path(".") : target.parent_path()).string() + "/.tmp-" +
      target.filename().string();
  try {
    module.save(tmp);
    fs::rename(tmp, target);
  } catch (const std::exception& e) {
    std::error_code ec;
    fs::remove(tmp, ec);
    // LibTorch's message carries a C++ stack trace after its first line.
    const std::string what = e.what();
    throw Error(path + ": cannot write the policy module: " + what.substr(0, what.find('\n')));
  }
}

torch::jit::Module load_policy_module(const std::string& path) {
  if (!fs::is_regular_file(path)) throw Error(path + ": no such policy file");
  torch::jit::Module m;
  try {
    m = torch::jit::load(path);
  } catch (const std::exception& e) {
    throw Error(path + ": not a TorchScript module (" +
                std::string(e.what()).substr(0, std::string(e.what()).find('\n')) + ")");
  }
  policy_info(m);  // throws when it lacks the attributes
  return m;
}

std::vector<double> evaluate_policy(torch::jit::Module& policy, const std::string& task,
                                    int episodes, uint64_t seed) {
  const auto info = policy_info(policy);
  const auto& t = envs::find_task(task);
  if (t.obs_dim != info.obs_dim || t.act_dim != info.act_dim)
    throw Error(fmt::format(
        "task {} has observations of {} and actions of {} dims, the policy ({}) {} and {}", task,
        t.obs_dim, t.act_dim, info.task, info.obs_dim, info.act_dim));
  const int64_t obs_dim = info.obs_dim, act_dim = info.act_dim;
  envs::BatchPolicy batch_policy = [&](const float* obs, int n, float* act) {
    torch::NoGradGuard no_grad;
    auto o = torch::from_blob(const_cast<float*>(obs), {n, obs_dim}, torch::kFloat32);
    auto a = policy.forward({o}).toTensor().contiguous();
    std::memcpy(act, a.data_ptr<float>(), sizeof(float) * n * act_dim);
  };
  return envs::evaluate(batch_policy, task, episodes, seed);
}

}  // namespace relabel::run
