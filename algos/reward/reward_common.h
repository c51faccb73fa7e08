#pragma once
// Internal helpers shared by the learned reward models (not part of the engine interface).
#include <torch/types.h>

#include <cstdint>
#include <string>

#include "algos/nets/mlp.h"

namespace relabel::algos::reward_detail {

// Independent streams from one seed (splitmix64 finaliser of seed + stream).
uint64_t derive_seed(uint64_t seed, uint64_t stream);

torch::Generator make_generator(uint64_t seed);

// PyTorch's default Linear initialisation (weights and biases U(+-1/sqrt(fan_in)), i.e.
// kaiming_uniform with a = sqrt(5)) drawn from `gen`, so parameters depend on the seed alone and
// not on the global torch RNG. Call on a CPU module before moving it to its device.
void init_from_generator(Mlp& mlp, torch::Generator& gen);

// A (rows, cols) float32 tensor on `device`, contiguous. cols < 0 accepts any width.
// Throws relabel::Error naming `what` on a wrong rank or width.
torch::Tensor as_matrix(const torch::Tensor& t, const std::string& what, int64_t cols,
                        const torch::Device& device);
// A (rows,) float32 tensor on `device`.
torch::Tensor as_column(const torch::Tensor& t, const std::string& what, int64_t rows,
                        const torch::Device& device);

// Whether a fit reads step `step` (1-based, of `total`) of its loss back to the host for the
// progress log: every step on the CPU (free), every kDeviceLossEvery-th and the last step on
// another device, where each read waits for the device (issue 15: no per-step synchronisation).
constexpr int64_t kDeviceLossEvery = 50;
inline bool read_fit_loss(const torch::Device& device, int64_t step, int64_t total) {
  return device.is_cpu() || step % kDeviceLossEvery == 0 || step >= total;
}

// Rows each rank draws per step: the global batch split over the replicas (at least 1).
int64_t local_batch(int64_t global_batch, int world_size);

// `n` uniform row indices in [0, rows) from `gen` (CPU), moved to `device`.
torch::Tensor sample_rows(int64_t rows, int64_t n, torch::Generator& gen,
                          const torch::Device& device);

}  // namespace relabel::algos::reward_detail
