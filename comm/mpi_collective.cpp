#include "comm/mpi_collective.h"

#include <torch/torch.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <cstring>

#include "comm/ring_allreduce.h"
#include "comm/shm_allreduce.h"
#include "core/error.h"

namespace relabel::comm {

void check_mpi(int code, const char* what) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  MPI_Error_string(code, text, &len);
  throw RunError(std::string(what) + ": " + std::string(text, static_cast<size_t>(len)));
}

namespace {

// How a dtype travels: an MPI type and how many of them make one element. Types MPI has no
// name for (half, bfloat16, complex) go as bytes; they can be moved but not reduced.
struct Wire {
  MPI_Datatype type;
  int64_t per_element;
  bool reducible;
};

Wire wire_of(torch::ScalarType t) {
  switch (t) {
    case torch::kFloat32:
      return {MPI_FLOAT, 1, true};
    case torch::kFloat64:
      return {MPI_DOUBLE, 1, true};
    case torch::kInt64:
      return {MPI_INT64_T, 1, true};
    case torch::kInt32:
      return {MPI_INT32_T, 1, true};
    case torch::kInt16:
      return {MPI_INT16_T, 1, false};
    case torch::kInt8:
      return {MPI_INT8_T, 1, false};
    case torch::kUInt8:
    case torch::kBool:
      return {MPI_UINT8_T, 1, false};
    default:
      return {MPI_BYTE, static_cast<int64_t>(c10::elementSize(t)), false};
  }
}

MPI_Op mpi_op(ReduceOp op) {
  switch (op) {
    case ReduceOp::Max:
      return MPI_MAX;
    case ReduceOp::Min:
      return MPI_MIN;
    default:
      return MPI_SUM;  // Mean = Sum, then divided
  }
}

void require_cpu_contiguous(const torch::Tensor& t, const char* what) {
  if (!t.defined()) throw Error(std::string(what) + ": undefined tensor");
  if (!t.device().is_cpu())
    throw Error(std::string(what) + ": MpiCollective needs CPU tensors, got " + t.device().str());
  if (!t.is_contiguous()) throw Error(std::string(what) + ": tensor must be contiguous");
}

// Runs fn(offset_units, count) over [0, total) in pieces of at most max_chunk units.
template <typename Fn>
void for_chunks(int64_t total, int64_t max_chunk, Fn&& fn) {
  for (int64_t off = 0; off < total; off += max_chunk)
    fn(off, static_cast<int>(std::min(max_chunk, total - off)));
}

}  // namespace

MpiCollective::MpiCollective(MPI_Comm comm) : comm_(comm) {
  check_mpi(MPI_Comm_rank(comm_, &rank_), "MPI_Comm_rank");
  check_mpi(MPI_Comm_size(comm_, &size_), "MPI_Comm_size");
}

MpiCollective::MpiCollective(MPI_Comm comm, Owned) : MpiCollective(comm) {
  owned_ = true;
  // Our own communicator: failures come back as codes (RunError) instead of killing the job.
  MPI_Comm_set_errhandler(comm_, MPI_ERRORS_RETURN);
}

MpiCollective::~MpiCollective() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (owned_ && !finalized) MPI_Comm_free(&comm_);
}

void MpiCollective::set_ring_min_bytes(int64_t bytes) {
  ring_min_bytes_ = std::max<int64_t>(bytes, 0);
}

void MpiCollective::set_max_chunk_elements(int64_t n) {
  if (n < 1 || n > INT_MAX) throw Error("max chunk must be in [1, INT_MAX]");
  max_chunk_ = n;
}

