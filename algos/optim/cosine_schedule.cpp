#include "algos/optim/cosine_schedule.h"

#include <cmath>

namespace relabel::algos {

double cosine_annealing_lr(double base_lr, int64_t step, int64_t total, double eta_min) {
  if (total <= 0) return base_lr;
  const double pi = std::acos(-1.0);
  return eta_min + (base_lr - eta_min) *
                       (1 + std::cos(pi * static_cast<double>(step) / static_cast<double>(total))) /
                       2;
}

}  // namespace relabel::algos
