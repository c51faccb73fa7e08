#pragma once
// Test doubles for algos::GradSync: replicas as threads of one process (real data-parallel
// semantics without MPI), and a sync that stands in for the other ranks' contributions.
#include <torch/torch.h>

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "algos/sync.h"

namespace relabel::algos::test {

// Shared state of `world` replicas; each thread uses its own ThreadSync(group, rank).
class ThreadGroup {
 public:
  explicit ThreadGroup(int world) : world_(world), slots_(world) {}
  int world() const { return world_; }

  // Every replica deposits a tensor; each gets back the element-wise sum (in rank order, so
  // every replica computes bit-identical results).
  torch::Tensor all_sum(int rank, const torch::Tensor& t) {
    slots_[rank] = t.detach().to(torch::kFloat64).clone();
    wait();
    torch::Tensor sum = torch::zeros_like(slots_[0]);
    for (int r = 0; r < world_; ++r) sum += slots_[r];
    wait();
    return sum;
  }
  torch::Tensor from_rank0(int rank, const torch::Tensor& t) {
    if (rank == 0) slots_[0] = t.detach().clone();
    wait();
    torch::Tensor v = slots_[0].clone();
    wait();
    return v;
  }

 private:
  void wait() {
    std::unique_lock<std::mutex> lock(mutex_);
    const long gen = generation_;
    if (++arrived_ == world_) {
      arrived_ = 0;
      ++generation_;
      cv_.notify_all();
    } else {
      cv_.wait(lock, [&] { return generation_ != gen; });
    }
  }
  int world_;
  std::vector<torch::Tensor> slots_;
  std::mutex mutex_;
  std::condition_variable cv_;
  int arrived_ = 0;
  long generation_ = 0;
};

class ThreadSync final : public GradSync {
 public:
  ThreadSync(ThreadGroup& group, int rank) : group_(group), rank_(rank) {}
  void broadcast_parameters(const std::vector<at::Tensor>& params) override {
    torch::NoGradGuard no_grad;
    for (const auto& p : params) p.copy_(group_.from_rank0(rank_, p));
    ++broadcasts;
  }
  void average_gradients(const std::vector<at::Tensor>& params) override {
    for (const auto& p : params) {
      torch::Tensor g = p.grad().defined() ? p.grad() : torch::zeros_like(p);
      torch::Tensor mean = group_.all_sum(rank_, g) / group_.world();
      if (!p.grad().defined()) p.mutable_grad() = torch::zeros_like(p);
      p.mutable_grad().copy_(mean);
    }
    ++averages;
  }
  int world_size() const override { return group_.world(); }
  void all_reduce_sum(double* values, int n) override {
    torch::Tensor s = group_.all_sum(rank_, torch::from_blob(values, {n}, torch::kFloat64));
    for (int i = 0; i < n; ++i) values[i] = s[i].item<double>();
  }
  int broadcasts = 0;
  int averages = 0;

 private:
  ThreadGroup& group_;
  int rank_;
};

// Runs body(rank, sync) on `world` threads and joins them.
inline void run_replicas(int world, const std::function<void(int, GradSync&)>& body) {
  ThreadGroup group(world);
  std::vector<std::thread> threads;
  for (int r = 0; r < world; ++r)
    threads.emplace_back([&, r] {
      ThreadSync sync(group, r);
      body(r, sync);
    });
  for (auto& t : threads) t.join();
}

// Single process that pretends other ranks added `others` to every all_reduce_sum, in order.
class OffsetSync final : public GradSync {
 public:
  explicit OffsetSync(std::vector<std::vector<double>> others) : others_(std::move(others)) {}
  void broadcast_parameters(const std::vector<at::Tensor>&) override {}
  void average_gradients(const std::vector<at::Tensor>&) override {}
  int world_size() const override { return 2; }
  void all_reduce_sum(double* values, int n) override {
    const auto& add = others_.at(call_++);
    for (int i = 0; i < n; ++i) values[i] += add.at(i);
  }

 private:
  std::vector<std::vector<double>> others_;
  size_t call_ = 0;
};

}  // namespace relabel::algos::test
