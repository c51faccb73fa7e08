#pragma once
// Offline policy learners (IQL, TD3+BC, behaviour cloning) behind one interface the run pipeline
// drives: update() on a batch, act() for evaluation, save()/load() into in-memory archives (the
// engine writes the files). Defaults are docs/algorithms.md's (CORL).
#include <torch/serialize/archive.h>
#include <torch/types.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "algos/batch.h"
#include "algos/metrics.h"
#include "algos/policy_registry.h"
#include "algos/sync.h"

namespace relabel::algos {

struct OfflineOptions {
  std::string algo = "iql";  // a registered offline policy.algo (iql, td3bc, bc, ...)
  Params params;             // the learner's own resolved [policy] keys (may be empty)
  int64_t obs_dim = 0;
  int64_t act_dim = 0;
  double max_action = 1.0;
  int64_t hidden = 256;
  int64_t layers = 2;  // hidden layers of every MLP
  double lr = 3e-4;    // Adam, all networks
  double gamma = 0.99;
  double tau = 0.005;  // Polyak
  // IQL
  double expectile = 0.7;
  double temperature = 3.0;   // beta
  double max_weight = 100.0;  // exp(beta * adv) clip
  bool deterministic_actor = false;
  bool actor_cosine = true;       // cosine-anneal the actor learning rate over total_steps
  int64_t total_steps = 1000000;  // T_max of the cosine schedule
  // TD3+BC
  double alpha = 2.5;
  double policy_noise = 0.2;  // times max_action
  double noise_clip = 0.5;    // times max_action
  int64_t policy_delay = 2;
  uint64_t seed = 0;  // parameter init (identical on every rank)
  int64_t rank = 0;   // decorrelates the TD3+BC target-noise stream between ranks
  std::string device = "cpu";
  // How an update is computed (issue 15): "fast" = the hand-written CPU kernels (FastMlp
  // backward, host loss loops, fused Adam), "torch" = the same mathematics in autograd and torch
  // ops, which run on any device without waiting for it; "auto" = fast on the CPU, torch
  // elsewhere. Both keep the same parameters, checkpoints and exported actor.
  std::string kernels = "auto";
};

// A learner's deterministic actor as plain tensors, what `relabel export` turns into a
// self-contained TorchScript module: h = relu(h W_l + b_l) for the hidden layers, then
// y = h W_L + b_L, tanh(y) when tanh_output, times max_action, clamped to +-max_action when clamp.
struct ActorWeights {
  std::vector<torch::Tensor> layers;  // per layer (in + 1, out): rows [0, in) W, row in b
  bool tanh_output = false;
  double max_action = 1.0;
  bool clamp = false;
};

class OfflineLearner {
 public:
  virtual ~OfflineLearner() = default;
  // One gradient step on `batch` (this rank's share of the global batch; moved to the learner's
  // device when it is elsewhere); returns its losses and metrics by name, on the learner's device
  // for the torch path (algos/metrics.h).
  virtual Metrics update(const Batch& batch) = 0;
  // Deterministic (mean) action for (n, obs_dim) observations -> (n, act_dim); no grad.
  virtual torch::Tensor act(const torch::Tensor& obs) = 0;
  // Everything a bit-identical continuation needs: networks, targets, optimiser moments and step
  // counts, schedule position, RNG state.
  virtual void save(torch::serialize::OutputArchive& archive) const = 0;
  virtual void load(torch::serialize::InputArchive& archive) = 0;
  virtual int64_t steps() const = 0;
  // GEMM FLOPs (2*M*N*K) of one update at `batch` rows, averaged over delayed steps.
  virtual double update_flops(int64_t batch) const = 0;
  // The actor act() evaluates, for export; a learner whose actor is not such an MLP says so
  // (relabel::Error naming it).
  virtual ActorWeights actor_weights() const;
};

// Validates `options` (relabel::Error naming the key) and builds the registered learner
// options.algo; its parameters are seeded from options.seed and then broadcast through `sync`.
std::unique_ptr<OfflineLearner> make_offline_learner(const OfflineOptions& options, GradSync& sync);

// Copies the keys present in options.params into the typed fields (IQL's and TD3+BC's).
void apply_params(OfflineOptions& options);

// True when `options` select the torch path: kernels = torch, or auto on a device other than the
// CPU.
bool uses_torch_path(const OfflineOptions& options);

}  // namespace relabel::algos
