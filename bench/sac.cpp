// bench_sac: SAC updates per second at the pendulum (3, 1) and hopper (11, 3) dimensions, batch
// 256, one torch thread. Baseline, measured in the same run: one Adam step of a single critic
// MLP[s+a, 256, 256, 1] on the same batch, so "x critic" says how many critic steps one full SAC
// update (target, twin critics, actor, temperature, Polyak) costs.
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include "algos/nets/mlp.h"
#include "algos/online/replay_buffer.h"
#include "algos/online/sac.h"

using relabel::algos::ReplayBuffer;
using relabel::algos::Sac;
using relabel::algos::SacOptions;

namespace {

constexpr int kRepeats = 7;
constexpr int kUpdatesPerRepeat = 50;

template <typename F>
double median_seconds_per_call(F&& f) {
  for (int i = 0; i < 10; ++i) f();  // warm-up: allocator caches, Adam state
  std::vector<double> t;
  for (int r = 0; r < kRepeats; ++r) {
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < kUpdatesPerRepeat; ++i) f();
    t.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() /
                kUpdatesPerRepeat);
  }
  std::nth_element(t.begin(), t.begin() + t.size() / 2, t.end());
  return t[t.size() / 2];
}

ReplayBuffer filled_buffer(int64_t s, int64_t a) {
  ReplayBuffer buffer(10000, s, a, 1);
  auto obs = torch::randn({10000, s}), act = torch::rand({10000, a}) * 2 - 1;
  auto next = torch::randn({10000, s}), rew = torch::randn({10000});
  for (int64_t i = 0; i < 10000; ++i)
    buffer.add(obs[i].data_ptr<float>(), act[i].data_ptr<float>(), rew[i].item<float>(),
               next[i].data_ptr<float>(), i % 97 == 0, false);
  return buffer;
}

}  // namespace

int main() {
  torch::set_num_threads(1);
  torch::manual_seed(0);
  std::printf("SAC update, batch 256, hidden 256, 1 thread; median of %d x %d updates\n", kRepeats,
              kUpdatesPerRepeat);
  std::printf("%-10s %5s %5s | %12s %10s | %14s %9s | %11s\n", "task", "obs", "act", "ms/update",
              "updates/s", "critic step ms", "x critic", "sample us");
  struct Dims {
    const char* task;
    int64_t s, a;
  };
  for (const Dims& d : {Dims{"pendulum", 3, 1}, Dims{"hopper", 11, 3}, Dims{"cheetah", 17, 6}}) {
    ReplayBuffer buffer = filled_buffer(d.s, d.a);
    SacOptions o;
    o.obs_dim = d.s;
    o.act_dim = d.a;
    Sac sac(o);
    const double sample_s = median_seconds_per_call([&] { buffer.sample(256); });
    const double sac_s = median_seconds_per_call([&] { sac.update(buffer.sample(256)); });

    auto critic = relabel::algos::make_mlp(d.s + d.a, 256, 2, 1);
    torch::optim::Adam adam(critic->parameters(), torch::optim::AdamOptions(3e-4));
    const double critic_s = median_seconds_per_call([&] {
      const auto& b = buffer.sample(256);
      auto q = critic->forward(torch::cat({b.obs, b.actions}, 1)).squeeze(1);
      auto loss = torch::mse_loss(q, b.rewards);
      adam.zero_grad();
      loss.backward();
      adam.step();
    });
    std::printf("%-10s %5lld %5lld | %12.3f %10.0f | %14.3f %9.2f | %11.1f\n", d.task,
                static_cast<long long>(d.s), static_cast<long long>(d.a), sac_s * 1e3, 1.0 / sac_s,
                critic_s * 1e3, sac_s / critic_s, sample_s * 1e6);
  }
  return 0;
}
