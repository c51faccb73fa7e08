#include "comm/nccl_collective.h"

#include <torch/torch.h>

#include <cstring>
#include <string>

#include "comm/nccl_runtime.h"
#include "core/error.h"

// torch's current stream exists only when LibTorch itself was built with CUDA (c10_cuda);
// Debian's CPU LibTorch ships the header without the library, hence the CMake-side flag.
#if defined(RELABEL_TORCH_CUDA) && __has_include(<c10/cuda/CUDAStream.h>)
#include <c10/cuda/CUDAStream.h>
#define RELABEL_USE_TORCH_STREAM 1
#endif

namespace relabel::comm {

namespace {

// The loaded API; the constructor and visible_devices() checked it is there.
const nccl_runtime::Api& rt() {
  std::string why;
  if (const auto* a = nccl_runtime::api(&why)) return *a;
  throw Error("NCCL backend: cannot load the CUDA runtime or NCCL: " + why);
}

void check_cuda(cudaError_t code, const char* what) {
  if (code != cudaSuccess) throw RunError(std::string(what) + ": " + rt().cudaGetErrorString(code));
}

void check_nccl(ncclResult_t code, const char* what) {
  if (code != ncclSuccess) throw RunError(std::string(what) + ": " + rt().ncclGetErrorString(code));
}

cudaStream_t compute_stream(int device) {
#ifdef RELABEL_USE_TORCH_STREAM
  return c10::cuda::getCurrentCUDAStream(static_cast<c10::DeviceIndex>(device)).stream();
#else
  (void)device;
  return cudaStreamLegacy;
#endif
}

bool nccl_type(torch::ScalarType t, ncclDataType_t* out) {
  switch (t) {
    case torch::kFloat32:
      *out = ncclFloat32;
      return true;
    case torch::kFloat64:
      *out = ncclFloat64;
      return true;
    case torch::kHalf:
      *out = ncclFloat16;
      return true;
    case torch::kBFloat16:
      *out = ncclBfloat16;
      return true;
    case torch::kInt32:
      *out = ncclInt32;
      return true;
    case torch::kInt64:
      *out = ncclInt64;
      return true;
    default:
      return false;
  }
}

// Makes `device` current for the scope (NCCL and stream calls act on the current device).
class DeviceScope {
 public:
  explicit DeviceScope(int device) {
    check_cuda(rt().cudaGetDevice(&previous_), "cudaGetDevice");
    if (previous_ != device) check_cuda(rt().cudaSetDevice(device), "cudaSetDevice");
  }
  ~DeviceScope() { rt().cudaSetDevice(previous_); }

 private:
  int previous_ = 0;
};

}  // namespace

std::string NcclCollective::runtime_problem() {
  std::string why;
  return nccl_runtime::api(&why) ? std::string() : why;
}

int NcclCollective::visible_devices() {
  if (!nccl_runtime::api()) return 0;
  int n = 0;
  if (rt().cudaGetDeviceCount(&n) != cudaSuccess) {
    rt().cudaGetLastError();  // clear the sticky "no driver/no device" error
    return 0;
  }
  return n;
}

NcclCollective::NcclCollective(MPI_Comm comm, int device_index)
    : NcclCollective(std::make_unique<MpiCollective>(comm), device_index) {}

NcclCollective::NcclCollective(std::unique_ptr<MpiCollective> host, int device_index)
    : host_(std::move(host)), device_(device_index) {
  init();
}

void NcclCollective::init() {
  const int devices = visible_devices();
  // Every rank checks and agrees before any NCCL call, so no rank waits for a failed peer.
  const bool ok = device_ >= 0 && device_ < devices;
  if (!host_->all(ok))
    throw Error("NCCL backend: rank " + std::to_string(rank()) + " asked for CUDA device " +
                std::to_string(device_) + " but " + std::to_string(devices) +
                " are visible (on this rank or a peer)");
  DeviceScope scope(device_);
  // Rank 0 creates the id; the status travels with it so peers fail rather than hang.
  struct {
    int ok;
    ncclUniqueId id;
  } boot{};
  std::string failure;
  if (host_->rank() == 0) {
    ncclResult_t r = rt().ncclGetUniqueId(&boot.id);
    boot.ok = r == ncclSuccess;
    if (!boot.ok) failure = rt().ncclGetErrorString(r);
  }
  check_mpi(MPI_Bcast(&boot, sizeof boot, MPI_BYTE, 0, host_->comm()), "MPI_Bcast(ncclUniqueId)");
  if (!boot.ok)
    throw RunError("ncclGetUniqueId failed on rank 0" + (failure.empty() ? "" : ": " + failure));
  check_nccl(rt().ncclCommInitRank(&comm_, size(), boot.id, rank()), "ncclCommInitRank");
  check_cuda(rt().cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking), "cudaStreamCreate");
  check_cuda(rt().cudaEventCreateWithFlags(&ready_, cudaEventDisableTiming), "cudaEventCreate");
  check_cuda(rt().cudaEventCreateWithFlags(&done_, cudaEventDisableTiming), "cudaEventCreate");
}

