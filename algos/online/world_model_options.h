#pragma once
// Options of the latent world-model agent (docs/algorithms.md, "Latent world-model agent"; TD-MPC2
// defaults, Hansen et al. 2024). Sizes come from a preset; every other number is the published
// default.
#include <cstdint>
#include <string>

namespace relabel::algos {

// MPPI planning (docs/algorithms.md; TD-MPC2's planner): horizon = the agent's horizon.
struct MppiOptions {
  int64_t iterations = 6;
  int64_t num_samples = 512;
  int64_t num_elites = 64;
  int64_t num_pi_trajs = 24;  // trajectories proposed by the policy prior
  double temperature = 0.5;
  double min_std = 0.05;
  double max_std = 2.0;
};

// Throws relabel::Error unless num_samples > num_pi_trajs, 1 <= num_elites <= num_samples,
// iterations >= 1 and horizon >= 1 (the planner's constructor and the agent's option check).
void check_mppi_options(const MppiOptions& options, int64_t horizon);

struct WorldModelOptions {
  int64_t obs_dim = 0;
  int64_t act_dim = 0;
  double max_action = 1.0;        // the agent works in [-1, 1]; act() and batches use env units
  int64_t episode_length = 1000;  // sets the discount (discount_for_episode_length)

  // Sizes: set by apply_world_model_preset().
  std::string preset = "cpu-small";
  int64_t enc_dim = 128;
  int64_t mlp_dim = 128;
  int64_t latent_dim = 64;
  int64_t num_q = 2;
  int64_t simnorm_group = 8;

  bool two_hot = true;  // false: scalar reward/value heads trained by MSE
  int64_t num_bins = 101;
  double vmin = -10.0, vmax = 10.0;

  int64_t horizon = 3;
  double rho = 0.5;  // weight rho^t of the loss at rollout step t
  double lr = 3e-4;
  double enc_lr_scale = 0.3;
  double grad_clip = 20.0;
  double tau = 0.01;
  double consistency_coef = 20.0;
  double reward_coef = 0.1;
  double value_coef = 0.1;
  double entropy_coef = 1e-4;
  // With a learned reward: Q and the policy prior also train on the expert rows (the CDRED
  // release); false: on the agent's replay rows only (policy.value_rows = "replay").
  bool value_on_expert = true;
  double log_std_min = -10.0, log_std_max = 2.0;
  double q_dropout = 0.01;
  double gamma = 0.0;  // 0 = discount_for_episode_length(episode_length)

  bool mppi = false;  // act by planning instead of with the policy prior
  MppiOptions planner;

  uint64_t seed = 0;  // initial weights: the same on every replica
  // Sampling noise (policy, dropout, ensemble picks, planner): seeded from (seed, rank) after
  // initialisation, so data-parallel replicas draw different noise.
  int rank = 0;
  std::string device = "cpu";
};

// "cpu-small" (enc 128, mlp 128, latent 64, num_q 2: fast enough for CPU tests), "1M" (enc 256,
// mlp 384, latent 128, num_q 2), "5M" (enc 256, mlp 512, latent 512, num_q 5). Throws
// relabel::Error naming policy.preset for another name.
void apply_world_model_preset(WorldModelOptions& options, const std::string& preset);

// TD-MPC2's heuristic: clip((L/5 - 1) / (L/5), 0.95, 0.995) for episode length L.
double discount_for_episode_length(int64_t episode_length);

// Throws relabel::Error for inconsistent options (non-positive sizes, latent width not a
// multiple of the SimNorm group, fewer than 2 Q networks, ...).
void check_world_model_options(const WorldModelOptions& options);

}  // namespace relabel::algos
