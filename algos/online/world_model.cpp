#include "algos/online/world_model.h"

#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>
#include <torch/torch.h>

#include <cmath>

#include "algos/online/mppi.h"
#include "algos/online/world_model_math.h"
#include "algos/online/world_model_params.h"
#include "algos/optim/archive_io.h"
#include "algos/optim/flat_adam.h"
#include "algos/sync.h"
#include "core/error.h"
#include "core/seeding.h"

namespace relabel::algos {

using torch::Tensor;
using Params = std::vector<Tensor>;

struct WorldModelAgent::State {
  LatentReward* reward = nullptr;
  GradSync* sync = nullptr;
  torch::Device device{torch::kCPU};
  TwoHotBins bins;
  double gamma = 0.99;

  ParamLayout layout;
  NetSpec enc, dyn, rew, qs, pi;
  int64_t enc_end = 0, model_end = 0, q_begin = 0, q_end = 0;
  FlatBuffer params;
  Tensor target_q;      // values of [q_begin, q_end)
  Params target_views;  // layout views into target_q (Q tensors only)
  std::unique_ptr<FlatAdam> model_opt, pi_opt;
  at::Generator gen;
  double scale = 1.0;
  int64_t updates = 0;
  std::vector<MppiPlanner> planners[2];  // [0] acting, [1] evaluation

