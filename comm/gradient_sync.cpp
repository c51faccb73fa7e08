#include "comm/gradient_sync.h"

#include <torch/torch.h>

#include <map>
#include <tuple>

#include "core/error.h"

namespace relabel::comm {

namespace {
// True when `grad` is the bucket slot itself (left there by the previous call).
bool in_bucket(const torch::Tensor& grad, const torch::Tensor& alias) {
  return grad.data_ptr() == alias.data_ptr() && grad.sizes() == alias.sizes() &&
         grad.scalar_type() == alias.scalar_type() && grad.is_contiguous();
}
}  // namespace

GradientSync::GradientSync(Collective& collective, GradientSyncOptions options)
    : collective_(collective), options_(options) {
  if (options_.bucket_bytes == 0) throw Error("GradientSync: bucket_bytes must be > 0");
}

GradientSync::Layout& GradientSync::layout_for(const std::vector<at::Tensor>& params) {
  // Hot path: the same parameter list as last time (identity and size of every tensor).
  bool same = layout_.impls.size() == params.size();
  for (size_t i = 0; same && i < params.size(); ++i)
    same = layout_.impls[i] == params[i].unsafeGetTensorImpl() &&
           layout_.numels[i] == params[i].numel();
  if (same) return layout_;

  // Group by (dtype, device), in parameter order, closing a bucket when it would exceed the
  // cap; a tensor larger than the cap gets a bucket of its own (as DDP does).
  struct Pending {
    std::vector<size_t> members;
    int64_t numel = 0;
  };
  std::vector<Pending> pending;
  std::vector<torch::TensorOptions> pending_options;
  std::map<std::tuple<int, int, int>, size_t> open;  // (dtype, device type, index) -> pending
  for (size_t i = 0; i < params.size(); ++i) {
    const auto& p = params[i];
    if (!p.defined()) throw Error("GradientSync: parameter " + std::to_string(i) + " is undefined");
    if (p.device() != collective_.device())
      throw Error("GradientSync: parameter " + std::to_string(i) + " is on " + p.device().str() +
                  " but the collective works on " + collective_.device().str());
    auto key = std::make_tuple(static_cast<int>(p.scalar_type()),
                               static_cast<int>(p.device().type()), int(p.device().index()));
    const int64_t bytes = p.numel() * static_cast<int64_t>(p.element_size());
    auto it = open.find(key);
    if (it != open.end()) {
      const auto& b = pending[it->second];
      if ((b.numel * static_cast<int64_t>(p.element_size()) + bytes) >
          static_cast<int64_t>(options_.bucket_bytes))
        open.erase(it), it = open.end();
    }
    if (it == open.end()) {
      pending.emplace_back();
      pending_options.push_back(p.options().requires_grad(false));
      it = open.emplace(key, pending.size() - 1).first;
    }
    pending[it->second].members.push_back(i);
    pending[it->second].numel += p.numel();
  }

  Layout layout;
  for (const auto& p : params) {
    layout.impls.push_back(p.unsafeGetTensorImpl());
    layout.numels.push_back(p.numel());
  }
  torch::NoGradGuard no_grad;
  for (size_t b = 0; b < pending.size(); ++b) {
    Bucket bucket;
    bucket.flat = torch::zeros({pending[b].numel}, pending_options[b]);
    int64_t offset = 0;
    for (size_t i : pending[b].members) {
      const auto& p = params[i];
      auto alias = torch::empty({0}, pending_options[b]);
      alias.set_(bucket.flat.storage(), offset, p.sizes(), c10::contiguous_strides(p.sizes()));
      bucket.slots.push_back({i, alias});
      offset += p.numel();
    }
    layout.buckets.push_back(std::move(bucket));
  }
  layout_ = std::move(layout);
  return layout_;
}

void GradientSync::broadcast_parameters(const std::vector<at::Tensor>& params) {
  if (collective_.size() == 1 || params.empty()) return;
  torch::NoGradGuard no_grad;
  auto& layout = layout_for(params);
  const bool root = collective_.rank() == 0;
  for (auto& bucket : layout.buckets) {
    if (root)
      for (auto& slot : bucket.slots) slot.alias.copy_(params[slot.param]);
    collective_.broadcast(bucket.flat, 0);
    if (!root)
      for (auto& slot : bucket.slots) params[slot.param].copy_(slot.alias);
  }
}

void GradientSync::average_gradients(const std::vector<at::Tensor>& params) {
  if (collective_.size() == 1 || params.empty()) return;
  torch::NoGradGuard no_grad;
  auto& layout = layout_for(params);
  for (auto& bucket : layout.buckets) {
    if (bucket.slots.size() == 1) {
      // One tensor (a flat parameter buffer, algos/nets/flat_params.h): reduce its gradient in
      // place, which saves copying 2x its bytes into and out of the bucket every step.
      const auto& param = params[bucket.slots[0].param];
      auto grad = param.grad();
      if (param.requires_grad() && grad.defined() && grad.is_contiguous() &&
          grad.scalar_type() == bucket.flat.scalar_type() &&
          grad.device() == bucket.flat.device()) {
        collective_.all_reduce(grad, ReduceOp::Mean);
        continue;
      }
    }
    for (auto& slot : bucket.slots) {
      const auto& param = params[slot.param];
      const auto& grad = param.grad();
      if (!param.requires_grad() || !grad.defined())
        slot.alias.zero_();  // counts as zeros
      else if (!in_bucket(grad, slot.alias))
        slot.alias.copy_(grad);
    }
    // Mean, not Sum: the backends fuse the 1/size scaling into the reduction (ring for MPI,
    // ncclAvg for NCCL; the shared-memory path on one node), which saves a pass over the bucket
    // that costs ~45% of the all-reduce itself on shared memory (bench_allreduce).
    collective_.all_reduce(bucket.flat, ReduceOp::Mean);
    for (auto& slot : bucket.slots) {
      const auto& param = params[slot.param];
      if (!param.requires_grad()) continue;  // frozen: no gradient to set
      auto& grad = param.mutable_grad();
      if (!grad.defined() || !in_bucket(grad, slot.alias)) grad = slot.alias;
    }
  }
}

void GradientSync::all_reduce_sum(double* values, int n) { collective_.all_reduce_sum(values, n); }

}  // namespace relabel::comm
