#include "algos/reward/cdred_reward.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include <cmath>

#include "algos/online/world_model_mish.h"
#include "algos/optim/archive_io.h"
#include "algos/reward/statistics.h"
#include "core/error.h"

namespace relabel::algos {

CdredG parse_cdred_g(const std::string& name) {
  if (name == "identity") return CdredG::Identity;
  if (name == "exp") return CdredG::Exp;
  throw Error(fmt::format("reward.g: unknown CDRED transform \"{}\" (identity|exp)", name));
}

// CDRED (arXiv 2505.02228): K frozen random targets on (z, a); an expert predictor f_phi and a
// behavioural predictor f_psi give bonuses b_phi, b_psi and R = zeta*g(-sigma*b_phi) -
// (1-zeta)*g(-sigma*b_psi). Defaults from the authors' release; the predictor width has a CPU
// preset.
RELABEL_REGISTER_REWARD_METHOD([] {
  RewardMethodInfo m;
  m.name = "cdred";
  m.doc = "coupled distributional random expert distillation on the world model's latents";
  m.paper = "CDRED: Li, Huang & Su, arXiv:2505.02228, 2025";
  m.offline = false;
  m.online = true;
  m.needs_demonstrations = true;
  m.keys = {
      param("alpha", 0.9, "CDRED mix of the L2 and count-estimator terms of the bonus").in(0, 1),
      param("num_targets", 5, "CDRED number K of frozen random target networks").at_least(1),
      param("zeta", 0.8, "CDRED weight of the expert term (1 = no behavioural coupling)").in(0, 1),
      param("sigma", 1.0, "CDRED scale sigma of the bonus").positive(),
      param("g", "identity", "CDRED output transform g").one_of({"identity", "exp"}),
      param("coef", 0.1, "CDRED predictor loss coefficient in the world-model loss").at_least(0),
      param("target_hidden", 512, "CDRED target network hidden width").at_least(1),
      param("predictor_hidden", 1024, "CDRED predictor hidden width")
          .at_least(1)
          .derived_as("256 (CPU preset) when parallel.device = cpu, else 1024"),
      param("predictor_layers", 3, "CDRED predictor hidden layers").at_least(1),
  };
  m.derive = [](Params& p, const DeriveContext& c) {
    if (!c.was_given("predictor_hidden"))
      p.set("predictor_hidden", int64_t{c.device == "cpu" ? 256 : 1024});
  };
  m.make_latent = [](const Params& p) { return cdred_factory(cdred_options(p)); };
  return m;
}());

CdredOptions cdred_options(const Params& p) {
  CdredOptions d;
  d.num_targets = p.get<int64_t>("num_targets");
  d.target_hidden = p.get<int64_t>("target_hidden");
  d.predictor_hidden = p.get<int64_t>("predictor_hidden");
  d.predictor_layers = p.get<int64_t>("predictor_layers");
  d.alpha = p.get<double>("alpha");
  d.zeta = p.get<double>("zeta");
  d.sigma = p.get<double>("sigma");
  d.g = parse_cdred_g(p.get<std::string>("g"));
  d.coef = p.get<double>("coef");
  return d;
}

LatentRewardFactory cdred_factory(const CdredOptions& options) {
  return [options](const LatentRewardShape& s) -> std::unique_ptr<LatentReward> {
    CdredOptions o = options;
    o.latent_dim = s.latent_dim;
    o.act_dim = s.act_dim;
    o.rho = s.rho;
    o.device = s.device;
    return std::make_unique<CdredReward>(o);
  };
}

CdredTargetMoments cdred_moments(const torch::Tensor& t, double eps) {
  // B^2 - mu^2 is the targets' variance, taken as mean_k (t_k - mu)^2: the textbook
  // mean(t^2) - mu^2 cancels catastrophically in float where the K targets nearly agree and can
  // come out negative, so that with eps = 1e-8 the count term's denominator is <= 0 and the
  // reward NaN (a CPU-preset pendulum run diverged that way at update 585 under one BLAS
  // kernel). Products rather than square(): ATen evaluates square as pow, slower on CPU.
  auto mu = t.mean(0);  // (..., D)
  auto dev = t - mu;
  return {mu, (dev * dev).mean(0) + eps};
}

torch::Tensor cdred_bonus(const torch::Tensor& f, const CdredTargetMoments& m, double alpha) {
  const auto& mu = m.mean;
  auto diff = f - mu;
  auto l2 = (diff * diff).sum(-1);
  auto count = ((f * f - mu * mu).abs() / m.var_eps).sqrt().mean(-1);
  return alpha * l2 + (1.0 - alpha) * count;
}

torch::Tensor cdred_bonus(const torch::Tensor& f, const torch::Tensor& t, double alpha,
                          double eps) {
  return cdred_bonus(f, cdred_moments(t, eps), alpha);
}

torch::Tensor cdred_combine(const torch::Tensor& b_phi, const torch::Tensor& b_psi, double zeta,
                            double sigma, CdredG g) {
  auto apply = [&](const torch::Tensor& b) {
    auto x = -sigma * b;
    return g == CdredG::Exp ? x.exp() : x;
  };
  return zeta * apply(b_phi) - (1.0 - zeta) * apply(b_psi);
}

CdredReward::CdredReward(const CdredOptions& o) : options_(o) {
  if (o.latent_dim <= 0 || o.act_dim <= 0) throw Error("cdred: latent and action sizes unset");
  if (o.num_targets < 1) throw Error("reward.num_targets: must be at least 1");
  if (o.alpha < 0.0 || o.alpha > 1.0)
    throw Error(fmt::format("reward.alpha: must be in [0, 1] for cdred, got {}", o.alpha));
  if (o.zeta < 0.0 || o.zeta > 1.0)
    throw Error(fmt::format("reward.zeta: must be in [0, 1], got {}", o.zeta));
  if (o.target_hidden < 1 || o.predictor_hidden < 1 || o.predictor_layers < 1 || o.output_dim < 1)
    throw Error("cdred: network sizes must be positive");
  const int64_t in = o.latent_dim + o.act_dim;
  targets_net_ = declare_net(target_layout_, "cdred_target", o.num_targets,
                             {in, o.target_hidden, o.target_hidden, o.output_dim});
  target_params_ = FlatBuffer(target_layout_, torch::TensorOptions().device(o.device), false);
}

void CdredReward::declare(ParamLayout& layout) {
  std::vector<int64_t> sizes{options_.latent_dim + options_.act_dim};
  for (int64_t i = 0; i < options_.predictor_layers; ++i)
    sizes.push_back(options_.predictor_hidden);
  sizes.push_back(options_.output_dim);
  predictors_ = declare_net(layout, "cdred_predictor", 2, sizes);
}

void CdredReward::init(const std::vector<torch::Tensor>& params, at::Generator& gen) {
  // As the release: predictors orthogonal (gain sqrt 2) with zero biases; targets keep
  // PyTorch's default Linear initialisation.
  init_net(predictors_, params, NetInit::Orthogonal, gen);
  init_net(targets_net_, target_params_.frozen, NetInit::TorchDefault, gen);
  stack_first_layers();
}

void CdredReward::stack_first_layers() {
  torch::NoGradGuard no_grad;
  const auto& p = target_params_.frozen;
  const int64_t k = targets_net_.first, K = options_.num_targets;
  const int64_t in = targets_net_.sizes[0], width = targets_net_.sizes[1];
  // (K, in, h) -> (in, K*h); with K = 1 the ensemble tensors have no member dimension.
  first_weight_ =
      p[k].reshape({K, in, width}).permute({1, 0, 2}).reshape({in, K * width}).contiguous();
  first_bias_ = p[k + 1].reshape({K * width}).contiguous();
}

torch::Tensor CdredReward::targets(const torch::Tensor& x) const {
  torch::NoGradGuard no_grad;
  const auto& p = target_params_.frozen;
  const int64_t K = options_.num_targets, N = x.size(0);
  const size_t layers = targets_net_.sizes.size() - 1;
  int64_t k = targets_net_.first;
  // Layer 0 for all K at once: (N, in) x (in, K*h) -> (N, K, h).
  auto h = torch::addmm(first_bias_, x, first_weight_).view({N, K, targets_net_.sizes[1]});
  k += 2;
  if (layers == 1) return h.transpose(0, 1).contiguous();
  layer_norm_mish_(h, p[k], p[k + 1], 1);
  k += 2;
  auto y = h.transpose(0, 1);  // (K, N, h), strided: each member's rows are a BLAS matrix
  for (size_t l = 1; l < layers; ++l) {
    const int64_t in = targets_net_.sizes[l], out = targets_net_.sizes[l + 1];
    y = torch::baddbmm(p[k + 1].view({K, 1, out}), y, p[k].view({K, in, out}));  // (K, N, out)
    k += 2;
    if (l + 1 == layers) break;
    layer_norm_mish_(y, p[k], p[k + 1], N);
    k += 2;
  }
  return y;
}

torch::Tensor CdredReward::predictions(const std::vector<torch::Tensor>& params,
                                       const torch::Tensor& x) const {
  return net_forward(predictors_, params, x);
}

std::pair<torch::Tensor, torch::Tensor> CdredReward::bonuses(
    const std::vector<torch::Tensor>& params, const torch::Tensor& z,
    const torch::Tensor& a) const {
  torch::NoGradGuard no_grad;
  auto x = torch::cat({z, a}, -1);
  const auto m = cdred_moments(targets(x), options_.eps);
  auto f = net_forward(predictors_, params, x);  // (2, N, D)
  return {cdred_bonus(f[0], m, options_.alpha), cdred_bonus(f[1], m, options_.alpha)};
}

torch::Tensor CdredReward::reward(const std::vector<torch::Tensor>& params, const torch::Tensor& z,
                                  const torch::Tensor& a) const {
  auto [b_phi, b_psi] = bonuses(params, z, a);
  return cdred_combine(b_phi, b_psi, options_.zeta, options_.sigma, options_.g);
}

LatentReward::Step CdredReward::train_step(const std::vector<torch::Tensor>& params,
                                           const torch::Tensor& z, const torch::Tensor& a,
                                           int64_t replay_rows, at::Generator& gen,
                                           std::map<std::string, double>& metrics) const {
  const int64_t H = z.size(0), N = z.size(1), Br = replay_rows, Be = N - replay_rows;
  if (Br < 1 || Be < 1) throw Error("cdred: an update needs replay and expert rows");
  const int64_t D = options_.output_dim, K = options_.num_targets;
  auto x = torch::cat({z, a}, -1);  // (H, N, in)
  const int64_t in = x.size(2);
  auto t = targets(x.detach().reshape({H * N, in})).view({K, H, N, D});
  // Each predictor regresses onto one uniformly chosen target per row (MSE, target fixed): f_phi
  // on the expert rows, f_psi on the replay rows. The gradient reaches the latents through the
  // predictors' input. Their outputs on the other halves (f_phi on replay, f_psi on expert) only
  // feed the reward and are evaluated without a graph; the trained halves' outputs serve the
  // reward too, so no row goes through a predictor twice.
  auto k = torch::randint(K, {H * N}, gen, torch::TensorOptions().dtype(torch::kLong));
  if (t.device() != k.device()) k = k.to(t.device());
  auto chosen = t.view({K, H * N, D}).index({k, torch::arange(H * N, k.options())}).view({H, N, D});
  auto xe = x.narrow(1, Br, Be).reshape({H * Be, in}),
       xr = x.narrow(1, 0, Br).reshape({H * Br, in});
  torch::Tensor fe, fr, fe_other, fr_other;  // f_phi(xe), f_psi(xr); f_psi(xe), f_phi(xr)
  if (Br == Be) {
    auto f = net_forward(predictors_, params, torch::stack({xe, xr}));  // (2, H*B, D)
    fe = f[0], fr = f[1];
    torch::NoGradGuard no_grad;
    auto g = net_forward(predictors_, params, torch::stack({xr.detach(), xe.detach()}));
    fr_other = g[0], fe_other = g[1];
  } else {
    fe = net_forward(predictors_, params, xe)[0];
    fr = net_forward(predictors_, params, xr)[1];
    torch::NoGradGuard no_grad;
    fe_other = net_forward(predictors_, params, xe.detach())[1];
    fr_other = net_forward(predictors_, params, xr.detach())[0];
  }
  Step step;
  {
    torch::NoGradGuard no_grad;
    // The targets' moments once for every row; each row's two bonuses read them.
    const auto m = cdred_moments(t, options_.eps);  // (H, N, D) each
    auto half = [&](int64_t begin, int64_t b) {
      return CdredTargetMoments{m.mean.narrow(1, begin, b), m.var_eps.narrow(1, begin, b)};
    };
    const auto mr = half(0, Br), me = half(Br, Be);
    auto bonus = [&](const torch::Tensor& f, const CdredTargetMoments& mh, int64_t b) {
      return cdred_bonus(f.detach().view({H, b, D}), mh, options_.alpha);
    };
    auto b_phi = torch::cat({bonus(fr_other, mr, Br), bonus(fe, me, Be)}, 1);  // (H, N)
    auto b_psi = torch::cat({bonus(fr, mr, Br), bonus(fe_other, me, Be)}, 1);
    step.reward = cdred_combine(b_phi, b_psi, options_.zeta, options_.sigma, options_.g);
    metrics["cdred_b_phi_replay"] = b_phi.narrow(1, 0, Br).mean().item<double>();
    metrics["cdred_b_phi_expert"] = b_phi.narrow(1, Br, Be).mean().item<double>();
    metrics["cdred_b_psi_replay"] = b_psi.narrow(1, 0, Br).mean().item<double>();
    metrics["cdred_b_psi_expert"] = b_psi.narrow(1, Br, Be).mean().item<double>();
    // How the behavioural term reshapes the reward among the agent's own transitions (what its
    // policy ranks): the spread of each bonus, and the correlation of the reward with the
    // expert term alone (-b_phi, the zeta = 1 reward; 1 when the behavioural term reorders
    // nothing).
    auto replay_rows = [&](const torch::Tensor& v) { return v.narrow(1, 0, Br).reshape({-1}); };
    const auto rr = replay_rows(step.reward), pr = replay_rows(b_phi), sr = replay_rows(b_psi);
    metrics["cdred_reward_replay_std"] = rr.std(/*unbiased=*/false).item<double>();
    metrics["cdred_b_phi_replay_std"] = pr.std(false).item<double>();
    metrics["cdred_b_psi_replay_std"] = sr.std(false).item<double>();
    const double corr = pearson(rr, -pr);  // NaN (left out) when either is constant
    if (std::isfinite(corr)) metrics["cdred_replay_corr_phi"] = corr;
  }
  auto per_step = [&](const torch::Tensor& f, const torch::Tensor& target, int64_t b) {
    auto e = f.view({H, b, D}) - target;
    return (e * e).view({H, b * D}).mean(1);  // (H,) MSE per rollout step
  };
  auto le = per_step(fe, chosen.narrow(1, Br, Be), Be);
  auto lr = per_step(fr, chosen.narrow(1, 0, Br), Br);
  auto rho = torch::pow(options_.rho, torch::arange(H, x.options().requires_grad(false)));
  step.loss = options_.coef * ((le + lr) * rho).sum() / static_cast<double>(H);
  metrics["cdred_expert_loss"] = le.mean().item<double>();
  metrics["cdred_behaviour_loss"] = lr.mean().item<double>();
  return step;
}

void CdredReward::save(torch::serialize::OutputArchive& archive) const {
  archive.write("cdred_targets", target_params_.values.clone(), true);
}

void CdredReward::load(torch::serialize::InputArchive& archive) {
  auto values = target_params_.values;
  read_into(archive, "cdred_targets", values);
  stack_first_layers();
}

}  // namespace relabel::algos
