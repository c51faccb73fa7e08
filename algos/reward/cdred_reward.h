#pragma once
// CDRED reward: coupled distributional random expert distillation (Li, Huang & Su 2025,
// arXiv:2505.02228; docs/algorithms.md "CDRED"). K frozen random target networks map
// (z, a) to R^D; an expert predictor f_phi is distilled onto them on expert (z, a) and a
// behavioural predictor f_psi on replay (z, a). The distributional RND bonus (Yang et al. 2024,
// DRND) of a prediction f against the targets' mean mu and second moment B^2,
//   b(f) = alpha * sum_d (f - mu)^2 + (1 - alpha) * mean_d sqrt(|f^2 - mu^2| / (B^2 - mu^2 + eps)),
// is low where the predictor has seen data, and the reward couples both estimates:
//   R(z, a) = zeta * g(-sigma * b_phi) - (1 - zeta) * g(-sigma * b_psi),  g = identity | exp.
#include <torch/types.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "algos/online/world_model_params.h"
#include "algos/online/world_model_reward.h"
#include "algos/reward/reward_registry.h"

namespace relabel::algos {

enum class CdredG { Identity, Exp };

// "identity" | "exp"; anything else throws relabel::Error naming reward.g.
CdredG parse_cdred_g(const std::string& name);

struct CdredOptions {
  int64_t latent_dim = 0;
  int64_t act_dim = 0;
  int64_t num_targets = 5;          // K
  int64_t target_hidden = 512;      // targets MLP[z+a, h, h, output_dim]
  int64_t output_dim = 256;         // D
  int64_t predictor_hidden = 1024;  // predictors MLP[z+a, h x layers, output_dim]
  int64_t predictor_layers = 3;
  double alpha = 0.9;  // mix of the L2 term and the count-estimator term
  double zeta = 0.8;   // weight of the expert term; 1 = no behavioural coupling
  double sigma = 1.0;
  CdredG g = CdredG::Identity;
  double coef = 0.1;  // weight of the predictor losses in the world-model loss
  double rho = 0.5;   // per-step weight rho^t over the horizon
  double eps = 1e-8;  // keeps the count term finite where the K targets agree
  std::string device = "cpu";
};

// The K targets' mean mu and variance + eps per row and output, (..., D) each: all that b needs
// of the targets, computed once per row and shared by both predictors' bonuses.
struct CdredTargetMoments {
  torch::Tensor mean, var_eps;
};
// Target outputs (K, ..., D) -> their moments over K.
CdredTargetMoments cdred_moments(const torch::Tensor& targets, double eps);
// b(f) per row: prediction (..., D) against the moments of its targets -> (...).
torch::Tensor cdred_bonus(const torch::Tensor& prediction, const CdredTargetMoments& moments,
                          double alpha);
// b(f) per row: prediction (N, D), target outputs (K, N, D) -> (N,).
torch::Tensor cdred_bonus(const torch::Tensor& prediction, const torch::Tensor& targets,
                          double alpha, double eps);
// R from the expert and behavioural bonuses (N,) -> (N,).
torch::Tensor cdred_combine(const torch::Tensor& b_phi, const torch::Tensor& b_psi, double zeta,
                            double sigma, CdredG g);

// The CDRED options from the resolved [reward] keys (sizes of the latents are set later).
CdredOptions cdred_options(const Params& params);
// Builds CdredReward with `options` for the agent's latent shape.
LatentRewardFactory cdred_factory(const CdredOptions& options);

class CdredReward final : public LatentReward {
 public:
  explicit CdredReward(const CdredOptions& options);

  void declare(ParamLayout& layout) override;
  void init(const std::vector<torch::Tensor>& params, at::Generator& gen) override;
  torch::Tensor reward(const std::vector<torch::Tensor>& params, const torch::Tensor& z,
                       const torch::Tensor& a) const override;
  // The K targets are evaluated once per update and shared by the reward (TD targets) and the
  // predictor losses.
  Step train_step(const std::vector<torch::Tensor>& params, const torch::Tensor& z,
                  const torch::Tensor& a, int64_t replay_rows, at::Generator& gen,
                  std::map<std::string, double>& metrics) const override;
  void save(torch::serialize::OutputArchive& archive) const override;
  void load(torch::serialize::InputArchive& archive) override;

  // The K target outputs (K, N, D) for inputs x = [z, a] (N, latent + act). No gradient.
  // Evaluated as one computation: the K first layers as one GEMM on the shared input, the later
  // layers as batched products, each hidden layer's LayerNorm and Mish fused in place.
  torch::Tensor targets(const torch::Tensor& x) const;
  // The frozen targets' parameters, per layer weight (K, in, out), bias (K, 1, out) and, for the
  // hidden layers, LayerNorm gain and shift (K, 1, out): what targets() evaluates.
  const std::vector<torch::Tensor>& target_parameters() const { return target_params_.frozen; }
  // Both predictors' outputs (2, N, D) for inputs x = [z, a] (N, latent + act): member 0 the
  // expert predictor f_phi, member 1 the behavioural f_psi.
  torch::Tensor predictions(const std::vector<torch::Tensor>& params, const torch::Tensor& x) const;
  // (b_phi, b_psi) for latents (N, latent) and actions (N, act). No gradient.
  std::pair<torch::Tensor, torch::Tensor> bonuses(const std::vector<torch::Tensor>& params,
                                                  const torch::Tensor& z,
                                                  const torch::Tensor& a) const;
  const CdredOptions& options() const { return options_; }

 private:
  CdredOptions options_;
  NetSpec predictors_;  // ensemble of 2: member 0 = expert f_phi, member 1 = behavioural f_psi
  ParamLayout target_layout_;
  NetSpec targets_net_;  // ensemble of K frozen targets
  FlatBuffer target_params_;
  // The K first layers side by side, (in, K * hidden) and (K * hidden): one GEMM for all targets.
  // Rebuilt from target_params_ by init() and load().
  torch::Tensor first_weight_, first_bias_;
  void stack_first_layers();
};

}  // namespace relabel::algos
