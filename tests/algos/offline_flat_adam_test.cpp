#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <sstream>

#include "algos/nets/flat_params.h"
#include "algos/optim/cosine_schedule.h"
#include "algos/optim/flat_adam.h"

namespace relabel::algos {
namespace {

TEST(FlatAdam, EqualsTorchOptimAdamOver20StepsWithPerGroupLearningRates) {
  FlatParams flat({{"a", {7, 5}}, {"b", {5}}, {"c", {33}}, {"d", {4, 4}}}, torch::TensorOptions());
  auto gen = at::make_generator<at::CPUGeneratorImpl>(11);
  std::vector<torch::Tensor> ref;
  for (size_t i = 0; i < flat.size(); ++i) {
    flat.param(i).copy_(torch::randn(flat.param(i).sizes(), gen));
    ref.push_back(flat.param(i).clone().requires_grad_(true));
  }
  // Two optimisers in the reference (a, b) and (c, d) with different learning rates.
  torch::optim::Adam opt1({ref[0], ref[1]}, torch::optim::AdamOptions(1e-2));
  torch::optim::Adam opt2({ref[2], ref[3]}, torch::optim::AdamOptions(3e-3));
  const int64_t split = flat.offset(2);
  FlatAdam adam(flat.values(), flat.grads(), {1e-2},
                {{0, split, 1e-2}, {split, flat.numel(), 3e-3}});
  for (int step = 0; step < 20; ++step) {
    for (size_t i = 0; i < flat.size(); ++i) {
      // Gradients of wildly different scales, including exact zeros.
      auto g = torch::randn(flat.param(i).sizes(), gen) * std::pow(10.0, (step % 5) - 2.0);
      if (i == 1) g.zero_();
      flat.grad(i).copy_(g);
      ref[i].mutable_grad() = g.clone();
    }
    opt1.step();
    opt2.step();
    adam.step();
    for (size_t i = 0; i < flat.size(); ++i) {
      const double diff = (flat.param(i) - ref[i].detach()).abs().max().item<double>();
      EXPECT_LT(diff, 1e-6) << "param " << i << " step " << step;
    }
  }
  EXPECT_EQ(adam.step_count(), 20);
  // Padding between parameters stays zero.
  EXPECT_EQ(flat.values()[7 * 5].item<float>(), 0.0f);
}

TEST(FlatAdam, SaveLoadRestoresMomentsStepAndLearningRates) {
  auto p = torch::randn({40});
  auto g = torch::randn({40});
  FlatAdam a(p, g, {1e-2}, {{0, 10, 1e-2}, {10, 40, 5e-3}});
  a.step();
  a.set_lr(1, 7e-3);
  a.step();
  torch::serialize::OutputArchive out;
  a.save(out, "opt.");
  std::stringstream ss;
  out.save_to(ss);

  auto p2 = p.clone();
  FlatAdam b(p2, g, {1e-2}, {{0, 10, 1e-2}, {10, 40, 5e-3}});
  torch::serialize::InputArchive in;
  in.load_from(ss);
  b.load(in, "opt.");
  EXPECT_EQ(b.step_count(), 2);
  EXPECT_DOUBLE_EQ(b.lr(1), 7e-3);
  a.step();
  b.step();
  EXPECT_TRUE(torch::equal(p, p2));

  torch::serialize::InputArchive empty;
  EXPECT_THROW(b.load(empty, "opt."), std::exception);
}

TEST(FlatAdam, RejectsGroupsThatDoNotTile) {
  auto p = torch::zeros({10});
  auto g = torch::zeros({10});
  EXPECT_THROW(FlatAdam(p, g, {}, {{0, 4, 1e-3}, {5, 10, 1e-3}}), std::exception);
  EXPECT_THROW(FlatAdam(p, g, {}, {{0, 9, 1e-3}}), std::exception);
}

TEST(CosineSchedule, MatchesCosineAnnealingLR) {
  EXPECT_DOUBLE_EQ(cosine_annealing_lr(3e-4, 0, 1000), 3e-4);
  EXPECT_NEAR(cosine_annealing_lr(3e-4, 500, 1000), 1.5e-4, 1e-15);
  EXPECT_NEAR(cosine_annealing_lr(3e-4, 1000, 1000), 0.0, 1e-15);
  EXPECT_NEAR(cosine_annealing_lr(1.0, 250, 1000), (1 + std::sqrt(0.5)) / 2, 1e-12);
  // PyTorch's recursive form (CosineAnnealingLR.get_lr, eta_min 0) reaches the same values.
  const int64_t T = 100;
  double lr = 1.0;
  const double pi = std::acos(-1.0);
  for (int64_t t = 1; t <= 60; ++t) {
    lr = (1 + std::cos(pi * t / T)) / (1 + std::cos(pi * (t - 1) / T)) * lr;
    EXPECT_NEAR(lr, cosine_annealing_lr(1.0, t, T), 1e-12) << t;
  }
}

}  // namespace
}  // namespace relabel::algos
