#include "comm/shm_allreduce.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <string>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "comm/mpi_collective.h"

namespace relabel::comm {

namespace {

// Collective: true where every rank passes true.
bool all_true(bool ok, MPI_Comm comm) {
  int v = ok ? 1 : 0;
  check_mpi(MPI_Allreduce(MPI_IN_PLACE, &v, 1, MPI_INT, MPI_MIN, comm), "MPI_Allreduce");
  return v == 1;
}

// Why streaming stores: an ordinary store to a line the peer core has cached must first
// invalidate the peer's copy, one at a time; on this machine's 2-core VM writing 1 MB the other
// core had just read took 460 us with ordinary stores and 38 us with non-temporal ones, and the
// peer still read it at 24 GB/s (measured with a two-process probe, 2026-11-21). Every store
// into the segment goes through here; loads stay ordinary.
#if defined(__SSE2__)
inline void stream4(float* d, __m128 v) { _mm_stream_ps(d, v); }
inline void stream4(double* d, __m128d v) { _mm_stream_pd(d, v); }
template <typename T>
struct Vec;
template <>
struct Vec<float> {
  using V = __m128;
  static constexpr int width = 4;
  static V load(const float* p) { return _mm_loadu_ps(p); }
  static V add(V a, V b) { return _mm_add_ps(a, b); }
  static V mul(V a, float s) { return _mm_mul_ps(a, _mm_set1_ps(s)); }
};
template <>
struct Vec<double> {
  using V = __m128d;
  static constexpr int width = 2;
  static V load(const double* p) { return _mm_loadu_pd(p); }
  static V add(V a, V b) { return _mm_add_pd(a, b); }
  static V mul(V a, double s) { return _mm_mul_pd(a, _mm_set1_pd(s)); }
};
#endif

// dst[i] = scale * sum_r src[r * stride + i] for i in [0, n) (the slots lie `stride` elements
// apart), summing in rank order; dst in the segment.
template <typename T>
void reduce_into(T* dst, const T* src, int64_t stride, int count, T scale, int64_t n) {
  auto scalar = [&](int64_t i) {
    T acc = src[i];
    for (int r = 1; r < count; ++r) acc += src[r * stride + i];
    dst[i] = acc * scale;
  };
  int64_t i = 0;
#if defined(__SSE2__)
  using W = Vec<T>;
  for (; i < n && reinterpret_cast<uintptr_t>(dst + i) % 16 != 0; ++i) scalar(i);
  for (; i + W::width <= n; i += W::width) {
    auto acc = W::load(src + i);
    for (int r = 1; r < count; ++r) acc = W::add(acc, W::load(src + r * stride + i));
    stream4(dst + i, W::mul(acc, scale));
  }
#endif
  for (; i < n; ++i) scalar(i);
}

// memcpy into the segment with streaming stores.
void stream_copy(char* dst, const char* src, size_t bytes) {
  size_t i = 0;
#if defined(__SSE2__)
  for (; i < bytes && reinterpret_cast<uintptr_t>(dst + i) % 16 != 0; ++i) dst[i] = src[i];
  for (; i + 16 <= bytes; i += 16)
    _mm_stream_si128(reinterpret_cast<__m128i*>(dst + i),
                     _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i)));
#endif
  if (i < bytes) std::memcpy(dst + i, src + i, bytes - i);
}

}  // namespace

std::unique_ptr<SharedMemoryReducer> SharedMemoryReducer::create(MPI_Comm comm) {
  int rank = 0, size = 1, local = 0;
  check_mpi(MPI_Comm_rank(comm, &rank), "MPI_Comm_rank");
  check_mpi(MPI_Comm_size(comm, &size), "MPI_Comm_size");
  MPI_Comm node;
  check_mpi(MPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, rank, MPI_INFO_NULL, &node),
            "MPI_Comm_split_type");
  check_mpi(MPI_Comm_size(node, &local), "MPI_Comm_size");
  MPI_Comm_free(&node);
  if (!all_true(local == size, comm)) return nullptr;
  std::unique_ptr<SharedMemoryReducer> r(new SharedMemoryReducer(comm, rank, size));
  if (!r->reserve(size_t{1} << 20)) return nullptr;
  return r;
}

SharedMemoryReducer::SharedMemoryReducer(MPI_Comm comm, int rank, int size)
    : comm_(comm), rank_(rank), size_(size) {}