  Tensor encode(const Params& p, const Tensor& obs) const { return net_forward(enc, p, obs); }
  Tensor next(const Params& p, const Tensor& z, const Tensor& a) const {
    return net_forward(dyn, p, torch::cat({z, a}, -1));
  }
  // Logits (num_q, ..., bins) of every Q network.
  Tensor q_all(const Params& p, const Tensor& z, const Tensor& a, at::Generator* drop) const {
    auto x = torch::cat({z, a}, -1);
    auto lead = x.sizes().vec();
    auto out = net_forward(qs, p, x.reshape({-1, x.size(-1)}), drop);
    lead.back() = out.size(-1);
    lead.insert(lead.begin(), out.size(0));
    return out.view(lead);
  }
  Tensor to_value(const Tensor& logits, const WorldModelOptions& o) const {
    return o.two_hot ? two_hot_inv(logits, bins) : logits.squeeze(-1);
  }
  // Two distinct Q networks drawn at random: min (TD targets) or mean (policy loss, planning).
  Tensor q_pair(const Params& p, const Tensor& z, const Tensor& a, bool take_min,
                at::Generator* drop, const WorldModelOptions& o) {
    auto logits = q_all(p, z, a, drop);
    const int64_t n = o.num_q;
    auto draw = torch::randint(n * (n - 1), {1}, gen, torch::kLong).item<int64_t>();
    const int64_t i = draw / (n - 1);
    int64_t j = draw % (n - 1);
    if (j >= i) ++j;
    auto q1 = to_value(logits[i], o), q2 = to_value(logits[j], o);
    return take_min ? torch::min(q1, q2) : (q1 + q2) * 0.5;
  }
  struct PolicyOut {
    Tensor mean, sample, log_prob;
  };
  // Tanh-Gaussian policy prior; log-std squashed into [log_std_min, log_std_max] (TD-MPC2).
  // Without `sample` only the mean is computed (no draw from the generator).
  PolicyOut policy(const Params& p, const Tensor& z, const WorldModelOptions& o,
                   bool sample = true) {
    auto out = net_forward(pi, p, z);
    auto mu = out.narrow(-1, 0, o.act_dim);
    if (!sample) return {torch::tanh(mu), Tensor(), Tensor()};
    auto log_std = o.log_std_min + 0.5 * (o.log_std_max - o.log_std_min) *
                                       (torch::tanh(out.narrow(-1, o.act_dim, o.act_dim)) + 1.0);
    auto eps = torch::randn(mu.sizes(), gen, torch::kFloat32).to(device);
    auto u = mu + eps * log_std.exp();
    static const double kHalfLog2Pi = 0.5 * std::log(2.0 * M_PI);
    auto log_prob = (-0.5 * eps.square() - log_std).sum(-1) - kHalfLog2Pi * o.act_dim;
    auto a = torch::tanh(u);
    log_prob = log_prob - torch::log(torch::relu(1.0 - a.square()) + 1e-6).sum(-1);
    return {torch::tanh(mu), a, log_prob};
  }
  Tensor latent_reward(const Params& p, const Tensor& z, const Tensor& a,
                       const WorldModelOptions& o) const {
    if (reward) return reward->reward(p, z, a);
    return to_value(net_forward(rew, p, torch::cat({z, a}, -1)), o);
  }
  MppiModel mppi_model(const WorldModelOptions& o) {
    const Params& p = params.frozen;
    MppiModel m;
    m.next = [this, &p](const Tensor& z, const Tensor& a) { return next(p, z, a); };
    m.reward = [this, &p, &o](const Tensor& z, const Tensor& a) {
      return latent_reward(p, z, a, o);
    };
    m.policy = [this, &p, &o](const Tensor& z) { return policy(p, z, o).sample; };
    m.value = [this, &p, &o](const Tensor& z, const Tensor& a) {
      return q_pair(p, z, a, false, nullptr, o);
    };
    m.discount = gamma;
    return m;
  }
  void clip(Tensor grads, double max_norm) {
    auto norm = grads.norm().item<double>();
    if (norm > max_norm) grads.mul_(max_norm / (norm + 1e-6));
  }
  void sync_grads() {
    if (!sync) return;
    sync->average_gradients({params.sync});
    params.adopt_synced_grad();
  }
};

WorldModelAgent::WorldModelAgent(const WorldModelOptions& options, LatentReward* reward,
                                 GradSync* sync)
    : options_(options), s_(new State) {
  check_world_model_options(options_);
  const auto& o = options_;
  auto& s = *s_;
  s.reward = reward;
  s.sync = sync;
  s.device = torch::Device(o.device);
  s.bins = {o.num_bins, o.vmin, o.vmax};
  s.gamma = o.gamma > 0.0 ? o.gamma : discount_for_episode_length(o.episode_length);
  s.gen = at::make_generator<at::CPUGeneratorImpl>(o.seed);

  const int64_t L = o.latent_dim, A = o.act_dim, M = o.mlp_dim;
  const int64_t heads = o.two_hot ? o.num_bins : 1;
  auto& l = s.layout;
  s.enc = declare_net(l, "encoder", 1, {o.obs_dim, o.enc_dim, L}, true, 0.0, o.simnorm_group);
  s.enc_end = l.total();
  s.dyn = declare_net(l, "dynamics", 1, {L + A, M, M, L}, true, 0.0, o.simnorm_group);
  if (!reward) s.rew = declare_net(l, "reward", 1, {L + A, M, M, heads});
  s.q_begin = l.total();
  s.qs = declare_net(l, "q", o.num_q, {L + A, M, M, heads}, false, o.q_dropout);
  s.q_end = l.total();
  if (reward) reward->declare(l);
  s.model_end = l.total();
  s.pi = declare_net(l, "pi", 1, {L, M, M, 2 * A});

  s.params = FlatBuffer(l, torch::TensorOptions().device(s.device), true);
  const Params& v = s.params.frozen;
  for (const NetSpec* net : {&s.enc, &s.dyn, &s.qs, &s.pi})
    init_net(*net, v, NetInit::TruncNormal, s.gen);
  zero_output_weight(s.qs, v);
  if (!reward) {
    init_net(s.rew, v, NetInit::TruncNormal, s.gen);
    zero_output_weight(s.rew, v);
  }
  if (reward) reward->init(v, s.gen);
  s.gen.set_current_seed(relabel::mix_seed(o.seed, static_cast<uint64_t>(o.rank) + 1));
  if (sync) sync->broadcast_parameters({s.params.values});
  s.target_q = s.params.values.narrow(0, s.q_begin, s.q_end - s.q_begin).clone();
  s.target_views = l.views(s.target_q, s.q_begin);

  auto& vals = s.params.values;
  auto& grads = s.params.grads;
  FlatAdam::Options adam;
  adam.lr = o.lr;
  adam.fused = false;  // torch's op sequence: see FlatAdam::Options::fused
  s.model_opt = std::make_unique<FlatAdam>(
      vals.narrow(0, 0, s.model_end), grads.narrow(0, 0, s.model_end), adam,
      std::vector<FlatAdam::Group>{{0, s.enc_end, o.lr * o.enc_lr_scale},
                                   {s.enc_end, s.model_end, o.lr}});
  FlatAdam::Options pi_adam = adam;
  pi_adam.eps = 1e-5;  // TD-MPC2's policy optimiser
  const int64_t pi_len = l.total() - s.model_end;
  s.pi_opt = std::make_unique<FlatAdam>(vals.narrow(0, s.model_end, pi_len),
                                        grads.narrow(0, s.model_end, pi_len), pi_adam);
}

WorldModelAgent::~WorldModelAgent() = default;

double WorldModelAgent::discount() const { return s_->gamma; }
int64_t WorldModelAgent::updates() const { return s_->updates; }
double WorldModelAgent::value_scale() const { return s_->scale; }
torch::Tensor WorldModelAgent::parameters() const { return s_->params.values.clone(); }
int64_t WorldModelAgent::num_parameters() const { return s_->params.values.numel(); }

std::map<std::string, double> WorldModelAgent::update(const SequenceBatch& replay,
                                                      const SequenceBatch* expert) {
  const auto& o = options_;
  auto& s = *s_;
  std::map<std::string, double> metrics;
  if (s.reward && (!expert || expert->size() == 0))
    throw Error("world model: a learned latent reward needs expert sequences in every update");
  Tensor obs = replay.obs, act = replay.actions;
  if (s.reward) {
    obs = torch::cat({obs, expert->obs}, 1);
    act = torch::cat({act, expert->actions}, 1);
  }
  obs = obs.to(s.device);
  act = (act.to(s.device) * (1.0 / o.max_action)).clamp(-1.0, 1.0);
  const int64_t H = act.size(0), N = act.size(1), Br = replay.size();
  if (H != o.horizon || obs.size(0) != H + 1)
    throw Error(
        fmt::format("world model: batch horizon {} but the agent's horizon is {}", H, o.horizon));
  const Params& P = s.params.leaves;
  const Params& Pd = s.params.frozen;
  auto rho = torch::pow(o.rho, torch::arange(H + 1, obs.options()));
  auto rho_h = rho.narrow(0, 0, H);

  // World model: latent rollout against the encoder's (no-grad) latents of the next states.
  s.params.zero_grad();
  Tensor next_z;
  {
    torch::NoGradGuard no_grad;
    next_z = s.encode(Pd, obs.narrow(0, 1, H));
  }
  Tensor z = s.encode(P, obs[0]);
  std::vector<Tensor> zs{z};
  Tensor consistency = torch::zeros({}, obs.options());
  for (int64_t t = 0; t < H; ++t) {
    z = s.next(P, z, act[t]);
    auto err = z - next_z[t];
    consistency = consistency + (err * err).mean() * std::pow(o.rho, double(t));
    zs.push_back(z);
  }
  auto Z = torch::stack(zs);  // (H+1, N, L)
  auto Zp = Z.narrow(0, 0, H);

  // TD targets: R + gamma * min of 2 random target Qs at (z', pi(z')). A learned reward is
  // evaluated on the rolled-out latents (CDRED release); its terminal transitions bootstrap,
  // as the release ignores terminations (masking them would make falling attractive under a
  // mostly negative imitation reward). With environment rewards terminals mask the bootstrap.
  // The rows Q and the prior train on: [0, Nv) (the replay rows come first).
  const int64_t Nv = o.value_on_expert ? N : Br;
  auto value_rows = [Nv](const Tensor& t) { return t.narrow(1, 0, Nv); };
  Tensor td, r;
  Tensor reward_loss = torch::zeros({}, obs.options());
  if (s.reward) {
    auto step = s.reward->train_step(P, Zp, act, Br, s.gen, metrics);
    r = step.reward;
    reward_loss = step.loss;
  } else {
    r = replay.rewards.to(s.device);
  }
  {
    torch::NoGradGuard no_grad;
    auto next_v = value_rows(next_z);
    auto pi_next = s.policy(Pd, next_v, o).sample;
    auto q_next = s.q_pair(s.target_views, next_v, pi_next, true, nullptr, o);
    auto cont = s.reward ? torch::ones_like(q_next) : 1.0 - replay.terminals.to(s.device);
    td = value_rows(r) + s.gamma * cont * q_next;
    // A diverged model makes the TD targets non-finite; two_hot would then index bins with
    // garbage. Stop with a clear error instead (the run keeps its last checkpoint).
    if (!torch::isfinite(td).all().item<bool>())
      throw RunError(
          fmt::format("world model: non-finite TD target at update {} (the model diverged; lower "
                      "policy.lr or check the reward scale)",
                      s.updates + 1));
  }
  auto logits = s.q_all(P, value_rows(Zp), value_rows(act), &s.gen);  // (num_q, H, Nv, bins)
  Tensor per_step;                                                    // (num_q, H)
  if (o.two_hot) {
    auto target = two_hot(td.reshape({-1}), s.bins).view({1, H, Nv, -1});
    per_step = -(target * torch::log_softmax(logits, -1)).sum(-1).mean(-1);
  } else {
    per_step = (logits.squeeze(-1) - td.unsqueeze(0)).square().mean(-1);
  }
  auto value_loss = (per_step * rho_h.unsqueeze(0)).sum() / double(H * o.num_q);
  if (!s.reward) {  // TD-MPC2's reward head on the environment rewards
    auto rl = net_forward(s.rew, P, torch::cat({Zp, act}, -1));  // (H, N, bins)
    Tensor rs;
    if (o.two_hot)
      rs = soft_ce(rl.reshape({H * N, -1}), r.reshape({-1}), s.bins).view({H, N}).mean(1);
    else
      rs = (rl.squeeze(-1) - r).square().mean(1);
    reward_loss = o.reward_coef * (rs * rho_h).sum() / double(H);
  }
  consistency = consistency / double(H);
  auto total = o.consistency_coef * consistency + o.value_coef * value_loss + reward_loss;
  total.backward();
  s.sync_grads();
  s.clip(s.params.grads.narrow(0, 0, s.model_end), o.grad_clip);
  s.model_opt->step();

  // Policy prior: maximise scaled Q plus a small entropy bonus over the (detached) latents;
  // the Q weights are the frozen views, so only the policy receives gradients.
  s.params.zero_grad();
  auto Zd = value_rows(Z.detach());
  auto pol = s.policy(P, Zd, o);
  auto q = s.q_pair(Pd, Zd, pol.sample, false, &s.gen, o);  // (H+1, Nv)
  {
    // Running 5th-95th percentile range of Q at the first step (TD-MPC2's RunningScale), the
    // same on every replica.
    torch::NoGradGuard no_grad;
    auto pct = torch::quantile(q[0].detach().to(torch::kFloat32),
                               torch::tensor({0.05f, 0.95f}).to(q.device()));
    double range = std::max((pct[1] - pct[0]).item<double>(), 1.0);
    if (s.sync && s.sync->world_size() > 1) {
      s.sync->all_reduce_sum(&range, 1);
      range /= s.sync->world_size();
    }
    s.scale += o.tau * (range - s.scale);
  }
  auto pi_loss = ((o.entropy_coef * pol.log_prob - q / s.scale).mean(1) * rho).mean();
  pi_loss.backward();
  s.sync_grads();
  s.clip(s.params.grads.narrow(0, s.model_end, s.params.grads.numel() - s.model_end), o.grad_clip);
  s.pi_opt->step();
  {
    torch::NoGradGuard no_grad;
    s.target_q.lerp_(s.params.values.narrow(0, s.q_begin, s.q_end - s.q_begin), o.tau);
  }
  ++s.updates;

  metrics["consistency_loss"] = consistency.item<double>();
  metrics["value_loss"] = value_loss.item<double>();
  metrics["reward_loss"] = reward_loss.item<double>();
  metrics["pi_loss"] = pi_loss.item<double>();
  metrics["entropy"] = -pol.log_prob.detach().mean().item<double>();
  metrics["reward_mean"] = r.mean().item<double>();
  metrics["td_target_mean"] = td.mean().item<double>();
  metrics["value_scale"] = s.scale;
  if (s.reward && N > Br) {
    metrics["reward_replay"] = r.narrow(1, 0, Br).mean().item<double>();
    metrics["reward_expert"] = r.narrow(1, Br, N - Br).mean().item<double>();
    // The transitions that end an episode (a fall on hopper): a learned reward that pays them
    // more than the agent's other steps teaches it to end episodes. Only when the batch has one.
    auto ends = replay.terminals.to(s.device) > 0.5;  // (H, Br)
    if (ends.any().item<bool>())
      metrics["reward_replay_terminal"] =
          r.narrow(1, 0, Br).masked_select(ends).mean().item<double>();
  }
  return metrics;
}

torch::Tensor WorldModelAgent::act(const torch::Tensor& obs, bool eval,
                                   const std::vector<uint8_t>& episode_start) {
  const auto& o = options_;
  auto& s = *s_;
  torch::NoGradGuard no_grad;
  auto x = obs.to(s.device, torch::kFloat32);
  if (x.dim() == 1) x = x.unsqueeze(0);
  if (x.size(1) != o.obs_dim)
    throw Error(fmt::format("world model act: observation has {} values, expected {}", x.size(1),
                            o.obs_dim));
  auto z = s.encode(s.params.frozen, x);
  Tensor a;
  if (!o.mppi) {
    auto pol = s.policy(s.params.frozen, z, o, !eval);
    a = eval ? pol.mean : pol.sample;
  } else {
    auto& planners = s.planners[eval ? 1 : 0];
    while (static_cast<int64_t>(planners.size()) < z.size(0))
      planners.emplace_back(o.planner, o.horizon, o.act_dim);
    auto model = s.mppi_model(o);
    std::vector<Tensor> rows;
    for (int64_t i = 0; i < z.size(0); ++i) {
      const bool start = i < static_cast<int64_t>(episode_start.size()) && episode_start[i];
      rows.push_back(planners[i].plan(model, z.narrow(0, i, 1), start, eval, s.gen));
    }
    a = torch::stack(rows);
  }
  return (a * o.max_action).to(torch::kCPU);
}

torch::Tensor WorldModelAgent::encode(const torch::Tensor& obs) const {
  torch::NoGradGuard no_grad;
  return s_->encode(s_->params.frozen, obs.to(s_->device, torch::kFloat32));
}

torch::Tensor WorldModelAgent::reward(const torch::Tensor& z, const torch::Tensor& actions) const {
  torch::NoGradGuard no_grad;
  auto a = (actions.to(s_->device, torch::kFloat32) * (1.0 / options_.max_action)).clamp(-1, 1);
  return s_->latent_reward(s_->params.frozen, z.to(s_->device), a, options_);
}

PriorActor WorldModelAgent::prior_actor() const {
  const auto& s = *s_;
  const Params& p = s.params.frozen;
  PriorActor out;
  out.simnorm_group = options_.simnorm_group;
  out.act_dim = options_.act_dim;
  out.max_action = options_.max_action;
  auto copy = [](const Tensor& t) { return t.detach().to(torch::kCPU, torch::kFloat32).clone(); };
  for (const NetSpec* net : {&s.enc, &s.pi}) {
    const size_t layers = net->sizes.size() - 1;
    int64_t k = net->first;
    for (size_t l = 0; l < layers; ++l) {
      PriorActor::Layer layer;
      layer.weight = copy(p[k++]);
      layer.bias = copy(p[k++]);
      const bool hidden = l + 1 < layers;
      if (hidden || net->simnorm_out) {
        layer.ln_gain = copy(p[k++]);
        layer.ln_shift = copy(p[k++]);
        layer.activation = hidden ? PriorActor::Activation::Mish : PriorActor::Activation::SimNorm;
      }
      out.layers.push_back(std::move(layer));
    }
  }
  return out;
}

namespace {
Tensor layout_signature(const ParamLayout& l) {
  return torch::tensor({l.total(), l.size()}, torch::kInt64);
}
}  // namespace

void WorldModelAgent::save(torch::serialize::OutputArchive& archive) const {
  const auto& s = *s_;
  archive.write("wm_layout", layout_signature(s.layout), true);
  archive.write("wm_params", s.params.values.clone(), true);
  archive.write("wm_target_q", s.target_q.clone(), true);
  s.model_opt->save(archive, "wm_model_opt.");
  s.pi_opt->save(archive, "wm_pi_opt.");
  archive.write("wm_scale", torch::tensor({s.scale}, torch::kFloat64), true);
  write_int(archive, "wm_updates", s.updates);
  archive.write("wm_generator", s.gen.get_state(), true);
  for (int k = 0; k < 2; ++k) {
    const auto& planners = s.planners[k];
    write_int(archive, fmt::format("wm_planners{}", k), static_cast<int64_t>(planners.size()));
    for (size_t i = 0; i < planners.size(); ++i) {
      const auto& m = planners[i].previous_mean();
      archive.write(fmt::format("wm_planner{}_{}", k, i), m.defined() ? m.cpu() : torch::empty({0}),
                    true);
    }
  }
  if (s.reward) s.reward->save(archive);
}

void WorldModelAgent::load(torch::serialize::InputArchive& archive) {
  auto& s = *s_;
  Tensor sig;
  if (!archive.try_read("wm_layout", sig, true))
    throw Error("world model checkpoint: missing 'wm_layout' (not a world-model checkpoint?)");
  if (!torch::equal(sig, layout_signature(s.layout)))
    throw Error(fmt::format(
        "world model checkpoint has {} parameters in {} tensors, this agent {} in {} (another "
        "preset, task or reward?)",
        sig[0].item<int64_t>(), sig[1].item<int64_t>(), s.layout.total(), s.layout.size()));
  read_into(archive, "wm_params", s.params.values);
  read_into(archive, "wm_target_q", s.target_q);
  s.model_opt->load(archive, "wm_model_opt.");
  s.pi_opt->load(archive, "wm_pi_opt.");
  auto scale = torch::empty({1}, torch::kFloat64);
  read_into(archive, "wm_scale", scale);
  s.scale = scale.item<double>();
  s.updates = read_int(archive, "wm_updates");
  Tensor gen_state;
  archive.read("wm_generator", gen_state, true);
  s.gen.set_state(gen_state);
  for (int k = 0; k < 2; ++k) {
    auto& planners = s.planners[k];
    planners.clear();
    const int64_t n = read_int(archive, fmt::format("wm_planners{}", k));
    for (int64_t i = 0; i < n; ++i) {
      planners.emplace_back(options_.planner, options_.horizon, options_.act_dim);
      Tensor m;
      archive.read(fmt::format("wm_planner{}_{}", k, i), m, true);
      if (m.numel() > 0) planners.back().set_previous_mean(m.to(s.device));
    }
  }
  if (s.reward) s.reward->load(archive);
}

}  // namespace relabel::algos
