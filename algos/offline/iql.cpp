#include "algos/offline/iql.h"

#include <torch/torch.h>

#include <cmath>

#include "algos/offline/common.h"
#include "algos/optim/archive_io.h"
#include "algos/optim/cosine_schedule.h"

namespace relabel::algos {

using namespace offline_detail;

namespace {
// Gaussian actor log-std clamp (CORL GaussianPolicy).
constexpr double kLogStdMin = -20.0, kLogStdMax = 2.0;

std::vector<ParamSpec> concat(std::vector<ParamSpec> a, const std::vector<ParamSpec>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}
}  // namespace

Iql::Iql(const OfflineOptions& o, GradSync& sync)
    : o_(o),
      sync_(sync),
      q_({o.obs_dim + o.act_dim, o.hidden, o.layers, 1, 2, false}),
      q_targ_(q_.shape()),
      v_({o.obs_dim, o.hidden, o.layers, 1, 1, false}),
      actor_({o.obs_dim, o.hidden, o.layers, o.act_dim, 1, true}) {
  const auto opts = tensor_options(o);
  auto specs = q_.param_specs("q.");
  v_first_ = specs.size();
  specs = concat(specs, v_.param_specs("v."));
  actor_first_ = specs.size();
  specs = concat(specs, actor_.param_specs("actor."));
  log_std_ = specs.size();
  if (!o.deterministic_actor) specs.push_back({"actor.log_std", {o.act_dim}});  // init 0
  params_ = FlatParams(specs, opts);
  q_target_ = FlatParams(q_.param_specs("q_target."), opts, /*with_grad=*/false);
  q_.bind(params_, 0);
  v_.bind(params_, v_first_);
  actor_.bind(params_, actor_first_);
  q_targ_.bind(q_target_, 0);

  auto gen = make_generator(o.seed);
  q_.init_uniform(gen);
  v_.init_uniform(gen);
  actor_.init_uniform(gen);
  sync_.broadcast_parameters({params_.sync_tensor()});

  const int64_t v_begin = params_.offset(v_first_), a_begin = params_.offset(actor_first_);
  q_region_ = params_.values().narrow(0, 0, v_begin);
  TORCH_CHECK(q_region_.numel() == q_target_.numel(), "IQL: Q and target layouts differ");
  {
    torch::NoGradGuard no_grad;
    q_target_.values().copy_(q_region_);
  }
  adam_ =
      FlatAdam(params_.values(), params_.grads(), {o.lr},
               {{0, v_begin, o.lr}, {v_begin, a_begin, o.lr}, {a_begin, params_.numel(), o.lr}});
}

double Iql::actor_lr() const {
  return o_.actor_cosine ? cosine_annealing_lr(o_.lr, steps_, o_.total_steps) : o_.lr;
}

void Iql::ensure_workspaces(int64_t batch) {
  if (sa_.defined() && sa_.size(0) == batch) return;
  sa_ = torch::empty({batch, o_.obs_dim + o_.act_dim}, tensor_options(o_));
  sa_obs_ = sa_.narrow(1, 0, o_.obs_dim);
  sa_act_ = sa_.narrow(1, o_.obs_dim, o_.act_dim);
}

std::map<std::string, double> Iql::update(const Batch& batch) {
  const int64_t B = check_batch(batch, o_);
  torch::NoGradGuard no_grad;
  ensure_workspaces(B);
  sa_obs_.copy_(batch.obs);
  sa_act_.copy_(batch.actions);
  const auto rewards = batch.rewards.reshape({B, 1});
  const auto dones = batch.dones.reshape({B, 1});

  // (1) next_v = V(s'), no gradient.
  v_.forward(tape_next_v_, batch.next_obs);
  const auto& next_v = tape_next_v_.out(0);

  // (2) V by expectile regression on adv = min_i Q_target_i(s, a) - V(s).
  q_targ_.forward(tape_q_target_, sa_);
  const auto target_q = torch::minimum(tape_q_target_.out(0), tape_q_target_.out(1));
  v_.forward(tape_v_, batch.obs);
  const auto adv = target_q - tape_v_.out(0);
  const auto weighted = torch::where(adv < 0, 1.0 - o_.expectile, o_.expectile) * adv;
  const double v_loss = (weighted * adv).mean().item<double>();
  // d/dv mean(|tau - 1(adv<0)| adv^2) = -2 |tau - 1(adv<0)| adv / B
  auto dv = tape_v_.grad_out(0);
  at::mul_out(dv, weighted, -2.0 / B);
  v_.backward(tape_v_, 0, 1, /*weight_grads=*/true);

  // (3) Q: mean of the two MSEs to r + gamma (1 - d) next_v.
  const auto y = torch::addcmul(rewards, 1.0 - dones, next_v, o_.gamma);
  q_.forward(tape_q_, sa_);
  double q_loss = 0;
  for (int64_t e = 0; e < 2; ++e) {
    auto g = tape_q_.grad_out(e);
    at::sub_out(g, tape_q_.out(e), y);
    q_loss += g.pow(2).mean().item<double>() / 2;
    g.mul_(1.0 / B);  // d/dq_e of (MSE_1 + MSE_2) / 2
  }
  q_.backward(tape_q_, 0, 2, /*weight_grads=*/true);

  // (5) Actor: -mean(w log pi(a|s)), w = exp(beta adv) clipped; adv from step (2), detached.
  const auto w = (adv * o_.temperature).exp_().clamp_max_(o_.max_weight);
  actor_.forward(tape_actor_, batch.obs);
  const auto& mu = tape_actor_.out(0);
  auto dmu = tape_actor_.grad_out(0);
  // The actor's mean lives in [-1, 1] and act() scales it by max_action (CORL's
  // GaussianPolicy), so dataset actions are scored in the same units: a / max_action. For D4RL
  // locomotion (max_action 1) this is CORL exactly; pendulum's actions span [-2, 2].
  const auto target = o_.max_action == 1.0 ? batch.actions : batch.actions / o_.max_action;
  double actor_loss;
  if (o_.deterministic_actor) {
    // w * ||pi(s) - a||^2
    const auto diff = mu - target;
    actor_loss = (w * diff.pow(2).sum(1, true)).mean().item<double>();
    at::mul_out(dmu, diff, w * (2.0 / B));
  } else {
    // log N(a; mu, sigma) summed over action dims; the mean is tanh'd, no tanh correction.
    const auto& log_std = params_.param(log_std_);
    const auto ls = log_std.clamp(kLogStdMin, kLogStdMax);
    const auto inv_var = (-2.0 * ls).exp();
    const auto diff = target - mu;
    const auto z2 = diff.pow(2) * inv_var;  // (B, act)
    const double log_2pi = std::log(2.0 * std::acos(-1.0));
    const auto log_prob = -0.5 * z2.sum(1, true) - ls.sum() - 0.5 * o_.act_dim * log_2pi;
    actor_loss = -(w * log_prob).mean().item<double>();
    at::mul_out(dmu, diff * inv_var, w * (-1.0 / B));
    // d/d log_std_j = -(1/B) sum_b w_b (z2_bj - 1), zero where the clamp is active.
    auto g_ls = params_.grad(log_std_);
    at::mul_out(g_ls, ((z2 - 1.0) * w).sum(0), -1.0 / B);
    g_ls.mul_((log_std >= kLogStdMin).logical_and_(log_std <= kLogStdMax));
  }
  actor_.backward(tape_actor_, 0, 1, /*weight_grads=*/true);

  // One all-reduce, one Adam step for Q, V and the actor, then (4) Polyak on Q_target.
  sync_.average_gradients({params_.sync_tensor()});
  params_.adopt_synced_grad();
  adam_.set_lr(2, actor_lr());
  adam_.step();
  q_target_.values().lerp_(q_region_, o_.tau);
  ++steps_;

  return {{"q_loss", q_loss},
          {"v_loss", v_loss},
          {"actor_loss", actor_loss},
          {"adv_mean", adv.mean().item<double>()}};
}

torch::Tensor Iql::act(const torch::Tensor& obs) {
  check_obs(obs, o_);
  torch::NoGradGuard no_grad;
  return (actor_.infer(obs.to(tensor_options(o_))) * o_.max_action)
      .clamp_(-o_.max_action, o_.max_action);
}

void Iql::save(torch::serialize::OutputArchive& archive) const {
  save_algo(archive, "iql");
  write_int(archive, "steps", steps_);
  save_values(archive, "params", params_);
  save_values(archive, "q_target", q_target_);
  adam_.save(archive, "adam.");
}

void Iql::load(torch::serialize::InputArchive& archive) {
  check_algo(archive, "iql");
  steps_ = read_int(archive, "steps");
  load_values(archive, "params", params_);
  load_values(archive, "q_target", q_target_);
  adam_.load(archive, "adam.");
}

double Iql::update_flops(int64_t batch) const {
  return v_.forward_flops(batch) +      // (1) V(s')
         2 * q_.forward_flops(batch) +  // (2) twin Q_target
         v_.forward_flops(batch) + v_.backward_flops(batch, true, 0) +
         2 * (q_.forward_flops(batch) + q_.backward_flops(batch, true, 0)) +   // (3)
         actor_.forward_flops(batch) + actor_.backward_flops(batch, true, 0);  // (5)
}

}  // namespace relabel::algos
