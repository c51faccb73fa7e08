#pragma once
// A minibatch of transitions as the learners see it: float32 tensors on the learner's device.
#include <torch/types.h>

namespace relabel::algos {

struct Batch {
  torch::Tensor obs;       // (B, obs_dim)
  torch::Tensor actions;   // (B, act_dim)
  torch::Tensor rewards;   // (B,)
  torch::Tensor next_obs;  // (B, obs_dim)
  torch::Tensor dones;     // (B,) float 1.0 where the transition is terminal (no bootstrap)
};

}  // namespace relabel::algos
