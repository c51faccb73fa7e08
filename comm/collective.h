#pragma once
// Collective operations of one group of ranks over torch tensors (docs/architecture.md, comm/).
// MpiCollective (CPU tensors, any MPI) and NcclCollective (CUDA tensors, CUDA builds) implement
// it; make_collective() picks one for a Context's device. Every rank of the group must call the
// same operations in the same order with matching shapes (MPI semantics); a rank that fails
// must abort the group (comm/failure.h) rather than leave its peers waiting.
#include <torch/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace relabel::comm {

// Mean is Sum followed by a division by size(); for integer tensors it truncates toward zero.
enum class ReduceOp { Sum, Mean, Max, Min };

class Collective {
 public:
  virtual ~Collective() = default;

  virtual int rank() const = 0;
  virtual int size() const = 0;
  bool is_root() const { return rank() == 0; }
  // "cpu" or "cuda:<n>": where the tensors given to this collective must live.
  virtual torch::Device device() const = 0;

  // In place over every rank. Contiguous tensors of float32, float64, int32 or int64 (NCCL:
  // floating point only). Any size, including > INT_MAX elements.
  virtual void all_reduce(torch::Tensor& tensor, ReduceOp op = ReduceOp::Sum) = 0;
  // Replaces `tensor` with root's value (same shape and dtype on every rank; any dtype).
  virtual void broadcast(torch::Tensor& tensor, int root = 0) = 0;
  // Concatenation of every rank's `in` along dim 0, in rank order. The first dimension may
  // differ between ranks (all-gather-v); the other dimensions and the dtype must match.
  virtual torch::Tensor all_gather(const torch::Tensor& in) = 0;
  // Personalised exchange of rows (dim 0), MPI_Alltoallv semantics: this rank sends the next
  // send_rows[j] rows of `send` to rank j, in rank order, and receives recv_rows[j] rows from
  // rank j into `recv` (allocated by the caller: same dtype and row shape), in rank order.
  // send_rows[j] here must equal recv_rows[this rank] on rank j. The batch exchange of sharded
  // data: rows owned by another rank arrive through it, on the collective's device.
  virtual void all_to_all(const torch::Tensor& send, const std::vector<int64_t>& send_rows,
                          torch::Tensor& recv, const std::vector<int64_t>& recv_rows) = 0;
  virtual void barrier() = 0;
  // Ends every process of the group with `exit_code` (MPI_Abort): the last resort of the
  // failure policy (comm/failure.h) when a rank fails while its peers may wait in a collective.
  [[noreturn]] virtual void abort(int exit_code) = 0;
  // Sub-group of the ranks that pass the same `color`, ordered by (key, rank); MPI_Comm_split
  // semantics. A negative color leaves the rank out: it gets nullptr. Collective call.
  virtual std::unique_ptr<Collective> split(int color, int key) = 0;

  // The collective that handles host (CPU) data of this group: itself for MPI, the MPI
  // communicator that bootstrapped NCCL for NcclCollective. The scalar helpers below use it.
  virtual Collective& host() { return *this; }

  // Scalar conveniences on host values (global statistics, agreement between ranks).
  double all_reduce_sum(double value);
  void all_reduce_sum(double* values, int64_t n);  // in place, element-wise
  int64_t all_reduce_sum(int64_t value);
  double all_reduce_max(double value);
  int64_t all_reduce_max(int64_t value);
  double all_reduce_min(double value);
  int64_t all_reduce_min(int64_t value);
  bool any(bool value);  // true if it is true on some rank
  bool all(bool value);  // true if it is true on every rank
  std::vector<double> all_gather(double value);
  std::vector<int64_t> all_gather(int64_t value);
  // Every rank's string, in rank order (lengths may differ).
  std::vector<std::string> all_gather(const std::string& value);
  // Replaces `value` with root's string (e.g. a resolved config or an error message).
  void broadcast(std::string& value, int root = 0);

 protected:
  // Checks all_to_all's arguments (one count per rank, enough rows, same dtype and row shape,
  // contiguous) and returns the elements per row.
  int64_t all_to_all_row_elements(const torch::Tensor& send, const std::vector<int64_t>& send_rows,
                                  const torch::Tensor& recv,
                                  const std::vector<int64_t>& recv_rows) const;
};

}  // namespace relabel::comm
