#include "algos/offline/iql.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "algos/offline/common.h"
#include "algos/optim/archive_io.h"
#include "algos/optim/cosine_schedule.h"
#include "algos/optim/polyak.h"

namespace relabel::algos {

using namespace offline_detail;

// IQL (Kostrikov, Nair & Levine, "Offline Reinforcement Learning with Implicit Q-Learning",
// ICLR 2022); defaults as CORL's (Tarasov et al., NeurIPS 2023 Datasets and Benchmarks).
RELABEL_REGISTER_POLICY_ALGO([] {
  PolicyAlgoInfo a;
  a.name = "iql";
  a.doc = "implicit Q-learning: expectile value, advantage-weighted actor";
  a.paper = "Kostrikov, Nair & Levine, ICLR 2022; CORL defaults (Tarasov et al., NeurIPS 2023)";
  a.episode_range_scaling = true;
  a.keys = {
      param("expectile", 0.7, "IQL expectile of the value loss").in(0, 1, true, true),
      param("temperature", 3.0, "IQL inverse temperature beta of the advantage weights")
          .at_least(0),
      param("max_weight", 100.0, "IQL clip of the advantage weight exp(beta*adv)").positive(),
      param("deterministic_actor", false,
            "IQL deterministic actor (weighted MSE) instead of Gaussian"),
      param("actor_cosine", true, "cosine-anneal the IQL actor learning rate over the run"),
  };
  for (auto& k : a.keys) k.cite(a.paper);
  a.make_offline = [](const OfflineOptions& o, GradSync& sync) {
    return std::make_unique<Iql>(o, sync);
  };
  return a;
}());

namespace {
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
  q_target_values_ = q_target_.values();
  TORCH_CHECK(q_region_.numel() == q_target_.numel(), "IQL: Q and target layouts differ");
  {
    torch::NoGradGuard no_grad;
    q_target_.values().copy_(q_region_);
  }
  adam_ =
      FlatAdam(params_.values(), params_.grads(), adam_options(o),
               {{0, v_begin, o.lr}, {v_begin, a_begin, o.lr}, {a_begin, params_.numel(), o.lr}});
  torch_path_ = uses_torch_path(o);
  if (torch_path_) {
    const size_t L = static_cast<size_t>(q_.num_layers());
    q_leaves_ = params_.leaves(0, L);
    v_leaves_ = params_.leaves(v_first_, L);
    actor_leaves_ = params_.leaves(actor_first_, L);
    if (!o.deterministic_actor) log_std_leaf_ = params_.leaves(log_std_, 1)[0];
  }
}

double Iql::actor_lr() const {
  return o_.actor_cosine ? cosine_annealing_lr(o_.lr, steps_, o_.total_steps) : o_.lr;
}

Metrics Iql::update(const Batch& batch) {
  check_batch(batch, o_);
  return torch_path_ ? update_torch(batch) : update_fast(batch);
}

void Iql::step_optimiser() {
  sync_.average_gradients({params_.sync_tensor()});
  params_.adopt_synced_grad();
  adam_.set_lr(2, actor_lr());
  adam_.step();
  polyak_update(q_target_values_, q_region_, o_.tau);
  ++steps_;
}

Metrics Iql::update_fast(const Batch& batch) {
  const int64_t B = batch.obs.size(0);
  const int64_t A = o_.act_dim;
  torch::NoGradGuard no_grad;
  // Each network's backward follows its forward while its activations are still in cache; every
  // forward sees the parameters from before this step's (single) optimiser step.
  // The loss heads are loops over the batch on host pointers (see host()).
  const float inv_b = 1.f / static_cast<float>(B);
  adv_.resize(B);

  // (1) next_v = V(s'); (2) V by expectile regression on adv = min_i Q_target_i(s, a) - V(s):
  // loss mean(|tau - 1(adv < 0)| adv^2).
  v_.forward(tape_next_v_, batch.next_obs);
  q_targ_.forward(tape_q_target_, {batch.obs, batch.actions});
  v_.forward(tape_v_, batch.obs);
  double v_loss = 0, adv_sum = 0;
  {
    const auto tq0 = host(tape_q_target_.out(0)), tq1 = host(tape_q_target_.out(1)),
               v = host(tape_v_.out(0)), dv = host(tape_v_.grad_out(0));
    const float *ptq0 = tq0.data_ptr<float>(), *ptq1 = tq1.data_ptr<float>(),
                *pv = v.data_ptr<float>();
    float* pdv = dv.data_ptr<float>();
    const float tau = static_cast<float>(o_.expectile);
    for (int64_t b = 0; b < B; ++b) {
      const float adv = std::min(ptq0[b], ptq1[b]) - pv[b];
      const float wexp = adv < 0 ? 1.f - tau : tau;
      v_loss += wexp * adv * adv;
      pdv[b] = -2.f * wexp * adv * inv_b;
      adv_[b] = adv;
      adv_sum += adv;
    }
    write_back(dv, tape_v_.grad_out(0));
  }
  v_.backward(tape_v_, 0, 1, /*weight_grads=*/true);

  // (3) Q: mean of the two MSEs to y = r + gamma (1 - d) next_v.
  q_.forward(tape_q_, {batch.obs, batch.actions});
  double q_loss = 0;
  {
    const auto next_v = host(tape_next_v_.out(0)), q0 = host(tape_q_.out(0)),
               q1 = host(tape_q_.out(1)), r = host(batch.rewards), d = host(batch.dones),
               dq0 = host(tape_q_.grad_out(0)), dq1 = host(tape_q_.grad_out(1));
    const float *pnv = next_v.data_ptr<float>(), *pq0 = q0.data_ptr<float>(),
                *pq1 = q1.data_ptr<float>(), *pr = r.data_ptr<float>(), *pd = d.data_ptr<float>();
    float *pdq0 = dq0.data_ptr<float>(), *pdq1 = dq1.data_ptr<float>();
    const float gamma = static_cast<float>(o_.gamma);
    for (int64_t b = 0; b < B; ++b) {
      const float y = pr[b] + gamma * (1.f - pd[b]) * pnv[b];
      const float e0 = pq0[b] - y, e1 = pq1[b] - y;
      q_loss += 0.5 * (double(e0) * e0 + double(e1) * e1);
      pdq0[b] = e0 * inv_b;
      pdq1[b] = e1 * inv_b;
    }
    write_back(dq0, tape_q_.grad_out(0));
    write_back(dq1, tape_q_.grad_out(1));
  }
  q_.backward(tape_q_, 0, 2, /*weight_grads=*/true);

  // (5) Actor: -mean(w log pi(a|s)) (or w ||pi(s) - a||^2), w = exp(beta adv) clipped at
  // max_weight, adv from step (2), detached.
  actor_.forward(tape_actor_, batch.obs);
  double actor_loss = 0;
  {
    const auto mu = host(tape_actor_.out(0)), a = host(batch.actions),
               dmu = host(tape_actor_.grad_out(0));
    const float *pmu = mu.data_ptr<float>(), *pa = a.data_ptr<float>();
    float* pdmu = dmu.data_ptr<float>();
    // Gaussian actor: state-independent log-std clamped to [-20, 2] (CORL GaussianPolicy).
    std::vector<float> ls(A, 0.f), inv_var(A, 1.f);
    std::vector<double> g_ls(A, 0.0);
    torch::Tensor log_std;
    double ls_sum = 0;
    if (!o_.deterministic_actor) {
      log_std = host(params_.param(log_std_));
      for (int64_t j = 0; j < A; ++j) {
        ls[j] =
            std::min(std::max(log_std.data_ptr<float>()[j], float(kLogStdMin)), float(kLogStdMax));
        inv_var[j] = std::exp(-2.f * ls[j]);
        ls_sum += ls[j];
      }
    }
    const double half_log_2pi = 0.5 * std::log(2.0 * std::acos(-1.0));
    const float beta = static_cast<float>(o_.temperature);
    const float max_w = static_cast<float>(o_.max_weight);
    // The actor's mean lives in [-1, 1] and act() scales it by max_action (CORL's
    // GaussianPolicy), so dataset actions are scored in the same units: a / max_action. For D4RL
    // locomotion (max_action 1) this is CORL exactly; pendulum's actions span [-2, 2].
    const bool unit = o_.max_action == 1.0;
    const float inv_max = static_cast<float>(1.0 / o_.max_action);
    for (int64_t b = 0; b < B; ++b) {
      const float w = std::min(std::exp(beta * adv_[b]), max_w);
      double per_sample = 0;
      for (int64_t j = 0; j < A; ++j) {
        const int64_t k = b * A + j;
        const float target = unit ? pa[k] : pa[k] * inv_max;
        if (o_.deterministic_actor) {
          const float diff = pmu[k] - target;
          per_sample += double(diff) * diff;
          pdmu[k] = 2.f * w * diff * inv_b;
        } else {  // log N(a; mu, sigma); the mean is tanh'd, no tanh correction
          const float diff = target - pmu[k];
          const float z2 = diff * diff * inv_var[j];
          per_sample -= 0.5 * z2;
          pdmu[k] = -w * inv_b * diff * inv_var[j];
          g_ls[j] += double(w) * (z2 - 1.f);
        }
      }
      actor_loss +=
          o_.deterministic_actor ? w * per_sample : -w * (per_sample - ls_sum - A * half_log_2pi);
    }
    write_back(dmu, tape_actor_.grad_out(0));
    if (!o_.deterministic_actor) {
      // d/d log_std_j = -(1/B) sum_b w_b (z2_bj - 1), zero where the clamp is active.
      auto g = torch::empty({A});
      for (int64_t j = 0; j < A; ++j) {
        const float x = log_std.data_ptr<float>()[j];
        const bool active = x >= kLogStdMin && x <= kLogStdMax;
        g.data_ptr<float>()[j] = active ? static_cast<float>(-g_ls[j] / B) : 0.f;
      }
      params_.grad(log_std_).copy_(g);
    }
  }
  actor_.backward(tape_actor_, 0, 1, /*weight_grads=*/true);

  // One all-reduce, one Adam step for Q, V and the actor, then (4) Polyak on Q_target.
  step_optimiser();
  return {{"q_loss", q_loss / B},
          {"v_loss", v_loss / B},
          {"actor_loss", actor_loss / B},
          {"adv_mean", adv_sum / B}};
}

ActorWeights Iql::actor_weights() const {
  return offline_detail::actor_weights_of(actor_, o_.max_action, /*clamp=*/true);
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
