#include "comm/collective.h"

#include <torch/torch.h>

#include "core/error.h"

namespace relabel::comm {

namespace {
// A CPU tensor over caller-owned memory: the scalar helpers reduce without copying.
template <typename T>
torch::Tensor host_view(T* data, int64_t n) {
  return torch::from_blob(data, {n}, torch::TensorOptions().dtype(torch::CppTypeToScalarType<T>()));
}

template <typename T>
T reduce_scalar(Collective& host, T value, ReduceOp op) {
  auto t = host_view(&value, 1);
  host.all_reduce(t, op);
  return value;
}

template <typename T>
std::vector<T> gather_scalar(Collective& host, T value) {
  auto all = host.all_gather(host_view(&value, 1)).contiguous();
  const T* p = all.template data_ptr<T>();
  return std::vector<T>(p, p + all.numel());
}
}  // namespace

double Collective::all_reduce_sum(double value) {
  return reduce_scalar(host(), value, ReduceOp::Sum);
}
void Collective::all_reduce_sum(double* values, int64_t n) {
  if (n <= 0) return;
  auto t = host_view(values, n);
  host().all_reduce(t, ReduceOp::Sum);
}
int64_t Collective::all_reduce_sum(int64_t value) {
  return reduce_scalar(host(), value, ReduceOp::Sum);
}
double Collective::all_reduce_max(double value) {
  return reduce_scalar(host(), value, ReduceOp::Max);
}
int64_t Collective::all_reduce_max(int64_t value) {
  return reduce_scalar(host(), value, ReduceOp::Max);
}
double Collective::all_reduce_min(double value) {
  return reduce_scalar(host(), value, ReduceOp::Min);
}
int64_t Collective::all_reduce_min(int64_t value) {
  return reduce_scalar(host(), value, ReduceOp::Min);
}
bool Collective::any(bool value) { return all_reduce_max(int64_t{value ? 1 : 0}) != 0; }
bool Collective::all(bool value) { return all_reduce_min(int64_t{value ? 1 : 0}) != 0; }

std::vector<double> Collective::all_gather(double value) { return gather_scalar(host(), value); }
std::vector<int64_t> Collective::all_gather(int64_t value) { return gather_scalar(host(), value); }

std::vector<std::string> Collective::all_gather(const std::string& value) {
  auto lengths = all_gather(static_cast<int64_t>(value.size()));
  auto bytes = torch::from_blob(const_cast<char*>(value.data()),
                                {static_cast<int64_t>(value.size())}, torch::kUInt8);
  auto all = host().all_gather(bytes).contiguous();
  const char* p = reinterpret_cast<const char*>(all.data_ptr<uint8_t>());
  std::vector<std::string> out;
  out.reserve(lengths.size());
  for (int64_t len : lengths) {
    out.emplace_back(p, static_cast<size_t>(len));
    p += len;
  }
  return out;
}

void Collective::broadcast(std::string& value, int root) {
  int64_t length = static_cast<int64_t>(value.size());
  auto length_t = host_view(&length, 1);
  host().broadcast(length_t, root);
  value.resize(static_cast<size_t>(length));
  if (length == 0) return;
  auto bytes = torch::from_blob(value.data(), {length}, torch::kUInt8);
  host().broadcast(bytes, root);
}

int64_t Collective::all_to_all_row_elements(const torch::Tensor& send,
                                            const std::vector<int64_t>& send_rows,
                                            const torch::Tensor& recv,
                                            const std::vector<int64_t>& recv_rows) const {
  const auto n = static_cast<size_t>(size());
  if (send_rows.size() != n || recv_rows.size() != n)
    throw Error("all_to_all: needs one send and one receive row count per rank");
  if (!send.defined() || !recv.defined() || send.dim() == 0 || recv.dim() != send.dim())
    throw Error("all_to_all: send and receive tensors must have rows (dim 0) of one shape");
  if (!send.is_contiguous() || !recv.is_contiguous())
    throw Error("all_to_all: tensors must be contiguous");
  if (send.scalar_type() != recv.scalar_type() || send.sizes().slice(1) != recv.sizes().slice(1))
    throw Error("all_to_all: send and receive tensors differ in dtype or row shape");
  int64_t sent = 0, received = 0;
  for (size_t r = 0; r < n; ++r) {
    if (send_rows[r] < 0 || recv_rows[r] < 0) throw Error("all_to_all: negative row count");
    sent += send_rows[r];
    received += recv_rows[r];
  }
  if (sent > send.size(0) || received > recv.size(0))
    throw Error("all_to_all: row counts exceed the tensors' rows");
  int64_t elements = 1;
  for (int64_t d = 1; d < send.dim(); ++d) elements *= send.size(d);
  return elements;
}

}  // namespace relabel::comm