void MpiCollective::all_reduce(torch::Tensor& tensor, ReduceOp op) {
  require_cpu_contiguous(tensor, "all_reduce");
  Wire w = wire_of(tensor.scalar_type());
  if (!w.reducible)
    throw Error(std::string("all_reduce: unsupported dtype ") +
                c10::toString(tensor.scalar_type()) + " (float32, float64, int32, int64)");
  if (size_ == 1 || tensor.numel() == 0) return;
  const int64_t n = tensor.numel();
  const bool large = static_cast<int64_t>(tensor.nbytes()) >= ring_min_bytes_;
  if (large && shm_enabled_ && tensor.is_floating_point() &&
      (op == ReduceOp::Mean || op == ReduceOp::Sum)) {
    if (shm_state_ == 0) {  // collective, once: every rank sees the same tensor size
      shm_ = SharedMemoryReducer::create(comm_);
      shm_state_ = shm_ ? 1 : -1;
    }
    if (shm_) {
      const bool mean = op == ReduceOp::Mean;
      const bool done = tensor.scalar_type() == torch::kFloat32
                            ? shm_->all_reduce(tensor.data_ptr<float>(), n, mean)
                            : shm_->all_reduce(tensor.data_ptr<double>(), n, mean);
      if (done) return;  // else /dev/shm is full: the paths below
    }
  }
  if (op == ReduceOp::Mean && large) {
    // Large floating means: ring with the scaling fused in (comm/ring_allreduce.h).
    if (tensor.scalar_type() == torch::kFloat32)
      return ring_all_reduce_mean(tensor.data_ptr<float>(), n, MPI_FLOAT, comm_, max_chunk_,
                                  scratch_);
    if (tensor.scalar_type() == torch::kFloat64)
      return ring_all_reduce_mean(tensor.data_ptr<double>(), n, MPI_DOUBLE, comm_, max_chunk_,
                                  scratch_);
  }
  auto* base = static_cast<char*>(tensor.data_ptr());
  const int64_t esize = static_cast<int64_t>(tensor.element_size());
  for_chunks(n, max_chunk_, [&](int64_t off, int count) {
    check_mpi(MPI_Allreduce(MPI_IN_PLACE, base + off * esize, count, w.type, mpi_op(op), comm_),
              "MPI_Allreduce");
  });
  if (op == ReduceOp::Mean) {
    if (tensor.is_floating_point())
      tensor.div_(size_);
    else
      tensor.div_(size_, "trunc");
  }
}

void MpiCollective::broadcast(torch::Tensor& tensor, int root) {
  require_cpu_contiguous(tensor, "broadcast");
  if (root < 0 || root >= size_)
    throw Error("broadcast: root " + std::to_string(root) + " is not a rank of a group of " +
                std::to_string(size_));
  if (size_ == 1 || tensor.numel() == 0) return;
  Wire w = wire_of(tensor.scalar_type());
  auto* base = static_cast<char*>(tensor.data_ptr());
  const int64_t unit_bytes = static_cast<int64_t>(tensor.element_size()) / w.per_element;
  for_chunks(tensor.numel() * w.per_element, max_chunk_, [&](int64_t off, int count) {
    check_mpi(MPI_Bcast(base + off * unit_bytes, count, w.type, root, comm_), "MPI_Bcast");
  });
}

torch::Tensor MpiCollective::all_gather(const torch::Tensor& input) {
  if (!input.defined()) throw Error("all_gather: undefined tensor");
  if (!input.device().is_cpu())
    throw Error("all_gather: MpiCollective needs CPU tensors, got " + input.device().str());
  torch::Tensor in = input.dim() == 0 ? input.reshape({1}) : input.contiguous();

  // Exchange (rows, rank, dtype, shape hash) first so that every rank sees a mismatch and
  // throws the same error instead of some ranks waiting in the data exchange.
  int64_t shape_hash = 1469598103934665603LL;
  for (int64_t d = 1; d < in.dim(); ++d) shape_hash = shape_hash * 1099511628211LL + in.size(d);
  int64_t header[4] = {in.size(0), in.dim(), static_cast<int64_t>(in.scalar_type()), shape_hash};
  std::vector<int64_t> headers(4 * static_cast<size_t>(size_));
  if (size_ == 1) {
    std::copy(header, header + 4, headers.begin());
  } else {
    check_mpi(MPI_Allgather(header, 4, MPI_INT64_T, headers.data(), 4, MPI_INT64_T, comm_),
              "MPI_Allgather");
  }
  int64_t total_rows = 0;
  for (int r = 0; r < size_; ++r) {
    const int64_t* h = &headers[4 * static_cast<size_t>(r)];
    if (h[1] != headers[1] || h[2] != headers[2] || h[3] != headers[3])
      throw RunError("all_gather: rank " + std::to_string(r) +
                     " passed a tensor whose dtype or trailing dimensions differ from rank 0's");
    total_rows += h[0];
  }
  std::vector<int64_t> out_shape(in.sizes().begin(), in.sizes().end());
  out_shape[0] = total_rows;
  torch::Tensor out = torch::empty(out_shape, in.options());
  if (size_ == 1) {
    if (in.numel() > 0) out.copy_(in);
    return out;
  }

  Wire w = wire_of(in.scalar_type());
  int64_t trailing = 1;
  for (int64_t d = 1; d < in.dim(); ++d) trailing *= in.size(d);
  const int64_t row_units = trailing * w.per_element;
  const int64_t unit_bytes = static_cast<int64_t>(in.element_size()) / w.per_element;
  std::vector<int64_t> counts(size_), displs(size_);
  bool fits = true;
  for (int r = 0; r < size_; ++r) {
    counts[r] = headers[4 * static_cast<size_t>(r)] * row_units;
    displs[r] = r == 0 ? 0 : displs[r - 1] + counts[r - 1];
    fits = fits && counts[r] <= max_chunk_ && displs[r] <= INT_MAX;
  }
  auto* out_base = static_cast<char*>(out.data_ptr());
  if (fits) {
    std::vector<int> c(counts.begin(), counts.end()), d(displs.begin(), displs.end());
    check_mpi(MPI_Allgatherv(in.data_ptr(), c[rank_], w.type, out_base, c.data(), d.data(), w.type,
                             comm_),
              "MPI_Allgatherv");
    return out;
  }
  // Too large for int counts: each rank broadcasts its piece in chunks.
  if (counts[rank_] > 0)
    std::memcpy(out_base + displs[rank_] * unit_bytes, in.data_ptr(),
                static_cast<size_t>(counts[rank_] * unit_bytes));
  for (int r = 0; r < size_; ++r) {
    char* piece = out_base + displs[r] * unit_bytes;
    for_chunks(counts[r], max_chunk_, [&](int64_t off, int count) {
      check_mpi(MPI_Bcast(piece + off * unit_bytes, count, w.type, r, comm_), "MPI_Bcast");
    });
  }
  return out;
}

