#include "algos/online/mppi.h"

#include <torch/torch.h>

namespace relabel::algos {

MppiPlanner::MppiPlanner(const MppiOptions& options, int64_t horizon, int64_t act_dim)
    : options_(options), horizon_(horizon), act_dim_(act_dim) {
  check_mppi_options(options, horizon);
}

torch::Tensor MppiPlanner::estimate_value(const MppiModel& model, const torch::Tensor& z0,
                                          const torch::Tensor& actions) const {
  torch::Tensor z = z0, ret = torch::zeros({z0.size(0)}, z0.options());
  double discount = 1.0;
  for (int64_t t = 0; t < actions.size(0); ++t) {
    ret = ret + discount * model.reward(z, actions[t]);
    z = model.next(z, actions[t]);
    discount *= model.discount;
  }
  return ret + discount * model.value(z, model.policy(z));
}

torch::Tensor MppiPlanner::plan(const MppiModel& model, const torch::Tensor& z, bool episode_start,
                                bool eval, at::Generator& gen) {
  torch::NoGradGuard no_grad;
  const int64_t H = horizon_, A = act_dim_, S = options_.num_samples, P = options_.num_pi_trajs,
                E = options_.num_elites;
  auto opts = z.options();
  auto actions = torch::empty({H, S, A}, opts);
  if (P > 0) {  // trajectories of the policy prior through the model
    auto zp = z.expand({P, z.size(1)});
    for (int64_t t = 0; t < H; ++t) {
      auto a = model.policy(zp);
      actions[t].narrow(0, 0, P).copy_(a);
      if (t + 1 < H) zp = model.next(zp, a);
    }
  }
  auto zs = z.expand({S, z.size(1)});
  auto mean = torch::zeros({H, A}, opts);
  auto std = torch::full({H, A}, options_.max_std, opts);
  if (!episode_start && prev_mean_.defined() && H > 1)
    mean.narrow(0, 0, H - 1).copy_(prev_mean_.narrow(0, 1, H - 1));
  torch::Tensor elite_actions, score;
  for (int64_t it = 0; it < options_.iterations; ++it) {
    auto noise = torch::randn({H, S - P, A}, gen, torch::kFloat32).to(opts.device());
    actions.narrow(1, P, S - P)
        .copy_((mean.unsqueeze(1) + std.unsqueeze(1) * noise).clamp(-1.0, 1.0));
    auto value = estimate_value(model, zs, actions).nan_to_num(0.0);
    auto elite = std::get<1>(value.topk(E));
    auto elite_value = value.index_select(0, elite);
    elite_actions = actions.index_select(1, elite);  // (H, E, A)
    score = (options_.temperature * (elite_value - elite_value.max())).exp();
    score = score / score.sum();
    auto w = score.view({1, E, 1});
    mean = (w * elite_actions).sum(1) / (score.sum() + 1e-9);
    std = ((w * (elite_actions - mean.unsqueeze(1)).square()).sum(1) / (score.sum() + 1e-9))
              .sqrt()
              .clamp(options_.min_std, options_.max_std);
  }
  // Execute the first action of one elite drawn with probability `score`.
  auto pick = torch::multinomial(score.cpu(), 1, /*replacement=*/true, gen).item<int64_t>();
  auto a = elite_actions[0][pick].clone();
  prev_mean_ = mean;
  if (!eval) a = a + std[0] * torch::randn({A}, gen, torch::kFloat32).to(opts.device());
  return a.clamp(-1.0, 1.0);
}

}  // namespace relabel::algos
