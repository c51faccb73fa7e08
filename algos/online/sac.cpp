#include "algos/online/sac.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <cmath>

#include "algos/nets/mlp.h"
#include "algos/sync.h"
#include "core/error.h"

namespace relabel::algos {
namespace {

// PyTorch's default Linear initialisation (weights and biases U(±1/sqrt(fan_in))), drawn from the
// agent's own generator so that a seed fixes the initial networks without global state.
void init_linears(Mlp& net, at::Generator& gen) {
  torch::NoGradGuard no_grad;
  for (auto& m : net->modules(/*include_self=*/false)) {
    if (auto* lin = m->as<torch::nn::Linear>()) {
      const double bound = 1.0 / std::sqrt(static_cast<double>(lin->weight.size(1)));
      lin->weight.uniform_(-bound, bound, gen);
      lin->bias.uniform_(-bound, bound, gen);
    }
  }
}

void copy_params(const Mlp& from, Mlp& to) {
  torch::NoGradGuard no_grad;
  auto src = from->parameters(), dst = to->parameters();
  for (size_t i = 0; i < src.size(); ++i) dst[i].copy_(src[i]);
}

std::string dims_text(const torch::Tensor& t) {
  std::string s;
  for (int64_t i = 0; i < t.numel(); ++i)
    s += (i ? "/" : "") + std::to_string(t[i].item<int64_t>());
  return s;
}

}  // namespace

struct Sac::State {
  Mlp actor{nullptr}, q1{nullptr}, q2{nullptr}, q1_target{nullptr}, q2_target{nullptr};
  torch::Tensor log_alpha;
  std::unique_ptr<torch::optim::Adam> actor_opt, critic_opt, alpha_opt;
  std::vector<torch::Tensor> actor_params, critic_params, critic_target_params;
  at::Generator gen;
  torch::Device device{torch::kCPU};
  double target_entropy = 0.0;
  int64_t updates = 0;
  GradSync* sync = nullptr;

  // Reparameterised sample of the tanh-Gaussian policy: normalised action and log π(a|s).
  // log π = log N(u; μ, σ) − Σ log(1 − tanh(u)²) (Haarnoja et al. 2018, appendix C), with
  // log(1 − tanh(u)²) = 2 (log 2 − u − softplus(−2u)) for numerical stability.
  std::pair<torch::Tensor, torch::Tensor> sample(const torch::Tensor& obs, int64_t act_dim) {
    auto out = actor->forward(obs);
    auto mean = out.narrow(1, 0, act_dim);
    auto log_std = out.narrow(1, act_dim, act_dim).clamp(-20.0, 2.0);
    auto eps = torch::randn(mean.sizes(), gen, torch::kFloat32);
    if (!device.is_cpu()) eps = eps.to(device);
    auto u = mean + log_std.exp() * eps;
    static const double kHalfLog2Pi = 0.5 * std::log(2.0 * M_PI);
    auto log_prob = -0.5 * eps.square() - log_std - kHalfLog2Pi -
                    2.0 * (std::log(2.0) - u - torch::softplus(-2.0 * u));
    return {torch::tanh(u), log_prob.sum(1)};
  }

