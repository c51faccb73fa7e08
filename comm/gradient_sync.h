#pragma once
// Data-parallel gradient averaging, DDP-style (docs/architecture.md): parameters are laid out
// once into flat buckets (default 25 MB, as PyTorch DDP), each bucket is averaged with one
// all-reduce (Mean, the scaling fused into the reduction by the backend). The layout is cached per
// parameter list, so a step allocates nothing. Like DDP's gradient_as_bucket_view, every .grad() is
// left pointing into its bucket after the first call: autograd then accumulates the next step's
// gradient in place there (optimizer.zero_grad() zeroes it in place), and the gradients are not
// copied at all. A fresh gradient tensor (zero_grad with set_to_none, or a grad assigned by hand)
// is copied in once.
#include <torch/types.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "algos/sync.h"
#include "comm/collective.h"

namespace relabel::comm {

struct GradientSyncOptions {
  size_t bucket_bytes = 25u << 20;  // PyTorch DDP's default bucket_cap_mb
};

class GradientSync final : public algos::GradSync {
 public:
  // `collective` must outlive this object; parameters live on collective.device().
  explicit GradientSync(Collective& collective, GradientSyncOptions options = {});

  void broadcast_parameters(const std::vector<at::Tensor>& params) override;
  // Undefined grads count as 0 and, when size() > 1, are allocated (zeros) so every rank
  // applies the same update. With one rank this returns at once.
  void average_gradients(const std::vector<at::Tensor>& params) override;
  int world_size() const override { return collective_.size(); }
  void all_reduce_sum(double* values, int n) override;

  // Buckets of the current layout (for tests and the bench); 0 before the first call.
  size_t bucket_count() const { return layout_.buckets.size(); }

 private:
  struct Slot {
    size_t param;  // index into the parameter list
    // The parameter's place in the bucket, shaped like the parameter. It shares the bucket's
    // storage without being an autograd view, so the optimiser may detach_() it as a .grad().
    torch::Tensor alias;
  };
  struct Bucket {
    torch::Tensor flat;  // contiguous, one dtype and device
    std::vector<Slot> slots;
  };
  struct Layout {
    std::vector<const void*> impls;  // identity of each parameter (TensorImpl)
    std::vector<int64_t> numels;
    std::vector<Bucket> buckets;
  };

  Layout& layout_for(const std::vector<at::Tensor>& params);

  Collective& collective_;
  GradientSyncOptions options_;
  Layout layout_;
};

}  // namespace relabel::comm
