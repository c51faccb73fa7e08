// CDRED reward formula (docs/algorithms.md, "CDRED") against hand-computed values.
#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "algos/online/world_model_params.h"
#include "algos/reward/cdred_reward.h"
#include "core/error.h"

using namespace relabel::algos;

TEST(CdredFormula, BonusMatchesHandComputedValues) {
  // K = 2 targets, N = 2 rows, D = 2. Row 0: t1 = [1, 0], t2 = [3, 2] -> mu = [2, 1],
  // B^2 = [5, 2], B^2 - mu^2 = [1, 1].
  auto t = torch::tensor({{{1.0f, 0.0f}, {1.0f, 0.0f}}, {{3.0f, 2.0f}, {3.0f, 2.0f}}});
  auto f = torch::tensor({{2.0f, 3.0f}, {1.0f, 1.0f}});
  // Row 0, f = [2, 3]: L2 = 0 + 4 = 4; count = mean(sqrt(0/1), sqrt(|9 - 1|/1)) = sqrt(8)/2.
  // Row 1, f = [1, 1]: L2 = 1 + 0 = 1; count = mean(sqrt(|1 - 4|), sqrt(0)) = sqrt(3)/2.
  auto b = cdred_bonus(f, t, 0.9, 0.0);
  EXPECT_NEAR(b[0].item<float>(), 0.9 * 4 + 0.1 * std::sqrt(8.0) / 2, 1e-5);
  EXPECT_NEAR(b[1].item<float>(), 0.9 * 1 + 0.1 * std::sqrt(3.0) / 2, 1e-5);
  // alpha = 1: pure L2 to the target mean; alpha = 0: pure count estimate.
  EXPECT_NEAR(cdred_bonus(f, t, 1.0, 0.0)[0].item<float>(), 4.0, 1e-6);
  EXPECT_NEAR(cdred_bonus(f, t, 0.0, 0.0)[1].item<float>(), std::sqrt(3.0) / 2, 1e-6);
  // eps keeps the count term finite where the targets agree (B^2 = mu^2).
  auto same = torch::ones({2, 1, 2});
  auto finite = cdred_bonus(torch::zeros({1, 2}), same, 0.5, 1e-8);
  EXPECT_TRUE(std::isfinite(finite[0].item<float>()));
}

TEST(CdredFormula, NearlyEqualTargetsGiveAFiniteBonus) {
  // Three targets that agree to 1e-4 around 1000: mean(t^2) - mean(t)^2 cancels in float (each
  // term ~1e6, float spacing there 0.06) and can come out negative, which made the count term
  // NaN. The variance as mean((t - mu)^2) is >= 0 and the bonus finite.
  auto t = torch::tensor({1000.0001f, 1000.0002f, 1000.0f, 999.9999f}).view({4, 1, 1});
  t = t.expand({4, 64, 16}).contiguous() + torch::rand({4, 64, 16}) * 1e-4;
  auto f = torch::full({64, 16}, 1000.5f);
  auto b = cdred_bonus(f, t, 0.9, 1e-8);
  EXPECT_TRUE(torch::isfinite(b).all().item<bool>()) << b;
  EXPECT_GT(b.min().item<float>(), 0.0f);
}

TEST(CdredFormula, CombineIdentityAndExp) {
  auto b_phi = torch::tensor({0.5f, 0.0f}), b_psi = torch::tensor({1.5f, 2.0f});
  // zeta 0.8, sigma 2, identity: 0.8 * (-1) - 0.2 * (-3) = -0.2; row 1: 0 - 0.2 * (-4) = 0.8.
  auto r = cdred_combine(b_phi, b_psi, 0.8, 2.0, CdredG::Identity);
  EXPECT_NEAR(r[0].item<float>(), -0.2, 1e-6);
  EXPECT_NEAR(r[1].item<float>(), 0.8, 1e-6);
  // exp: 0.8 * e^-1 - 0.2 * e^-3 = 0.28434614; row 1: 0.8 - 0.2 * e^-4 = 0.79633687.
  auto e = cdred_combine(b_phi, b_psi, 0.8, 2.0, CdredG::Exp);
  EXPECT_NEAR(e[0].item<float>(), 0.8 * std::exp(-1.0) - 0.2 * std::exp(-3.0), 1e-6);
  EXPECT_NEAR(e[1].item<float>(), 0.8 - 0.2 * std::exp(-4.0), 1e-6);
  EXPECT_EQ(parse_cdred_g("exp"), CdredG::Exp);
  EXPECT_THROW(parse_cdred_g("log"), relabel::Error);
}

namespace {

struct Model {
  ParamLayout layout;
  FlatBuffer params;
  std::unique_ptr<CdredReward> reward;
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(7);
  explicit Model(CdredOptions o) : reward(std::make_unique<CdredReward>(o)) {
    reward->declare(layout);
    params = FlatBuffer(layout, torch::TensorOptions(), true);
    reward->init(params.frozen, gen);
  }
};

CdredOptions small_cdred(double zeta, CdredG g = CdredG::Identity) {
  CdredOptions o;
  o.latent_dim = 8;
  o.act_dim = 2;
  o.num_targets = 3;
  o.target_hidden = 32;
  o.output_dim = 16;
  o.predictor_hidden = 32;
  o.predictor_layers = 2;
  o.zeta = zeta;
  o.g = g;
  return o;
}

}  // namespace

TEST(CdredFormula, RewardOfTheModelIsTheFormulaOfItsOutputs) {
  Model m(small_cdred(0.7, CdredG::Exp));
  torch::manual_seed(1);
  auto z = torch::rand({6, 8}), a = torch::rand({6, 2}) * 2 - 1;
  auto t = m.reward->targets(torch::cat({z, a}, 1));
  ASSERT_EQ(t.sizes(), (std::vector<int64_t>{3, 6, 16}));
  auto [bp, bs] = m.reward->bonuses(m.params.frozen, z, a);
  auto r = m.reward->reward(m.params.frozen, z, a);
  EXPECT_TRUE(torch::allclose(r, cdred_combine(bp, bs, 0.7, 1.0, CdredG::Exp)));
  EXPECT_GT(bp.min().item<float>(), 0.0f);
}

TEST(CdredFormula, ZetaOneIgnoresTheBehaviouralPredictor) {
  for (double zeta : {1.0, 0.8}) {
    Model m(small_cdred(zeta));
    torch::manual_seed(2);
    auto z = torch::rand({10, 8}), a = torch::rand({10, 2});
    auto before = m.reward->reward(m.params.frozen, z, a);
    // Perturb every tensor of the behavioural predictor (ensemble member 1) only.
    {
      torch::NoGradGuard no_grad;
      for (int64_t i = 0; i < m.layout.size(); ++i)
        m.params.frozen[i][1].add_(torch::randn_like(m.params.frozen[i][1]));
    }
    auto after = m.reward->reward(m.params.frozen, z, a);
    if (zeta == 1.0)
      EXPECT_TRUE(torch::equal(before, after)) << "zeta = 1 must not depend on f_psi";
    else
      EXPECT_FALSE(torch::allclose(before, after)) << "zeta < 1 must depend on f_psi";
  }
}