NcclCollective::~NcclCollective() {
  // No throwing here: a failed teardown at exit must not mask the real error. Handles exist
  // only if the API was loaded.
  const auto* a = nccl_runtime::api();
  if (!a) return;
  if (comm_) a->ncclCommDestroy(comm_);
  if (ready_) a->cudaEventDestroy(ready_);
  if (done_) a->cudaEventDestroy(done_);
  if (stream_) a->cudaStreamDestroy(stream_);
}

torch::Device NcclCollective::device() const {
  return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(device_));
}

cudaStream_t NcclCollective::begin() {
  check_cuda(rt().cudaEventRecord(ready_, compute_stream(device_)), "cudaEventRecord");
  check_cuda(rt().cudaStreamWaitEvent(stream_, ready_, 0), "cudaStreamWaitEvent");
  return stream_;
}

void NcclCollective::end() {
  check_cuda(rt().cudaEventRecord(done_, stream_), "cudaEventRecord");
  check_cuda(rt().cudaStreamWaitEvent(compute_stream(device_), done_, 0), "cudaStreamWaitEvent");
}

void NcclCollective::check_tensor(const torch::Tensor& t, const char* what) const {
  if (!t.defined()) throw Error(std::string(what) + ": undefined tensor");
  if (t.device() != device())
    throw Error(std::string(what) + ": NcclCollective needs tensors on " + device().str() +
                ", got " + t.device().str());
  if (!t.is_contiguous()) throw Error(std::string(what) + ": tensor must be contiguous");
}

void NcclCollective::all_reduce(torch::Tensor& tensor, ReduceOp op) {
  check_tensor(tensor, "all_reduce");
  ncclDataType_t type;
  if (!nccl_type(tensor.scalar_type(), &type))
    throw Error(std::string("all_reduce: unsupported dtype ") +
                c10::toString(tensor.scalar_type()) + " for NCCL");
  if (size() == 1 || tensor.numel() == 0) return;
  const bool int_mean = op == ReduceOp::Mean && !tensor.is_floating_point();
  ncclRedOp_t nop = op == ReduceOp::Max                 ? ncclMax
                    : op == ReduceOp::Min               ? ncclMin
                    : op == ReduceOp::Mean && !int_mean ? ncclAvg
                                                        : ncclSum;
  DeviceScope scope(device_);
  void* p = tensor.data_ptr();
  check_nccl(
      rt().ncclAllReduce(p, p, static_cast<size_t>(tensor.numel()), type, nop, comm_, begin()),
      "ncclAllReduce");
  end();
  if (int_mean) tensor.div_(size(), "trunc");  // queued on the compute stream, after end()
}

void NcclCollective::broadcast(torch::Tensor& tensor, int root) {
  check_tensor(tensor, "broadcast");
  if (root < 0 || root >= size())
    throw Error("broadcast: root " + std::to_string(root) + " is not a rank of a group of " +
                std::to_string(size()));
  if (size() == 1 || tensor.numel() == 0) return;
  DeviceScope scope(device_);
  void* p = tensor.data_ptr();
  check_nccl(rt().ncclBroadcast(p, p, tensor.nbytes(), ncclUint8, root, comm_, begin()),
             "ncclBroadcast");
  end();
}

