#include "algos/online/world_model_buffer.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include <cstring>
#include <sstream>

#include "algos/optim/archive_io.h"
#include "core/error.h"

namespace relabel::algos {

SequenceBuffer::SequenceBuffer(int64_t capacity, int64_t obs_dim, int64_t act_dim, int64_t horizon,
                               uint64_t seed)
    : capacity_(capacity), obs_dim_(obs_dim), act_dim_(act_dim), horizon_(horizon), rng_(seed) {
  if (capacity <= 0 || obs_dim <= 0 || act_dim <= 0 || horizon <= 0)
    throw Error(
        fmt::format("sequence buffer: capacity, obs_dim, act_dim and horizon must be "
                    "positive (got {}, {}, {}, {})",
                    capacity, obs_dim, act_dim, horizon));
  obs_ = torch::zeros({capacity, obs_dim});
  actions_ = torch::zeros({capacity, act_dim});
  rewards_ = torch::zeros({capacity});
  next_obs_ = torch::zeros({capacity, obs_dim});
  terminals_ = torch::zeros({capacity});
}

void SequenceBuffer::close_starts_up_to(int64_t row) {
  // Row `row` completes the sequence that starts horizon - 1 rows earlier in its episode.
  const int64_t start = row - horizon_ + 1;
  if (start >= episode_begin_) starts_.push_back(start);
}

void SequenceBuffer::add(const float* obs, const float* action, float reward, const float* next_obs,
                         bool terminal, bool episode_end) {
  if (size_ >= capacity_)
    throw RunError(fmt::format("sequence buffer: full ({} transitions)", capacity_));
  const int64_t i = size_;
  std::memcpy(obs_.data_ptr<float>() + i * obs_dim_, obs, sizeof(float) * obs_dim_);
  std::memcpy(actions_.data_ptr<float>() + i * act_dim_, action, sizeof(float) * act_dim_);
  std::memcpy(next_obs_.data_ptr<float>() + i * obs_dim_, next_obs, sizeof(float) * obs_dim_);
  rewards_.data_ptr<float>()[i] = reward;
  terminals_.data_ptr<float>()[i] = terminal ? 1.0f : 0.0f;
  ++size_;
  close_starts_up_to(i);
  if (episode_end) episode_begin_ = size_;
}

void SequenceBuffer::add_columns(const TransitionColumns& c) {
  const int64_t n = c.rows();
  if (n == 0) return;
  if (c.obs.size(1) != obs_dim_ || c.actions.size(1) != act_dim_)
    throw Error(fmt::format("sequence buffer: columns have obs/act dims {}/{}, expected {}/{}",
                            c.obs.size(1), c.actions.size(1), obs_dim_, act_dim_));
  auto obs = c.obs.to(torch::kFloat32).contiguous();
  auto act = c.actions.to(torch::kFloat32).contiguous();
  auto next = c.next_obs.to(torch::kFloat32).contiguous();
  auto rew = c.rewards.defined() ? c.rewards.to(torch::kFloat32).contiguous()
                                 : torch::zeros({n}, torch::kFloat32);
  auto term = c.terminals.to(torch::kBool).contiguous();
  auto tout = c.timeouts.to(torch::kBool).contiguous();
  const bool* t = term.data_ptr<bool>();
  const bool* o = tout.data_ptr<bool>();
  for (int64_t i = 0; i < n; ++i)
    add(obs.data_ptr<float>() + i * obs_dim_, act.data_ptr<float>() + i * act_dim_,
        rew.data_ptr<float>()[i], next.data_ptr<float>() + i * obs_dim_, t[i],
        t[i] || o[i] || i + 1 == n);
}

SequenceBatch SequenceBuffer::sample(int64_t batch) {
  if (starts_.empty())
    throw RunError(fmt::format("sequence buffer: no complete sequence of {} steps yet", horizon_));
  auto start = torch::empty({batch}, torch::kInt64);
  std::uniform_int_distribution<size_t> pick(0, starts_.size() - 1);
  int64_t* s = start.data_ptr<int64_t>();
  for (int64_t b = 0; b < batch; ++b) s[b] = starts_[pick(rng_)];
  const int64_t H = horizon_;
  auto rows = (torch::arange(H, torch::kInt64).unsqueeze(1) + start.unsqueeze(0)).reshape({-1});
  SequenceBatch out;
  auto first = obs_.index_select(0, rows).view({H, batch, obs_dim_});
  auto last = next_obs_.index_select(0, start + (H - 1)).unsqueeze(0);
  out.obs = torch::cat({first, last}, 0);
  out.actions = actions_.index_select(0, rows).view({H, batch, act_dim_});
  out.rewards = rewards_.index_select(0, rows).view({H, batch});
  out.terminals = terminals_.index_select(0, rows).view({H, batch});
  return out;
}

void SequenceBuffer::save(torch::serialize::OutputArchive& archive) const {
  write_int(archive, "capacity", capacity_);
  write_int(archive, "obs_dim", obs_dim_);
  write_int(archive, "act_dim", act_dim_);
  write_int(archive, "horizon", horizon_);
  write_int(archive, "size", size_);
  write_int(archive, "episode_begin", episode_begin_);
  archive.write("obs", obs_.narrow(0, 0, size_).clone(), true);
  archive.write("actions", actions_.narrow(0, 0, size_).clone(), true);
  archive.write("rewards", rewards_.narrow(0, 0, size_).clone(), true);
  archive.write("next_obs", next_obs_.narrow(0, 0, size_).clone(), true);
  archive.write("terminals", terminals_.narrow(0, 0, size_).clone(), true);
  archive.write("starts", torch::tensor(starts_, torch::kInt64), true);
  std::ostringstream rng;
  rng << rng_;
  const std::string text = rng.str();
  archive.write(
      "rng",
      torch::from_blob(const_cast<char*>(text.data()), {int64_t(text.size())}, torch::kInt8)
          .clone(),
      true);
}

void SequenceBuffer::load(torch::serialize::InputArchive& archive) {
  const int64_t cap = read_int(archive, "capacity"), od = read_int(archive, "obs_dim"),
                ad = read_int(archive, "act_dim"), h = read_int(archive, "horizon");
  if (cap != capacity_ || od != obs_dim_ || ad != act_dim_ || h != horizon_)
    throw Error(
        fmt::format("sequence buffer checkpoint has capacity/obs_dim/act_dim/horizon "
                    "{}/{}/{}/{}, expected {}/{}/{}/{}",
                    cap, od, ad, h, capacity_, obs_dim_, act_dim_, horizon_));
  size_ = read_int(archive, "size");
  episode_begin_ = read_int(archive, "episode_begin");
  auto restore = [&](const char* key, torch::Tensor& into) {
    auto dst = into.narrow(0, 0, size_);
    read_into(archive, key, dst);
  };
  restore("obs", obs_);
  restore("actions", actions_);
  restore("rewards", rewards_);
  restore("next_obs", next_obs_);
  restore("terminals", terminals_);
  torch::Tensor starts, rng;
  archive.read("starts", starts, true);
  starts = starts.contiguous();
  starts_.assign(starts.data_ptr<int64_t>(), starts.data_ptr<int64_t>() + starts.numel());
  archive.read("rng", rng, true);
  std::istringstream in(std::string(static_cast<const char*>(rng.data_ptr()), rng.numel()));
  in >> rng_;
}

}  // namespace relabel::algos
