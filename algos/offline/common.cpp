#include "algos/offline/common.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include "algos/optim/archive_io.h"
#include "core/error.h"

namespace relabel::algos::offline_detail {

torch::TensorOptions tensor_options(const OfflineOptions& o) {
  return torch::TensorOptions().dtype(torch::kFloat32).device(torch::Device(o.device));
}

namespace {
void check_2d(const torch::Tensor& t, const char* name, int64_t rows, int64_t cols) {
  if (!t.defined() || t.dim() != 2 || t.size(0) != rows || t.size(1) != cols ||
      t.scalar_type() != torch::kFloat32)
    throw Error(std::string("offline batch: ") + name + " must be float32 (" +
                std::to_string(rows) + ", " + std::to_string(cols) + ")" +
                (t.defined() ? ", got " + c10::str(t.sizes()) : ", got none"));
}
void check_1d(const torch::Tensor& t, const char* name, int64_t rows) {
  if (!t.defined() || t.numel() != rows || t.scalar_type() != torch::kFloat32 ||
      (t.dim() != 1 && !(t.dim() == 2 && t.size(1) == 1)))
    throw Error(std::string("offline batch: ") + name + " must be float32 (" +
                std::to_string(rows) + ")" +
                (t.defined() ? ", got " + c10::str(t.sizes()) : ", got none"));
}
}  // namespace

int64_t check_batch(const Batch& b, const OfflineOptions& o) {
  if (!b.obs.defined() || b.obs.dim() != 2 || b.obs.size(0) == 0)
    throw Error("offline batch: obs must be a non-empty (B, obs_dim) tensor");
  const int64_t n = b.obs.size(0);
  check_2d(b.obs, "obs", n, o.obs_dim);
  check_2d(b.actions, "actions", n, o.act_dim);
  check_2d(b.next_obs, "next_obs", n, o.obs_dim);
  check_1d(b.rewards, "rewards", n);
  check_1d(b.dones, "dones", n);
  return n;
}

void check_obs(const torch::Tensor& obs, const OfflineOptions& o) {
  if (!obs.defined() || obs.dim() != 2 || obs.size(1) != o.obs_dim)
    throw Error("act: observations must be (n, " + std::to_string(o.obs_dim) + ")" +
                (obs.defined() ? ", got " + c10::str(obs.sizes()) : ""));
}

at::Generator make_generator(uint64_t seed) {
  return at::make_generator<at::CPUGeneratorImpl>(seed);
}

torch::Tensor host(const torch::Tensor& t) {
  if (t.is_cpu() && t.is_contiguous() && t.scalar_type() == torch::kFloat32) return t;
  return t.to(torch::kCPU, torch::kFloat32).contiguous();
}

void write_back(const torch::Tensor& h, const torch::Tensor& dst) {
  if (h.data_ptr() == dst.data_ptr() && h.device() == dst.device()) return;
  torch::NoGradGuard no_grad;
  dst.copy_(h.view(dst.sizes()));
}

Batch on_device(const Batch& b, const torch::TensorOptions& options) {
  const int64_t n = b.obs.size(0);
  Batch out;
  out.obs = b.obs.to(options);
  out.actions = b.actions.to(options);
  out.rewards = b.rewards.to(options).reshape({n});
  out.next_obs = b.next_obs.to(options);
  out.dones = b.dones.to(options).reshape({n});
  return out;
}

torch::Tensor from_host(const torch::Tensor& cpu, const torch::TensorOptions& options) {
  if (options.device().is_cpu()) return cpu;
  return cpu.pin_memory().to(options.device(), /*non_blocking=*/true);
}

FlatAdam::Options adam_options(const OfflineOptions& o) {
  FlatAdam::Options a;
  a.lr = o.lr;
  a.fused = !uses_torch_path(o);
  return a;
}

void save_values(torch::serialize::OutputArchive& archive, const std::string& key,
                 const FlatParams& flat) {
  // A CPU snapshot, not an alias: a checkpoint of a device run loads on any machine.
  archive.write(key, flat.values().cpu().clone(), /*is_buffer=*/true);
}

void load_values(torch::serialize::InputArchive& archive, const std::string& key,
                 const FlatParams& flat) {
  torch::Tensor dst = flat.values();
  read_into(archive, key, dst);
}

void save_algo(torch::serialize::OutputArchive& archive, const std::string& algo) {
  archive.write("algo", c10::IValue(algo));
}

void check_algo(torch::serialize::InputArchive& archive, const std::string& algo) {
  c10::IValue v;
  if (!archive.try_read("algo", v) || !v.isString())
    throw Error("checkpoint: not an offline learner state (no 'algo')");
  if (v.toStringRef() != algo)
    throw Error("checkpoint: state is for algo '" + v.toStringRef() + "', this run uses '" + algo +
                "'");
}

ActorWeights actor_weights_of(const FastMlp& actor, double max_action, bool clamp) {
  ActorWeights a;
  a.layers = actor.copy_layers();
  a.tanh_output = actor.shape().tanh_output;
  a.max_action = max_action;
  a.clamp = clamp;
  return a;
}

}  // namespace relabel::algos::offline_detail