torch::Tensor NcclCollective::all_gather(const torch::Tensor& input) {
  if (!input.defined()) throw Error("all_gather: undefined tensor");
  torch::Tensor in = input.dim() == 0 ? input.reshape({1}) : input.contiguous();
  check_tensor(in, "all_gather");
  // Shapes travel over MPI (host): every rank sees a mismatch and throws the same error.
  int64_t shape_hash = 1469598103934665603LL;
  for (int64_t d = 1; d < in.dim(); ++d) shape_hash = shape_hash * 1099511628211LL + in.size(d);
  int64_t header[4] = {in.size(0), in.dim(), static_cast<int64_t>(in.scalar_type()), shape_hash};
  auto headers = host_->all_gather(torch::from_blob(header, {1, 4}, torch::kInt64)).contiguous();
  const int64_t* h = headers.data_ptr<int64_t>();
  int64_t total_rows = 0, max_rows = 0;
  bool even = true;
  for (int r = 0; r < size(); ++r) {
    if (h[4 * r + 1] != h[1] || h[4 * r + 2] != h[2] || h[4 * r + 3] != h[3])
      throw RunError("all_gather: rank " + std::to_string(r) +
                     " passed a tensor whose dtype or trailing dimensions differ from rank 0's");
    total_rows += h[4 * r];
    max_rows = std::max(max_rows, h[4 * r]);
    even = even && h[4 * r] == h[0];
  }
  std::vector<int64_t> shape(in.sizes().begin(), in.sizes().end());
  shape[0] = total_rows;
  torch::Tensor out = torch::empty(shape, in.options());
  if (out.numel() == 0) return out;
  const size_t row_bytes = in.size(0) > 0 ? in.nbytes() / static_cast<size_t>(in.size(0))
                                          : out.nbytes() / static_cast<size_t>(total_rows);
  DeviceScope scope(device_);
  cudaStream_t stream = begin();
  auto* dst = static_cast<char*>(out.data_ptr());
  if (even) {
    check_nccl(rt().ncclAllGather(in.data_ptr(), dst, in.nbytes(), ncclUint8, comm_, stream),
               "ncclAllGather");
  } else {
    // Uneven rows: one broadcast per rank into its slice, fused in a single NCCL group.
    check_nccl(rt().ncclGroupStart(), "ncclGroupStart");
    size_t offset = 0;
    for (int r = 0; r < size(); ++r) {
      size_t bytes = static_cast<size_t>(h[4 * r]) * row_bytes;
      if (bytes > 0)
        check_nccl(rt().ncclBroadcast(r == rank() ? in.data_ptr() : nullptr, dst + offset, bytes,
                                      ncclUint8, r, comm_, stream),
                   "ncclBroadcast");
      offset += bytes;
    }
    check_nccl(rt().ncclGroupEnd(), "ncclGroupEnd");
  }
  end();
  return out;
}

void NcclCollective::all_to_all(const torch::Tensor& send, const std::vector<int64_t>& send_rows,
                                torch::Tensor& recv, const std::vector<int64_t>& recv_rows) {
  const int64_t row = all_to_all_row_elements(send, send_rows, recv, recv_rows);
  check_tensor(send, "all_to_all");
  check_tensor(recv, "all_to_all");
  const size_t row_bytes = static_cast<size_t>(row) * send.element_size();
  DeviceScope scope(device_);
  cudaStream_t stream = begin();
  const auto* src = static_cast<const char*>(send.data_ptr());
  auto* dst = static_cast<char*>(recv.data_ptr());
  // One group of point-to-point calls: NCCL pairs them like MPI_Alltoallv (self included).
  check_nccl(rt().ncclGroupStart(), "ncclGroupStart");
  for (int r = 0; r < size(); ++r) {
    const size_t s = static_cast<size_t>(send_rows[r]) * row_bytes;
    const size_t q = static_cast<size_t>(recv_rows[r]) * row_bytes;
    if (s > 0) check_nccl(rt().ncclSend(src, s, ncclUint8, r, comm_, stream), "ncclSend");
    if (q > 0) check_nccl(rt().ncclRecv(dst, q, ncclUint8, r, comm_, stream), "ncclRecv");
    src += s;
    dst += q;
  }
  check_nccl(rt().ncclGroupEnd(), "ncclGroupEnd");
  end();
}

void NcclCollective::barrier() {
  {
    DeviceScope scope(device_);
    check_cuda(rt().cudaStreamSynchronize(stream_), "cudaStreamSynchronize");
  }
  host_->barrier();
}

std::unique_ptr<Collective> NcclCollective::split(int color, int key) {
  auto sub = host_->split(color, key);
  if (!sub) return nullptr;
  std::unique_ptr<MpiCollective> sub_host(static_cast<MpiCollective*>(sub.release()));
  return std::unique_ptr<Collective>(new NcclCollective(std::move(sub_host), device_));
}

}  // namespace relabel::comm
