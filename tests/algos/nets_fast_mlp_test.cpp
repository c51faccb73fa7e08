#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "algos/nets/fast_mlp.h"
#include "algos/nets/flat_params.h"
#include "offline_test_util.h"

namespace relabel::algos {
namespace {

using testing::leaf_copies;
using testing::max_abs_diff;

TEST(FlatParams, ViewsShareOneAlignedBufferAndSyncTensorCarriesTheGrad) {
  FlatParams flat({{"a", {3, 5}}, {"b", {7}}, {"c", {2, 2, 2}}}, torch::TensorOptions());
  EXPECT_EQ(flat.offset(0), 0);
  EXPECT_EQ(flat.offset(1), 16);  // 15 floats padded to 64 bytes
  EXPECT_EQ(flat.offset(2), 32);
  EXPECT_EQ(flat.numel(), 48);
  flat.param(1).fill_(2.0);
  EXPECT_EQ(flat.values()[16].item<float>(), 2.0f);
  EXPECT_EQ(flat.values()[23].item<float>(), 0.0f);  // padding untouched
  flat.grad(2).fill_(3.0);
  ASSERT_TRUE(flat.sync_tensor().requires_grad());
  EXPECT_EQ(flat.sync_tensor().grad().data_ptr(), flat.grads().data_ptr());
  EXPECT_EQ(flat.sync_tensor().grad()[32].item<float>(), 3.0f);
  EXPECT_EQ(flat.index("c"), 2u);
  EXPECT_THROW(flat.index("nope"), std::exception);

  // A GradSync that swaps in its own gradient tensor: the values come back into our buffer.
  flat.sync_tensor().mutable_grad() = torch::full({48}, 5.0);
  flat.adopt_synced_grad();
  EXPECT_EQ(flat.grad(0)[1][1].item<float>(), 5.0f);
  EXPECT_EQ(flat.sync_tensor().grad().data_ptr(), flat.grads().data_ptr());
}

struct Case {
  int64_t ensemble;
  bool tanh;
};

class FastMlpGrad : public ::testing::TestWithParam<Case> {};

TEST_P(FastMlpGrad, HandWrittenForwardBackwardEqualsAutograd) {
  const auto c = GetParam();
  FastMlp net({14, 48, 2, 3, c.ensemble, c.tanh});
  FlatParams flat(net.param_specs("n."), torch::TensorOptions());
  net.bind(flat, 0);
  net.init_uniform(at::make_generator<at::CPUGeneratorImpl>(3));
  auto gen = at::make_generator<at::CPUGeneratorImpl>(4);
  const int64_t B = 37;
  auto x = torch::randn({B, 14}, gen);
  std::vector<torch::Tensor> douts;
  for (int64_t e = 0; e < c.ensemble; ++e) douts.push_back(torch::randn({B, 3}, gen));

  FastMlp::Tape tape;
  net.forward(tape, {x.narrow(1, 0, 10), x.narrow(1, 10, 4)});  // input given in two blocks
  auto dx = torch::empty({B, 4});
  for (int64_t e = 0; e < c.ensemble; ++e) tape.grad_out(e).copy_(douts[e]);
  net.backward(tape, 0, c.ensemble, true, dx, 10);

  auto params = leaf_copies(flat, 0, flat.size());
  auto xr = x.clone().requires_grad_(true);
  torch::Tensor loss = torch::zeros({});
  for (int64_t e = 0; e < c.ensemble; ++e) {
    auto y = testing::mlp(xr, params, e, c.tanh);
    EXPECT_LT(max_abs_diff(y, tape.out(e)), 1e-6);
    EXPECT_LT(max_abs_diff(y, net.infer(x, e)), 1e-6);
    EXPECT_LT(max_abs_diff(y, FastMlp::reference_forward(net.shape(), params, x, e)), 1e-6);
    loss = loss + (y * douts[e]).sum();
  }
  loss.backward();
  for (size_t i = 0; i < flat.size(); ++i) {
    const auto& g = params[i].grad();
    const double rel = max_abs_diff(g, flat.grad(i)) / (g.abs().max().item<double>() + 1e-12);
    EXPECT_LT(rel, 1e-5) << flat.spec(i).name;
  }
  const auto gx = xr.grad().narrow(1, 10, 4);
  EXPECT_LT(max_abs_diff(gx, dx) / gx.abs().max().item<double>(), 1e-5);
}

INSTANTIATE_TEST_SUITE_P(Shapes, FastMlpGrad,
                         ::testing::Values(Case{1, false}, Case{1, true}, Case{2, false},
                                           Case{2, true}));

TEST(FastMlp, FlopCountsAre2MNKPerGemm) {
  FastMlp net({14, 256, 2, 1, 2, false});
  EXPECT_DOUBLE_EQ(net.forward_flops(256), 2.0 * 256 * (14 * 256 + 256 * 256 + 256));
  // Weight grads everywhere, input grads of the hidden layers only: first layer counted once.
  EXPECT_DOUBLE_EQ(net.backward_flops(256, true, 0),
                   2.0 * 256 * (14 * 256 + 2 * 256 * 256 + 2 * 256));
  EXPECT_DOUBLE_EQ(net.backward_flops(256, false, 3), 2.0 * 256 * (256 * 256 + 256 + 3 * 256));
}

TEST(FastMlp, ParamsAreWeightWithBiasRowAndBindRejectsWrongShapes) {
  FastMlp net({5, 8, 1, 2, 1, false});
  const auto specs = net.param_specs("p.");
  ASSERT_EQ(specs.size(), 2u);
  EXPECT_EQ(specs[0].name, "p.l0");
  EXPECT_EQ(specs[0].shape, (std::vector<int64_t>{1, 6, 8}));
  EXPECT_EQ(specs[1].shape, (std::vector<int64_t>{1, 9, 2}));
  FlatParams flat({{"x", {1, 5, 8}}, {"z", {1, 9, 2}}}, torch::TensorOptions());
  EXPECT_THROW(net.bind(flat, 0), std::exception);
  FlatParams good(specs, torch::TensorOptions());
  net.bind(good, 0);
  net.init_uniform(at::make_generator<at::CPUGeneratorImpl>(1));
  // U(+-1/sqrt(fan_in)) for weights and biases alike.
  EXPECT_LE(good.param(0).abs().max().item<double>(), 1 / std::sqrt(5.0));
  EXPECT_GT(good.param(0)[0][5].abs().max().item<double>(), 0.0);  // bias row drawn
  EXPECT_LE(good.param(1).abs().max().item<double>(), 1 / std::sqrt(8.0));
}

TEST(FastMlp, OneWideOutputUsesTheGemvPathAndMatchesAutograd) {
  // The 1-wide output (critics, V, a 1-D actor) runs as gemv: with and without the tanh head.
  for (const bool tanh : {false, true}) {
    FastMlp net({7, 16, 2, 1, 2, tanh});
    FlatParams flat(net.param_specs("q."), torch::TensorOptions());
    net.bind(flat, 0);
    net.init_uniform(at::make_generator<at::CPUGeneratorImpl>(2));
    const auto x = torch::randn({9, 7});
    FastMlp::Tape tape;
    net.forward(tape, x);
    for (int64_t e = 0; e < 2; ++e) tape.grad_out(e).fill_(1.0);
    auto params = leaf_copies(flat, 0, flat.size());
    for (int64_t e = 0; e < 2; ++e) {
      EXPECT_LT(max_abs_diff(testing::mlp(x, params, e, tanh), tape.out(e)), 1e-6) << tanh;
      EXPECT_LT(max_abs_diff(net.infer(x, e), tape.out(e)), 1e-6) << tanh;
    }
    net.backward(tape, 0, 2, true);
    auto loss = testing::mlp(x, params, 0, tanh).sum() + testing::mlp(x, params, 1, tanh).sum();
    loss.backward();
    for (size_t i = 0; i < flat.size(); ++i)
      EXPECT_LT(max_abs_diff(params[i].grad(), flat.grad(i)), 1e-5) << i << " tanh " << tanh;
  }
}

}  // namespace
}  // namespace relabel::algos
