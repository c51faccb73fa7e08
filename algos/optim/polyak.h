#pragma once
// Polyak averaging of a target buffer: target <- target + tau (source - target), i.e.
// (1 - tau) target + tau source. One fused pass on the CPU.
#include <torch/types.h>

namespace relabel::algos {

void polyak_update(torch::Tensor& target, const torch::Tensor& source, double tau);

}  // namespace relabel::algos
