#pragma once
// `relabel export` and `relabel eval`: a run's policy as a self-contained TorchScript module,
// forward(obs) -> action with the observation normalisation and the action scaling inside,
// deterministic, loadable with no relabel code by LibTorch (torch::jit::load) or PyTorch
// (torch.jit.load). The module also carries what evaluating it needs (task, reference returns).
#include <torch/script.h>

#include <cstdint>
#include <string>
#include <vector>

#include "algos/offline/learner.h"

namespace relabel::algos {
struct PriorActor;  // algos/online/world_model.h
}  // namespace relabel::algos

namespace relabel::run {

struct PolicyInfo {
  std::string task;
  std::string algo;
  std::string run_id;  // the run's id (config hash) or "" when built elsewhere
  int64_t step = 0;    // the checkpoint's step
  int64_t obs_dim = 0, act_dim = 0;
  double ref_random = 0.0, ref_expert = 0.0;  // normalised score = 100 (R - ref_random) / ...
  // The run's evaluation at `step` when its curve has one (eval_episodes > 0, else none): its
  // episodes' seed and count, and the mean return it recorded (relabel eval RUN_DIR repeats
  // exactly these episodes). The seed is a 64-bit hash kept bit for bit in a signed integer
  // (TorchScript's int): negative values are seeds like any other.
  int64_t eval_seed = 0;
  int64_t eval_episodes = 0;
  double eval_return = 0.0;
};

// A module whose forward maps (n, obs_dim) or (obs_dim,) observations to actions.
torch::jit::Module make_policy_module(const algos::ActorWeights& actor,
                                      const torch::Tensor& obs_mean, const torch::Tensor& obs_std,
                                      const PolicyInfo& info);
// The same for the world-model agent's policy prior, on raw observations.
torch::jit::Module make_prior_policy_module(const algos::PriorActor& actor, const PolicyInfo& info);
PolicyInfo policy_info(const torch::jit::Module& module);

// The policy of `run_dir`'s newest checkpoint: an offline learner's actor, or the world-model
// agent's policy prior (encoder, then the prior's mean: what the run acted with when
// policy.mppi = false). A run that planned (policy.mppi = true) is refused unless
// `planner_prior`, which exports its prior without the run's evaluation to repeat.
// relabel::Error naming the directory otherwise.
torch::jit::Module export_run_policy(const std::string& run_dir, bool planner_prior = false);

// Writes the module to `path` atomically (a temporary file, then rename).
void save_policy_module(torch::jit::Module& module, const std::string& path);
// torch::jit::load, with a relabel::Error naming the file when it is not a policy module.
torch::jit::Module load_policy_module(const std::string& path);

// The undiscounted returns of `episodes` deterministic episodes of `task` (episode k reset
// with seed mix_seed(seed, k), as a run's evaluation).
std::vector<double> evaluate_policy(torch::jit::Module& policy, const std::string& task,
                                    int episodes, uint64_t seed);

}  // namespace relabel::run
