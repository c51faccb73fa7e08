#pragma once
// Pieces the offline learners share: batch validation, flat-buffer checkpoint keys, device and
// generator set-up.
#include <ATen/core/Generator.h>
#include <torch/serialize/archive.h>
#include <torch/types.h>

#include <string>

#include "algos/batch.h"
#include "algos/nets/fast_mlp.h"
#include "algos/nets/flat_params.h"
#include "algos/offline/learner.h"
#include "algos/optim/flat_adam.h"

namespace relabel::algos::offline_detail {

torch::TensorOptions tensor_options(const OfflineOptions& o);
// Throws relabel::Error naming the field when a batch does not match the learner's dims.
int64_t check_batch(const Batch& batch, const OfflineOptions& o);
void check_obs(const torch::Tensor& obs, const OfflineOptions& o);
at::Generator make_generator(uint64_t seed);
// The loss heads are plain loops over a few hundred numbers on the host: host(t) is t itself when
// it already is a contiguous CPU float32 tensor (the usual case, no copy), else a CPU copy;
// write_back(h, dst) copies a head's output back unless h already is dst.
torch::Tensor host(const torch::Tensor& t);
void write_back(const torch::Tensor& h, const torch::Tensor& dst);
// The torch path (learner.h, kernels): `batch` on the learner's device (no copy when it already
// is there), rewards and dones as (B,).
Batch on_device(const Batch& batch, const torch::TensorOptions& options);
// A CPU tensor on `options`' device: itself on the CPU, else copied from pinned memory without
// blocking the host (a pageable copy would wait for the device).
torch::Tensor from_host(const torch::Tensor& cpu, const torch::TensorOptions& options);
// FlatAdam options for `o`: the fused CPU kernel on the fast path, torch ops on the torch path.
FlatAdam::Options adam_options(const OfflineOptions& o);

void save_values(torch::serialize::OutputArchive& archive, const std::string& key,
                 const FlatParams& flat);
void load_values(torch::serialize::InputArchive& archive, const std::string& key,
                 const FlatParams& flat);
void save_algo(torch::serialize::OutputArchive& archive, const std::string& algo);
// Throws when the archive was written by a different algorithm.
void check_algo(torch::serialize::InputArchive& archive, const std::string& algo);

// `actor` as what `relabel export` writes (clamp: act() clamps its output to +-max_action).
ActorWeights actor_weights_of(const FastMlp& actor, double max_action, bool clamp);

}  // namespace relabel::algos::offline_detail
