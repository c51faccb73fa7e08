// TD3+BC's torch path (td3bc.h): td3bc.cpp's updates as autograd over leaves that alias the flat
// parameter buffers, so they run on any device and never read a device value on the host
// (Fujimoto & Gu, NeurIPS 2021; CORL's losses).
#include <torch/torch.h>

#include "algos/offline/common.h"
#include "algos/offline/td3bc.h"

namespace relabel::algos {

using namespace offline_detail;

Metrics Td3Bc::update_torch(const Batch& in) {
  const auto opts = tensor_options(o_);
  const Batch b = on_device(in, opts);
  const int64_t B = b.obs.size(0);
  const double m = o_.max_action, clip = o_.noise_clip * o_.max_action;
  ++steps_;  // CORL's total_it: the actor steps when it is a multiple of policy_delay

  // Critic: MSE(Q1, y) + MSE(Q2, y), y = r + gamma (1 - d) min_i Q'_i(s', a'),
  // a' = clip(pi'(s') + clip(eps, +-noise_clip), +-max_action).
  torch::Tensor y;
  {
    torch::NoGradGuard no_grad;
    noise_ = from_host(draw_noise(B), opts).clamp(-clip, clip);
    const auto next_a = (actor_targ_.infer(b.next_obs) * m + noise_).clamp(-m, m);
    const auto s_a = torch::cat({b.next_obs, next_a}, 1);
    const auto target_q = torch::min(q_targ_.infer(s_a, 0), q_targ_.infer(s_a, 1)).reshape({B});
    y = b.rewards + o_.gamma * (1.0 - b.dones) * target_q;
  }
  const auto sa = torch::cat({b.obs, b.actions}, 1);
  const auto q0 = FastMlp::reference_forward(q_.shape(), critic_leaves_, sa, 0).reshape({B});
  const auto q1 = FastMlp::reference_forward(q_.shape(), critic_leaves_, sa, 1).reshape({B});
  const auto critic_loss = (q0 - y).pow(2).mean() + (q1 - y).pow(2).mean();
  critic_.zero_grad();
  critic_loss.backward();
  step_critic();

  Metrics out;
  out.set("critic_loss", critic_loss);
  if (steps_ % o_.policy_delay != 0) return out;

  // Actor (with the updated critic, whose parameters take no gradient here):
  // -lambda mean Q1(s, pi(s)) + MSE(pi(s), a), lambda = alpha / mean|Q1| (detached).
  const auto pi = FastMlp::reference_forward(actor_.shape(), actor_leaves_, b.obs, 0) * m;
  const auto q =
      FastMlp::reference_forward(q_.shape(), critic_values_, torch::cat({b.obs, pi}, 1), 0)
          .reshape({B});
  const auto lambda = o_.alpha / q.detach().abs().mean();
  const auto q_mean = q.mean();
  const auto bc_loss = (pi - b.actions).pow(2).mean();
  const auto actor_loss = -lambda * q_mean + bc_loss;
  actor_params_.zero_grad();
  actor_loss.backward();
  step_actor();
  out.set("actor_loss", actor_loss);
  out.set("bc_loss", bc_loss);
  out.set("q_mean", q_mean);
  out.set("lambda", lambda);
  return out;
}

}  // namespace relabel::algos
