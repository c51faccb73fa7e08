#include "algos/offline/td3bc.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include "algos/offline/common.h"
#include "algos/optim/archive_io.h"

namespace relabel::algos {

using namespace offline_detail;

namespace {
// A noise stream per (seed, rank), independent of the parameter-init stream.
uint64_t noise_seed(uint64_t seed, int64_t rank) {
  uint64_t z = seed + 0x9E3779B97F4A7C15ULL * (static_cast<uint64_t>(rank) + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;  // splitmix64 finaliser
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}
}  // namespace

Td3Bc::Td3Bc(const OfflineOptions& o, GradSync& sync)
    : o_(o),
      sync_(sync),
      q_({o.obs_dim + o.act_dim, o.hidden, o.layers, 1, 2, false}),
      q_targ_(q_.shape()),
      actor_({o.obs_dim, o.hidden, o.layers, o.act_dim, 1, true}),
      actor_targ_(actor_.shape()),
      noise_gen_(make_generator(noise_seed(o.seed, o.rank))) {
  const auto opts = tensor_options(o);
  critic_ = FlatParams(q_.param_specs("q."), opts);
  critic_target_ = FlatParams(q_.param_specs("q_target."), opts, false);
  actor_params_ = FlatParams(actor_.param_specs("actor."), opts);
  actor_target_ = FlatParams(actor_.param_specs("actor_target."), opts, false);
  q_.bind(critic_, 0);
  q_targ_.bind(critic_target_, 0);
  actor_.bind(actor_params_, 0);
  actor_targ_.bind(actor_target_, 0);

  auto gen = make_generator(o.seed);
  actor_.init_uniform(gen);
  q_.init_uniform(gen);
  sync_.broadcast_parameters({critic_.sync_tensor()});
  sync_.broadcast_parameters({actor_params_.sync_tensor()});
  {
    torch::NoGradGuard no_grad;
    critic_target_.values().copy_(critic_.values());
    actor_target_.values().copy_(actor_params_.values());
  }
  critic_adam_ = FlatAdam(critic_.values(), critic_.grads(), {o.lr});
  actor_adam_ = FlatAdam(actor_params_.values(), actor_params_.grads(), {o.lr});
}

void Td3Bc::ensure_workspaces(int64_t batch) {
  if (sa_.defined() && sa_.size(0) == batch) return;
  const auto opts = tensor_options(o_);
  sa_ = torch::empty({batch, o_.obs_dim + o_.act_dim}, opts);
  next_sa_ = torch::empty_like(sa_);
  pi_sa_ = torch::empty_like(sa_);
  noise_ = torch::empty({batch, o_.act_dim}, opts);
  dq_dpi_ = torch::empty({batch, o_.act_dim}, opts);
}

std::map<std::string, double> Td3Bc::update(const Batch& batch) {
  const int64_t B = check_batch(batch, o_);
  const int64_t od = o_.obs_dim, ad = o_.act_dim;
  const double m = o_.max_action;
  torch::NoGradGuard no_grad;
  ensure_workspaces(B);
  ++steps_;  // CORL's total_it: the actor steps when it is a multiple of policy_delay
  sa_.narrow(1, 0, od).copy_(batch.obs);
  sa_.narrow(1, od, ad).copy_(batch.actions);
  next_sa_.narrow(1, 0, od).copy_(batch.next_obs);
  const auto rewards = batch.rewards.reshape({B, 1});
  const auto dones = batch.dones.reshape({B, 1});

  // y = r + gamma (1 - d) min_i Q'_i(s', clip(pi'(s') + clip(eps), +-max_action)).
  if (noise_.is_cpu()) {
    noise_.normal_(0.0, o_.policy_noise * m, noise_gen_);
  } else {
    noise_.copy_(torch::empty({B, ad}).normal_(0.0, o_.policy_noise * m, noise_gen_));
  }
  noise_.clamp_(-o_.noise_clip * m, o_.noise_clip * m);
  actor_targ_.forward(tape_next_pi_, batch.next_obs);
  auto next_a = next_sa_.narrow(1, od, ad);
  at::add_out(next_a, noise_, tape_next_pi_.out(0), m);
  next_a.clamp_(-m, m);
  q_targ_.forward(tape_q_target_, next_sa_);
  const auto target_q = torch::minimum(tape_q_target_.out(0), tape_q_target_.out(1));
  const auto y = torch::addcmul(rewards, 1.0 - dones, target_q, o_.gamma);

  // Critic: MSE(Q1, y) + MSE(Q2, y).
  q_.forward(tape_q_, sa_);
  double critic_loss = 0;
  for (int64_t e = 0; e < 2; ++e) {
    auto g = tape_q_.grad_out(e);
    at::sub_out(g, tape_q_.out(e), y);
    critic_loss += g.pow(2).mean().item<double>();
    g.mul_(2.0 / B);
  }
  q_.backward(tape_q_, 0, 2, /*weight_grads=*/true);
  sync_.average_gradients({critic_.sync_tensor()});
  critic_.adopt_synced_grad();
  critic_adam_.step();

  std::map<std::string, double> out{{"critic_loss", critic_loss}};
  if (steps_ % o_.policy_delay != 0) return out;

  // Actor (with the updated critic): -lambda mean Q1(s, pi(s)) + MSE(pi(s), a),
  // lambda = alpha / mean|Q1| (detached).
  actor_.forward(tape_pi_, batch.obs);
  pi_sa_.narrow(1, 0, od).copy_(batch.obs);
  auto pi = pi_sa_.narrow(1, od, ad);
  at::mul_out(pi, tape_pi_.out(0), m);
  q_.forward(tape_q_pi_, pi_sa_, 0, 1);
  const auto& q1 = tape_q_pi_.out(0);
  const double lambda = o_.alpha / q1.abs().mean().item<double>();
  const auto diff = pi - batch.actions;
  const double bc_loss = diff.pow(2).mean().item<double>();
  const double q_mean = q1.mean().item<double>();
  tape_q_pi_.grad_out(0).fill_(-lambda / B);
  q_.backward(tape_q_pi_, 0, 1, /*weight_grads=*/false, dq_dpi_, od);
  // d/d mu with pi = max_action * mu: max_action (dQ/dpi + 2 (pi - a) / (B act)).
  auto dmu = tape_pi_.grad_out(0);
  at::add_out(dmu, dq_dpi_, diff, 2.0 / (B * ad));
  dmu.mul_(m);
  actor_.backward(tape_pi_, 0, 1, /*weight_grads=*/true);
  sync_.average_gradients({actor_params_.sync_tensor()});
  actor_params_.adopt_synced_grad();
  actor_adam_.step();

  critic_target_.values().lerp_(critic_.values(), o_.tau);
  actor_target_.values().lerp_(actor_params_.values(), o_.tau);
  out["actor_loss"] = -lambda * q_mean + bc_loss;
  out["bc_loss"] = bc_loss;
  out["q_mean"] = q_mean;
  out["lambda"] = lambda;
  return out;
}

torch::Tensor Td3Bc::act(const torch::Tensor& obs) {
  check_obs(obs, o_);
  torch::NoGradGuard no_grad;
  return actor_.infer(obs.to(tensor_options(o_))) * o_.max_action;
}

void Td3Bc::save(torch::serialize::OutputArchive& archive) const {
  save_algo(archive, "td3bc");
  write_int(archive, "steps", steps_);
  save_values(archive, "critic", critic_);
  save_values(archive, "critic_target", critic_target_);
  save_values(archive, "actor", actor_params_);
  save_values(archive, "actor_target", actor_target_);
  critic_adam_.save(archive, "critic_adam.");
  actor_adam_.save(archive, "actor_adam.");
  archive.write("noise_rng", noise_gen_.get_state(), /*is_buffer=*/true);
}

void Td3Bc::load(torch::serialize::InputArchive& archive) {
  check_algo(archive, "td3bc");
  steps_ = read_int(archive, "steps");
  load_values(archive, "critic", critic_);
  load_values(archive, "critic_target", critic_target_);
  load_values(archive, "actor", actor_params_);
  load_values(archive, "actor_target", actor_target_);
  critic_adam_.load(archive, "critic_adam.");
  actor_adam_.load(archive, "actor_adam.");
  auto state = noise_gen_.get_state();
  read_into(archive, "noise_rng", state);
  noise_gen_.set_state(state);
}

double Td3Bc::update_flops(int64_t batch) const {
  const double critic = actor_targ_.forward_flops(batch) + 2 * q_targ_.forward_flops(batch) +
                        2 * (q_.forward_flops(batch) + q_.backward_flops(batch, true, 0));
  // Actor step: pi(s), Q1(s, pi) and its input gradient for the action columns only.
  const double actor = actor_.forward_flops(batch) + q_.forward_flops(batch) +
                       q_.backward_flops(batch, false, o_.act_dim) +
                       actor_.backward_flops(batch, true, 0);
  return critic + actor / static_cast<double>(o_.policy_delay);
}

}  // namespace relabel::algos
