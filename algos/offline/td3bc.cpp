#include "algos/offline/td3bc.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>

#include "algos/offline/common.h"
#include "algos/optim/archive_io.h"
#include "algos/optim/polyak.h"
#include "core/seeding.h"

namespace relabel::algos {

using namespace offline_detail;

// TD3+BC (Fujimoto & Gu, "A Minimalist Approach to Offline Reinforcement Learning", NeurIPS
// 2021); defaults as CORL's.
RELABEL_REGISTER_POLICY_ALGO([] {
  PolicyAlgoInfo a;
  a.name = "td3bc";
  a.doc = "TD3 with a behaviour-cloning term on the actor";
  a.paper = "Fujimoto & Gu, NeurIPS 2021; CORL defaults (Tarasov et al., NeurIPS 2023)";
  a.keys = {
      param("alpha", 2.5, "TD3+BC alpha (Q-term weight)").at_least(0),
      param("policy_noise", 0.2, "TD3+BC target policy noise (times max_action)").at_least(0),
      param("noise_clip", 0.5, "TD3+BC target noise clip (times max_action)").at_least(0),
      param("policy_delay", 2, "TD3+BC actor update every this many critic updates").at_least(1),
  };
  for (auto& k : a.keys) k.cite(a.paper);
  a.make_offline = [](const OfflineOptions& o, GradSync& sync) {
    return std::make_unique<Td3Bc>(o, sync);
  };
  return a;
}());

namespace {
// A noise stream per (seed, rank), independent of the parameter-init stream.
uint64_t noise_seed(uint64_t seed, int64_t rank) {
  return relabel::mix_seed(seed, static_cast<uint64_t>(rank));
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
  critic_target_values_ = critic_target_.values();
  actor_target_values_ = actor_target_.values();
  critic_adam_ = FlatAdam(critic_.values(), critic_.grads(), adam_options(o));
  actor_adam_ = FlatAdam(actor_params_.values(), actor_params_.grads(), adam_options(o));
  torch_path_ = uses_torch_path(o);
  if (torch_path_) {
    critic_leaves_ = critic_.leaves(0, critic_.size());
    actor_leaves_ = actor_params_.leaves(0, actor_params_.size());
    for (size_t i = 0; i < critic_.size(); ++i) critic_values_.push_back(critic_.param(i));
  }
}

void Td3Bc::ensure_workspaces(int64_t batch) {
  if (noise_.defined() && noise_.size(0) == batch) return;
  const auto opts = tensor_options(o_);
  next_a_ = torch::empty({batch, o_.act_dim}, opts);
  pi_ = torch::empty({batch, o_.act_dim}, opts);
  noise_ = torch::empty({batch, o_.act_dim}, opts);
  dq_dpi_ = torch::empty({batch, o_.act_dim}, opts);
}

Metrics Td3Bc::update(const Batch& batch) {
  check_batch(batch, o_);
  return torch_path_ ? update_torch(batch) : update_fast(batch);
}

torch::Tensor Td3Bc::draw_noise(int64_t batch) {
  return torch::empty({batch, o_.act_dim})
      .normal_(0.0, o_.policy_noise * o_.max_action, noise_gen_);
}

void Td3Bc::step_critic() {
  sync_.average_gradients({critic_.sync_tensor()});
  critic_.adopt_synced_grad();
  critic_adam_.step();
}

void Td3Bc::step_actor() {
  sync_.average_gradients({actor_params_.sync_tensor()});
  actor_params_.adopt_synced_grad();
  actor_adam_.step();
  polyak_update(critic_target_values_, critic_.values(), o_.tau);
  polyak_update(actor_target_values_, actor_params_.values(), o_.tau);
}

Metrics Td3Bc::update_fast(const Batch& batch) {
  const int64_t B = batch.obs.size(0);
  const int64_t od = o_.obs_dim, ad = o_.act_dim, n = B * ad;
  const float m = static_cast<float>(o_.max_action);
  torch::NoGradGuard no_grad;
  ensure_workspaces(B);
  ++steps_;  // CORL's total_it: the actor steps when it is a multiple of policy_delay

  // a' = clip(pi'(s') + clip(eps, +-noise_clip), +-max_action), eps ~ N(0, policy_noise), all
  // scaled by max_action.
  noise_.copy_(draw_noise(B));
  actor_targ_.forward(tape_next_pi_, batch.next_obs);
  {
    const auto noise = host(noise_), next_a = host(next_a_), mu = host(tape_next_pi_.out(0));
    float *pn = noise.data_ptr<float>(), *pa = next_a.data_ptr<float>();
    const float* pmu = mu.data_ptr<float>();
    const float clip = static_cast<float>(o_.noise_clip) * m;
    for (int64_t k = 0; k < n; ++k) {
      pn[k] = std::min(std::max(pn[k], -clip), clip);
      pa[k] = std::min(std::max(m * pmu[k] + pn[k], -m), m);
    }
    write_back(noise, noise_);
    write_back(next_a, next_a_);
  }
  q_targ_.forward(tape_q_target_, {batch.next_obs, next_a_});
  q_.forward(tape_q_, {batch.obs, batch.actions});

  // Critic: MSE(Q1, y) + MSE(Q2, y), y = r + gamma (1 - d) min_i Q'_i(s', a').
  double critic_loss = 0;
  {
    const auto tq0 = host(tape_q_target_.out(0)), tq1 = host(tape_q_target_.out(1)),
               q0 = host(tape_q_.out(0)), q1 = host(tape_q_.out(1)), r = host(batch.rewards),
               d = host(batch.dones), dq0 = host(tape_q_.grad_out(0)),
               dq1 = host(tape_q_.grad_out(1));
    const float *ptq0 = tq0.data_ptr<float>(), *ptq1 = tq1.data_ptr<float>();
    const float *pq0 = q0.data_ptr<float>(), *pq1 = q1.data_ptr<float>();
    const float *pr = r.data_ptr<float>(), *pd = d.data_ptr<float>();
    float *pdq0 = dq0.data_ptr<float>(), *pdq1 = dq1.data_ptr<float>();
    const float gamma = static_cast<float>(o_.gamma), two_over_b = 2.f / static_cast<float>(B);
    for (int64_t b = 0; b < B; ++b) {
      const float y = pr[b] + gamma * (1.f - pd[b]) * std::min(ptq0[b], ptq1[b]);
      const float e0 = pq0[b] - y, e1 = pq1[b] - y;
      critic_loss += double(e0) * e0 + double(e1) * e1;
      pdq0[b] = two_over_b * e0;
      pdq1[b] = two_over_b * e1;
    }
    critic_loss /= B;
    write_back(dq0, tape_q_.grad_out(0));
    write_back(dq1, tape_q_.grad_out(1));
  }
  q_.backward(tape_q_, 0, 2, /*weight_grads=*/true);
  step_critic();

  Metrics out{{"critic_loss", critic_loss}};
  if (steps_ % o_.policy_delay != 0) return out;

  // Actor (with the updated critic): -lambda mean Q1(s, pi(s)) + MSE(pi(s), a),
  // lambda = alpha / mean|Q1| (detached).
  actor_.forward(tape_pi_, batch.obs);
  at::mul_out(pi_, tape_pi_.out(0), m);
  q_.forward(tape_q_pi_, {batch.obs, pi_}, 0, 1);
  double q_abs = 0, q_mean = 0;
  {
    const auto q1 = host(tape_q_pi_.out(0));
    const float* pq = q1.data_ptr<float>();
    for (int64_t b = 0; b < B; ++b) {
      q_abs += std::abs(pq[b]);
      q_mean += pq[b];
    }
    q_abs /= B;
    q_mean /= B;
  }
  const double lambda = o_.alpha / q_abs;
  tape_q_pi_.grad_out(0).fill_(-lambda / B);
  q_.backward(tape_q_pi_, 0, 1, /*weight_grads=*/false, dq_dpi_, od);
  double bc_loss = 0;
  {
    // d/d mu with pi = max_action * mu: max_action (dQ/dpi + 2 (pi - a) / (B act)).
    const auto pi = host(pi_), a = host(batch.actions), dq = host(dq_dpi_),
               dmu = host(tape_pi_.grad_out(0));
    const float *ppi = pi.data_ptr<float>(), *pa = a.data_ptr<float>(), *pdq = dq.data_ptr<float>();
    float* pdmu = dmu.data_ptr<float>();
    const float scale = 2.f / static_cast<float>(n);
    for (int64_t k = 0; k < n; ++k) {
      const float diff = ppi[k] - pa[k];
      bc_loss += double(diff) * diff;
      pdmu[k] = m * (pdq[k] + scale * diff);
    }
    bc_loss /= n;
    write_back(dmu, tape_pi_.grad_out(0));
  }
  actor_.backward(tape_pi_, 0, 1, /*weight_grads=*/true);
  step_actor();
  out.set("actor_loss", -lambda * q_mean + bc_loss);
  out.set("bc_loss", bc_loss);
  out.set("q_mean", q_mean);
  out.set("lambda", lambda);
  return out;
}

ActorWeights Td3Bc::actor_weights() const {
  return offline_detail::actor_weights_of(actor_, o_.max_action, /*clamp=*/false);
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
