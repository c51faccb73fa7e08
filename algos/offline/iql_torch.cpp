// IQL's torch path (iql.h): the updates of iql.cpp's fast path, (1)-(5), written as autograd over
// leaves that alias the flat parameter buffer, so it runs on any device and never reads a device
// value on the host. Losses as CORL's (Kostrikov, Nair & Levine, ICLR 2022).
#include <torch/torch.h>

#include <cmath>

#include "algos/offline/common.h"
#include "algos/offline/iql.h"

namespace relabel::algos {

using namespace offline_detail;

Metrics Iql::update_torch(const Batch& in) {
  const Batch b = on_device(in, tensor_options(o_));
  const int64_t B = b.obs.size(0), A = o_.act_dim;
  const auto sa = torch::cat({b.obs, b.actions}, 1);

  // (1) next_v = V(s') and min_i Q_target_i(s, a), without gradients.
  torch::Tensor next_v, target_q;
  {
    torch::NoGradGuard no_grad;
    next_v = v_.infer(b.next_obs).reshape({B});
    target_q = torch::min(q_targ_.infer(sa, 0), q_targ_.infer(sa, 1)).reshape({B});
  }
  // (2) V by expectile regression: mean(|tau - 1(adv < 0)| adv^2).
  const auto v = FastMlp::reference_forward(v_.shape(), v_leaves_, b.obs, 0).reshape({B});
  const auto adv = target_q - v;
  const auto adv_d = adv.detach();
  const double tau = o_.expectile;
  const auto w_exp = (adv_d < 0).to(torch::kFloat32) * (1.0 - 2.0 * tau) + tau;
  const auto v_loss = (w_exp * adv * adv).mean();

  // (3) Q: mean of the two MSEs to y = r + gamma (1 - d) next_v.
  const auto y = b.rewards + o_.gamma * (1.0 - b.dones) * next_v;
  const auto q0 = FastMlp::reference_forward(q_.shape(), q_leaves_, sa, 0).reshape({B});
  const auto q1 = FastMlp::reference_forward(q_.shape(), q_leaves_, sa, 1).reshape({B});
  const auto q_loss = 0.5 * ((q0 - y).pow(2).mean() + (q1 - y).pow(2).mean());

  // (5) Actor: w = min(exp(beta adv), max_weight) with (2)'s advantages; dataset actions in the
  // actor's units a / max_action (see iql.cpp).
  const auto w = torch::exp(o_.temperature * adv_d).clamp_max(o_.max_weight);
  const auto mu = FastMlp::reference_forward(actor_.shape(), actor_leaves_, b.obs, 0);
  const auto target = o_.max_action == 1.0 ? b.actions : b.actions * (1.0 / o_.max_action);
  torch::Tensor actor_loss;
  if (o_.deterministic_actor) {
    actor_loss = (w * (mu - target).pow(2).sum(1)).mean();
  } else {  // -mean(w log N(a; mu, sigma)), log_std clamped (no gradient where the clamp holds)
    const auto ls = log_std_leaf_.clamp(kLogStdMin, kLogStdMax);
    const double half_log_2pi = 0.5 * std::log(2.0 * std::acos(-1.0));
    const auto log_prob = (-0.5 * (target - mu).pow(2) * torch::exp(-2.0 * ls)).sum(1) - ls.sum() -
                          static_cast<double>(A) * half_log_2pi;
    actor_loss = -(w * log_prob).mean();
  }

  // The three losses touch disjoint parameters (the cross terms are detached): one backward
  // fills the whole flat gradient, then one all-reduce and one Adam step as on the fast path.
  params_.zero_grad();
  (v_loss + q_loss + actor_loss).backward();
  step_optimiser();

  Metrics m;
  m.set("q_loss", q_loss);
  m.set("v_loss", v_loss);
  m.set("actor_loss", actor_loss);
  m.set("adv_mean", adv_d.mean());
  return m;
}

}  // namespace relabel::algos
