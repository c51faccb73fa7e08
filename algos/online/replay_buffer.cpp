#include "algos/online/replay_buffer.h"

#include <torch/torch.h>

#include <cstring>
#include <sstream>

#include "core/error.h"

namespace relabel::algos {

ReplayBuffer::ReplayBuffer(int64_t capacity, int64_t obs_dim, int64_t act_dim, uint64_t seed)
    : capacity_(capacity), obs_dim_(obs_dim), act_dim_(act_dim), rng_(seed) {
  if (capacity <= 0 || obs_dim <= 0 || act_dim <= 0)
    throw Error("replay buffer: capacity, obs_dim and act_dim must be positive (got " +
                std::to_string(capacity) + ", " + std::to_string(obs_dim) + ", " +
                std::to_string(act_dim) + ")");
  auto f = torch::TensorOptions().dtype(torch::kFloat32);
  obs_ = torch::zeros({capacity, obs_dim}, f);
  actions_ = torch::zeros({capacity, act_dim}, f);
  rewards_ = torch::zeros({capacity}, f);
  next_obs_ = torch::zeros({capacity, obs_dim}, f);
  dones_ = torch::zeros({capacity}, f);
  timeouts_ = torch::zeros({capacity}, f);
}

void ReplayBuffer::add(const float* obs, const float* action, float reward, const float* next_obs,
                       bool terminal, bool timeout) {
  const int64_t i = added_ % capacity_;
  std::memcpy(obs_.data_ptr<float>() + i * obs_dim_, obs, sizeof(float) * obs_dim_);
  std::memcpy(actions_.data_ptr<float>() + i * act_dim_, action, sizeof(float) * act_dim_);
  std::memcpy(next_obs_.data_ptr<float>() + i * obs_dim_, next_obs, sizeof(float) * obs_dim_);
  rewards_.data_ptr<float>()[i] = reward;
  dones_.data_ptr<float>()[i] = terminal ? 1.0f : 0.0f;
  timeouts_.data_ptr<float>()[i] = timeout ? 1.0f : 0.0f;
  ++added_;
  size_ = std::min(added_, capacity_);
}

const Batch& ReplayBuffer::sample(int64_t batch_size, const torch::Device& device) {
  if (size_ == 0) throw RunError("replay buffer: sample() from an empty buffer");
  if (!index_.defined() || index_.size(0) != batch_size) {
    index_ = torch::empty({batch_size}, torch::kInt64);
    batch_.obs = torch::empty({batch_size, obs_dim_});
    batch_.actions = torch::empty({batch_size, act_dim_});
    batch_.rewards = torch::empty({batch_size});
    batch_.next_obs = torch::empty({batch_size, obs_dim_});
    batch_.dones = torch::empty({batch_size});
  }
  std::uniform_int_distribution<int64_t> pick(0, size_ - 1);
  int64_t* idx = index_.data_ptr<int64_t>();
  for (int64_t b = 0; b < batch_size; ++b) idx[b] = pick(rng_);
  torch::index_select_out(batch_.obs, obs_, 0, index_);
  torch::index_select_out(batch_.actions, actions_, 0, index_);
  torch::index_select_out(batch_.rewards, rewards_, 0, index_);
  torch::index_select_out(batch_.next_obs, next_obs_, 0, index_);
  torch::index_select_out(batch_.dones, dones_, 0, index_);
  if (device.is_cpu()) return batch_;
  device_batch_.obs = batch_.obs.to(device);
  device_batch_.actions = batch_.actions.to(device);
  device_batch_.rewards = batch_.rewards.to(device);
  device_batch_.next_obs = batch_.next_obs.to(device);
  device_batch_.dones = batch_.dones.to(device);
  return device_batch_;
}

TransitionColumns ReplayBuffer::export_rows(int64_t begin, int64_t end) const {
  const int64_t oldest = added_ - size_;
  if (begin < oldest || end > added_ || begin > end)
    throw Error("replay buffer: rows [" + std::to_string(begin) + ", " + std::to_string(end) +
                ") are not held (the buffer holds [" + std::to_string(oldest) + ", " +
                std::to_string(added_) + "))");
  // Physical rows of history positions begin..end-1, in order (the ring may wrap once).
  auto index = torch::arange(begin, end, torch::kInt64).remainder(capacity_);
  TransitionColumns c;
  c.obs = obs_.index_select(0, index);
  c.actions = actions_.index_select(0, index);
  c.rewards = rewards_.index_select(0, index);
  c.next_obs = next_obs_.index_select(0, index);
  c.terminals = dones_.index_select(0, index).to(torch::kBool);
  c.timeouts = timeouts_.index_select(0, index).to(torch::kBool);
  return c;
}

void ReplayBuffer::save(torch::serialize::OutputArchive& archive) const {
  // Only the filled rows are stored; the ring position follows from `added`.
  auto held = torch::arange(0, size_, torch::kInt64);
  archive.write("dims", torch::tensor({capacity_, obs_dim_, act_dim_, size_, added_}));
  archive.write("obs", obs_.index_select(0, held));
  archive.write("actions", actions_.index_select(0, held));
  archive.write("rewards", rewards_.index_select(0, held));
  archive.write("next_obs", next_obs_.index_select(0, held));
  archive.write("dones", dones_.index_select(0, held));
  archive.write("timeouts", timeouts_.index_select(0, held));
  std::ostringstream rng;
  rng << rng_;
  const std::string s = rng.str();
  archive.write(
      "rng",
      torch::from_blob(const_cast<char*>(s.data()), {int64_t(s.size())}, torch::kInt8).clone());
}

void ReplayBuffer::load(torch::serialize::InputArchive& archive) {
  torch::Tensor dims;
  archive.read("dims", dims);
  if (dims.numel() != 5 || dims[1].item<int64_t>() != obs_dim_ ||
      dims[2].item<int64_t>() != act_dim_ || dims[0].item<int64_t>() != capacity_)
    throw Error(
        "replay buffer checkpoint has capacity/obs_dim/act_dim " +
        std::to_string(dims[0].item<int64_t>()) + "/" + std::to_string(dims[1].item<int64_t>()) +
        "/" + std::to_string(dims[2].item<int64_t>()) + ", expected " + std::to_string(capacity_) +
        "/" + std::to_string(obs_dim_) + "/" + std::to_string(act_dim_));
  size_ = dims[3].item<int64_t>();
  added_ = dims[4].item<int64_t>();
  auto restore = [&](const char* key, torch::Tensor& into) {
    torch::Tensor t;
    archive.read(key, t);
    into.narrow(0, 0, size_).copy_(t);
  };
  restore("obs", obs_);
  restore("actions", actions_);
  restore("rewards", rewards_);
  restore("next_obs", next_obs_);
  restore("dones", dones_);
  restore("timeouts", timeouts_);
  torch::Tensor rng;
  archive.read("rng", rng);
  std::istringstream in(std::string(static_cast<const char*>(rng.data_ptr()), rng.numel()));
  in >> rng_;
}

}  // namespace relabel::algos
