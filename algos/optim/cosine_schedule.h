#pragma once
// CosineAnnealingLR (Loshchilov & Hutter 2017) in PyTorch's closed form: the learning rate after
// `step` scheduler steps of a T_max = `total` run, eta_min = `eta_min`.
#include <cstdint>

namespace relabel::algos {

double cosine_annealing_lr(double base_lr, int64_t step, int64_t total, double eta_min = 0.0);

}  // namespace relabel::algos
