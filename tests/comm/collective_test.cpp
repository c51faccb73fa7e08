// Single-process behaviour of the collectives, the backend factory and GradientSync at size 1.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "comm/collective_factory.h"
#include "comm/gradient_sync.h"
#include "comm/mpi_collective.h"
#include "core/error.h"
#include "tests/comm/mpi_world.h"

using namespace relabel;
using namespace relabel::comm;

TEST(CollectiveFactory, CpuGivesMpi) {
  auto& ctx = relabel::test::mpi_world();
  auto c = make_collective(ctx, MPI_COMM_SELF);
  ASSERT_NE(dynamic_cast<MpiCollective*>(c.get()), nullptr);
  EXPECT_EQ(c->size(), 1);
  EXPECT_EQ(c->device(), torch::Device(torch::kCPU));
  EXPECT_THROW(make_collective("tpu", 0, MPI_COMM_SELF), relabel::Error);
}

TEST(CollectiveFactory, CudaWithoutGpuOrNcclIsAClearInputError) {
  relabel::test::mpi_world();
  if (torch::cuda::is_available()) return;  // only meaningful on a machine without CUDA
  try {
    make_collective("cuda", 0, MPI_COMM_SELF);
    FAIL() << "expected relabel::Error";
  } catch (const relabel::RunError&) {
    FAIL() << "an input error (exit 2) was expected, not a run failure";
  } catch (const relabel::Error& e) {
    std::string msg = e.what();
#ifdef RELABEL_HAVE_NCCL
    // Built with NCCL on a host without a usable GPU or CUDA LibTorch.
    EXPECT_TRUE(msg.find("no CUDA device is visible") != std::string::npos ||
                msg.find("this LibTorch has no CUDA support") != std::string::npos)
        << msg;
#else
    EXPECT_NE(msg.find("needs a build with NCCL and CUDA"), std::string::npos) << msg;
#endif
    EXPECT_EQ(msg.find('\n'), std::string::npos);
  }
}

TEST(MpiCollectiveSingle, OperationsAreIdentities) {
  relabel::test::mpi_world();
  MpiCollective self(MPI_COMM_SELF);
  auto t = torch::arange(10, torch::kFloat64);
  self.all_reduce(t, ReduceOp::Mean);
  EXPECT_TRUE(torch::equal(t, torch::arange(10, torch::kFloat64)));
  auto g = self.all_gather(torch::ones({3, 2}));
  EXPECT_TRUE(torch::equal(g, torch::ones({3, 2})));
  EXPECT_EQ(self.all_gather(std::string("abc")), std::vector<std::string>{"abc"});
  EXPECT_EQ(self.all_reduce_sum(2.5), 2.5);
  self.barrier();
  EXPECT_EQ(self.split(-1, 0), nullptr);
}

TEST(GradientSyncSingle, OneRankLeavesGradientsAlone) {
  relabel::test::mpi_world();
  MpiCollective self(MPI_COMM_SELF);
  GradientSync sync(self);
  auto a = torch::ones({4}, torch::requires_grad());
  auto b = torch::ones({2}, torch::requires_grad());
  a.mutable_grad() = torch::full({4}, 3.0f);
  auto before = a.grad().data_ptr();
  sync.average_gradients({a, b});
  EXPECT_EQ(a.grad().data_ptr(), before);
  EXPECT_TRUE(torch::equal(a.grad(), torch::full({4}, 3.0f)));
  EXPECT_FALSE(b.grad().defined());
  EXPECT_EQ(sync.bucket_count(), 0u);  // no layout was even built
  EXPECT_EQ(sync.world_size(), 1);
  EXPECT_THROW(GradientSync(self, GradientSyncOptions{0}), relabel::Error);
}