SharedMemoryReducer::~SharedMemoryReducer() {
  if (base_) munmap(base_, mapped_);
}

bool SharedMemoryReducer::reserve(size_t bytes_per_slot) {
  if (bytes_per_slot <= slot_bytes_) return true;
  // Slots start on 4 KB boundaries; grow geometrically so growth is rare.
  const size_t slot = std::max((bytes_per_slot + 4095) / 4096 * 4096, 2 * slot_bytes_);
  const size_t total = slot * static_cast<size_t>(size_ + 1);
  // Rank 0 creates the segment under a name unique to this process and call, the others open
  // it after a broadcast, and rank 0 unlinks it once every rank has mapped it.
  static std::atomic<unsigned> serial{0};
  char name[64] = {0};
  bool ok = true;
  if (rank_ == 0) {
    std::snprintf(name, sizeof name, "/relabel-allreduce-%ld-%u", static_cast<long>(getpid()),
                  serial++);
    const int fd = shm_open(name, O_CREAT | O_EXCL | O_RDWR, 0600);
    // fallocate, not just ftruncate: a sparse segment would fault (SIGBUS) on a full /dev/shm;
    // reserving now turns that into a clean fallback.
    ok = fd >= 0 && ftruncate(fd, static_cast<off_t>(total)) == 0 &&
         posix_fallocate(fd, 0, static_cast<off_t>(total)) == 0;
    if (fd >= 0) close(fd);
  }
  check_mpi(MPI_Bcast(name, sizeof name, MPI_CHAR, 0, comm_), "MPI_Bcast");
  check_mpi(MPI_Bcast(&ok, 1, MPI_CXX_BOOL, 0, comm_), "MPI_Bcast");
  void* p = MAP_FAILED;
  if (ok) {
    const int fd = shm_open(name, O_RDWR, 0600);
    if (fd >= 0) {
      p = mmap(nullptr, total, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
      close(fd);
    }
  }
  ok = all_true(p != MAP_FAILED, comm_);
  if (rank_ == 0 && name[0]) shm_unlink(name);
  if (!ok) {
    if (p != MAP_FAILED) munmap(p, total);
    return false;
  }
  if (base_) munmap(base_, mapped_);
  base_ = static_cast<char*>(p);
  mapped_ = total;
  slot_bytes_ = slot;
  return true;
}

void SharedMemoryReducer::barrier() {
  // The barrier orders the ranks; the fences make this rank's stores to the segment (streaming
  // ones need sfence) visible before it, and the peers' stores visible after it.
#if defined(__SSE2__)
  _mm_sfence();
#endif
  std::atomic_thread_fence(std::memory_order_seq_cst);
  check_mpi(MPI_Barrier(comm_), "MPI_Barrier");
  std::atomic_thread_fence(std::memory_order_seq_cst);
}

template <typename T>
bool SharedMemoryReducer::all_reduce(T* data, int64_t n, bool mean) {
  if (n <= 0 || size_ == 1) return true;
  const size_t bytes = static_cast<size_t>(n) * sizeof(T);
  if (!reserve(bytes)) return false;  // every rank agrees (reserve is collective)
  auto slot = [&](int r) { return reinterpret_cast<T*>(base_ + slot_bytes_ * size_t(r)); };
  T* result = slot(size_);
  stream_copy(reinterpret_cast<char*>(slot(rank_)), reinterpret_cast<const char*>(data), bytes);
  barrier();  // every slot written
  // Chunk c = [c n / P, (c + 1) n / P) is reduced by rank c, summing the slots in rank order.
  const int64_t lo = int64_t(rank_) * n / size_, hi = int64_t(rank_ + 1) * n / size_;
  const auto stride = static_cast<int64_t>(slot_bytes_ / sizeof(T));  // slots are page-aligned
  reduce_into(result + lo, slot(0) + lo, stride, size_, mean ? T(1) / T(size_) : T(1), hi - lo);
  barrier();  // every chunk reduced
  std::memcpy(data, result, bytes);
  return true;
  // No third barrier: a rank writes `result` again only after the next call's first barrier,
  // which every rank reaches after its copy-out here.
}

template bool SharedMemoryReducer::all_reduce<float>(float*, int64_t, bool);
template bool SharedMemoryReducer::all_reduce<double>(double*, int64_t, bool);

}  // namespace relabel::comm