  void set_critics_trainable(bool on) {
    for (auto& p : critic_params) p.requires_grad_(on);
  }
};

Sac::Sac(const SacOptions& options, GradSync* sync) : options_(options), s_(new State) {
  if (options_.obs_dim <= 0 || options_.act_dim <= 0 || options_.hidden <= 0)
    throw Error("SAC: obs_dim, act_dim and hidden must be positive");
  if (!(options_.max_action > 0.0)) throw Error("SAC: max_action must be positive");
  auto& s = *s_;
  s.sync = sync;
  s.device = torch::Device(options_.device);
  s.gen = at::make_generator<at::CPUGeneratorImpl>(options_.seed);
  s.target_entropy = options_.target_entropy != 0.0 ? options_.target_entropy
                                                    : -static_cast<double>(options_.act_dim);
  const int64_t S = options_.obs_dim, A = options_.act_dim, H = options_.hidden;
  s.actor = make_mlp(S, H, 2, 2 * A);
  s.q1 = make_mlp(S + A, H, 2, 1);
  s.q2 = make_mlp(S + A, H, 2, 1);
  s.q1_target = make_mlp(S + A, H, 2, 1);
  s.q2_target = make_mlp(S + A, H, 2, 1);
  for (auto* net : {&s.actor, &s.q1, &s.q2}) init_linears(*net, s.gen);
  copy_params(s.q1, s.q1_target);
  copy_params(s.q2, s.q2_target);
  for (auto* net : {&s.actor, &s.q1, &s.q2, &s.q1_target, &s.q2_target}) (*net)->to(s.device);
  s.log_alpha = torch::full({1}, std::log(options_.init_alpha),
                            torch::TensorOptions().device(s.device).requires_grad(true));

  s.actor_params = s.actor->parameters();
  s.critic_params = s.q1->parameters();
  for (auto& p : s.q2->parameters()) s.critic_params.push_back(p);
  for (auto* t : {&s.q1_target, &s.q2_target})
    for (auto& p : (*t)->parameters()) {
      p.requires_grad_(false);
      s.critic_target_params.push_back(p);
    }
  if (sync) {
    sync->broadcast_parameters(s.actor_params);
    sync->broadcast_parameters(s.critic_params);
    sync->broadcast_parameters(s.critic_target_params);
  }
  auto adam = torch::optim::AdamOptions(options_.lr);
  s.actor_opt = std::make_unique<torch::optim::Adam>(s.actor_params, adam);
  s.critic_opt = std::make_unique<torch::optim::Adam>(s.critic_params, adam);
  s.alpha_opt = std::make_unique<torch::optim::Adam>(std::vector<torch::Tensor>{s.log_alpha}, adam);
}

Sac::~Sac() = default;

int64_t Sac::updates() const { return s_->updates; }

SacMetrics Sac::update(const Batch& batch) {
  auto& s = *s_;
  const int64_t A = options_.act_dim;
  const auto obs = batch.obs, next_obs = batch.next_obs;
  const auto actions =
      options_.max_action == 1.0 ? batch.actions : batch.actions * (1.0 / options_.max_action);
  const auto alpha = s.log_alpha.detach().exp();

  // Soft Bellman target y = r + γ(1 − d)(min_j Q'_j(s', a') − α log π(a'|s')), a' ~ π(·|s').
  torch::Tensor target;
  {
    torch::NoGradGuard no_grad;
    auto [next_a, next_logp] = s.sample(next_obs, A);
    auto x = torch::cat({next_obs, next_a}, 1);
    auto q_next = torch::min(s.q1_target->forward(x), s.q2_target->forward(x)).squeeze(1);
    target = batch.rewards + options_.gamma * (1.0 - batch.dones) * (q_next - alpha * next_logp);
  }

  // Critics: mean squared soft TD error of both heads.
  auto x = torch::cat({obs, actions}, 1);
  auto q1 = s.q1->forward(x).squeeze(1);
  auto q2 = s.q2->forward(x).squeeze(1);
  auto critic_loss = torch::mse_loss(q1, target) + torch::mse_loss(q2, target);
  s.critic_opt->zero_grad();
  critic_loss.backward();
  if (s.sync) s.sync->average_gradients(s.critic_params);
  s.critic_opt->step();

  // Actor: E[α log π(ã|s) − min_j Q_j(s, ã)], ã reparameterised. The critics are frozen for
  // this backward so no weight gradients are computed for them.
  s.set_critics_trainable(false);
  auto [new_a, logp] = s.sample(obs, A);
  auto xn = torch::cat({obs, new_a}, 1);
  auto q_new = torch::min(s.q1->forward(xn), s.q2->forward(xn)).squeeze(1);
  auto actor_loss = (alpha * logp - q_new).mean();
  s.actor_opt->zero_grad();
  actor_loss.backward();
  s.set_critics_trainable(true);
  if (s.sync) s.sync->average_gradients(s.actor_params);
  s.actor_opt->step();

  // Temperature: J(α) = E[−log α (log π(ã|s) + H̄)] with target entropy H̄ = −act_dim (the paper
  // optimises log α).
  auto logp_d = logp.detach();
  auto alpha_loss = -(s.log_alpha * (logp_d + s.target_entropy)).mean();
  s.alpha_opt->zero_grad();
  alpha_loss.backward();
  if (s.sync) s.sync->average_gradients({s.log_alpha});
  s.alpha_opt->step();

  // Polyak averaging of the target critics: θ' ← (1 − τ) θ' + τ θ.
  {
    torch::NoGradGuard no_grad;
    for (size_t i = 0; i < s.critic_params.size(); ++i)
      s.critic_target_params[i].lerp_(s.critic_params[i], options_.tau);
  }
  ++s.updates;

  SacMetrics m;
  m.critic_loss = critic_loss.item<double>();
  m.actor_loss = actor_loss.item<double>();
  m.alpha = alpha.item<double>();
  m.alpha_loss = alpha_loss.item<double>();
  m.entropy = -logp_d.mean().item<double>();
  m.q_mean = q1.detach().mean().item<double>();
  return m;
}

torch::Tensor Sac::act(const torch::Tensor& obs, bool deterministic) {
  auto& s = *s_;
  torch::NoGradGuard no_grad;
  auto o = obs.to(s.device, torch::kFloat32);
  if (o.dim() == 1) o = o.unsqueeze(0);
  if (o.size(1) != options_.obs_dim)
    throw Error("SAC act: observation has " + std::to_string(o.size(1)) + " values, expected " +
                std::to_string(options_.obs_dim));
  torch::Tensor a;
  if (deterministic)
    a = torch::tanh(s.actor->forward(o).narrow(1, 0, options_.act_dim));
  else
    a = s.sample(o, options_.act_dim).first;
  return (a * options_.max_action).to(torch::kCPU);
}

namespace {

torch::Tensor dims_tensor(const SacOptions& o) {
  return torch::tensor({o.obs_dim, o.act_dim, o.hidden}, torch::kInt64);
}

void check_dims(torch::serialize::InputArchive& archive, const SacOptions& o, const char* what) {
  torch::Tensor dims;
  archive.read("dims", dims);
  if (!torch::equal(dims.to(torch::kInt64), dims_tensor(o)))
    throw Error(std::string("SAC ") + what + " has obs_dim/act_dim/hidden " + dims_text(dims) +
                ", expected " + dims_text(dims_tensor(o)));
}

void write_module(torch::serialize::OutputArchive& archive, const char* key, const Mlp& net) {
  torch::serialize::OutputArchive sub;
  net->save(sub);
  archive.write(key, sub);
}

void read_module(torch::serialize::InputArchive& archive, const char* key, Mlp& net) {
  torch::serialize::InputArchive sub;
  archive.read(key, sub);
  net->load(sub);
}

}  // namespace

void Sac::save_policy(torch::serialize::OutputArchive& archive) const {
  archive.write("dims", dims_tensor(options_));
  archive.write("max_action", torch::tensor({options_.max_action}, torch::kFloat64));
  write_module(archive, "actor", s_->actor);
}

void Sac::load_policy(torch::serialize::InputArchive& archive) {
  check_dims(archive, options_, "policy checkpoint");
  read_module(archive, "actor", s_->actor);
  s_->actor->to(s_->device);
}

void Sac::save(torch::serialize::OutputArchive& archive) const {
  const auto& s = *s_;
  save_policy(archive);
  write_module(archive, "q1", s.q1);
  write_module(archive, "q2", s.q2);
  write_module(archive, "q1_target", s.q1_target);
  write_module(archive, "q2_target", s.q2_target);
  archive.write("log_alpha", s.log_alpha.detach());
  archive.write("updates", torch::tensor({s.updates}, torch::kInt64));
  archive.write("generator", s.gen.get_state());
  const std::pair<const char*, torch::optim::Adam*> opts[] = {{"actor_opt", s.actor_opt.get()},
                                                              {"critic_opt", s.critic_opt.get()},
                                                              {"alpha_opt", s.alpha_opt.get()}};
  for (const auto& [key, opt] : opts) {
    torch::serialize::OutputArchive sub;
    opt->save(sub);
    archive.write(key, sub);
  }
}

void Sac::load(torch::serialize::InputArchive& archive) {
  auto& s = *s_;
  load_policy(archive);
  read_module(archive, "q1", s.q1);
  read_module(archive, "q2", s.q2);
  read_module(archive, "q1_target", s.q1_target);
  read_module(archive, "q2_target", s.q2_target);
  for (auto* net : {&s.q1, &s.q2, &s.q1_target, &s.q2_target}) (*net)->to(s.device);
  // Each read needs a fresh tensor: reading into a defined one rebinds its storage.
  torch::Tensor log_alpha, updates, generator;
  archive.read("log_alpha", log_alpha);
  {
    torch::NoGradGuard no_grad;
    s.log_alpha.copy_(log_alpha);
  }
  archive.read("updates", updates);
  s.updates = updates.item<int64_t>();
  archive.read("generator", generator);
  s.gen.set_state(generator);
  const std::pair<const char*, torch::optim::Adam*> opts[] = {{"actor_opt", s.actor_opt.get()},
                                                              {"critic_opt", s.critic_opt.get()},
                                                              {"alpha_opt", s.alpha_opt.get()}};
  for (const auto& [key, opt] : opts) {
    torch::serialize::InputArchive sub;
    archive.read(key, sub);
    opt->load(sub);
  }
}

}  // namespace relabel::algos