void MpiCollective::all_to_all(const torch::Tensor& send, const std::vector<int64_t>& send_rows,
                               torch::Tensor& recv, const std::vector<int64_t>& recv_rows) {
  const int64_t row = all_to_all_row_elements(send, send_rows, recv, recv_rows);
  if (!send.device().is_cpu() || !recv.device().is_cpu())
    throw Error("all_to_all: MpiCollective needs CPU tensors");
  if (size_ == 1) {
    if (send_rows[0] > 0) recv.narrow(0, 0, send_rows[0]).copy_(send.narrow(0, 0, send_rows[0]));
    return;
  }
  const Wire w = wire_of(send.scalar_type());
  const int64_t units = row * w.per_element;
  std::vector<int> sc(size_), sd(size_), rc(size_), rd(size_);
  int64_t so = 0, ro = 0;
  for (int r = 0; r < size_; ++r) {
    const int64_t s = send_rows[r] * units, q = recv_rows[r] * units;
    if (s > INT_MAX || q > INT_MAX || so > INT_MAX || ro > INT_MAX)
      throw RunError("all_to_all: a message of over 2^31 elements (batch exchange too large)");
    sc[r] = static_cast<int>(s);
    sd[r] = static_cast<int>(so);
    rc[r] = static_cast<int>(q);
    rd[r] = static_cast<int>(ro);
    so += s;
    ro += q;
  }
  check_mpi(MPI_Alltoallv(send.data_ptr(), sc.data(), sd.data(), w.type, recv.data_ptr(), rc.data(),
                          rd.data(), w.type, comm_),
            "MPI_Alltoallv");
}

MPI_Comm mpi_io_comm(Collective& comm) {
  auto* mpi = dynamic_cast<MpiCollective*>(&comm.host());
  if (!mpi) throw RunError("MPI-IO needs a group whose host collective is MPI");
  return mpi->comm();
}

void MpiCollective::abort(int exit_code) {
  MPI_Abort(comm_, exit_code);
  std::_Exit(exit_code);  // MPI_Abort does not return; keep the compiler sure of it
}

void MpiCollective::barrier() {
  if (size_ > 1) check_mpi(MPI_Barrier(comm_), "MPI_Barrier");
}

std::unique_ptr<Collective> MpiCollective::split(int color, int key) {
  MPI_Comm sub = MPI_COMM_NULL;
  check_mpi(MPI_Comm_split(comm_, color < 0 ? MPI_UNDEFINED : color, key, &sub), "MPI_Comm_split");
  if (sub == MPI_COMM_NULL) return nullptr;
  return std::unique_ptr<Collective>(new MpiCollective(sub, Owned{}));
}

}  // namespace relabel::comm
