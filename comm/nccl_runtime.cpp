#include "comm/nccl_runtime.h"

#include <dlfcn.h>

#include <initializer_list>

namespace relabel::comm::nccl_runtime {

namespace {

// Sonames first (LD_LIBRARY_PATH, ldconfig, a CUDA LibTorch's copy already loaded), then the
// libraries found at configure time. The runtime is the major version compiled against
// (CUDART_VERSION 13000 -> libcudart.so.13).
void* open_first(std::initializer_list<const char*> names, std::string* error) {
  for (const char* name : names)
    if (void* h = dlopen(name, RTLD_NOW | RTLD_GLOBAL)) return h;
  const char* e = dlerror();
  *error = e ? e : "dlopen failed";
  return nullptr;
}

struct Loaded {
  Api api{};
  bool ok = false;
  std::string why;
};

template <typename Fn>
bool resolve(void* lib, const char* name, Fn* out, std::string* why) {
  *out = reinterpret_cast<Fn>(dlsym(lib, name));
  if (!*out) *why = std::string("missing symbol ") + name;
  return *out != nullptr;
}

Loaded load() {
  Loaded l;
  const std::string cudart_versioned = "libcudart.so." + std::to_string(CUDART_VERSION / 1000);
  const std::string cudart_built = std::string(RELABEL_CUDART_DIR) + "/" + cudart_versioned;
  void* cudart =
      open_first({cudart_versioned.c_str(), "libcudart.so", cudart_built.c_str()}, &l.why);
  if (!cudart) return l;
  void* nccl = open_first({"libnccl.so.2", "libnccl.so", RELABEL_NCCL_LIBRARY}, &l.why);
  if (!nccl) return l;
  Api& a = l.api;
  std::string* w = &l.why;
#define RELABEL_RESOLVE(lib, fn) \
  if (!resolve(lib, #fn, &a.fn, w)) return l
  RELABEL_RESOLVE(cudart, cudaGetDeviceCount);
  RELABEL_RESOLVE(cudart, cudaGetLastError);
  RELABEL_RESOLVE(cudart, cudaGetErrorString);
  RELABEL_RESOLVE(cudart, cudaGetDevice);
  RELABEL_RESOLVE(cudart, cudaSetDevice);
  RELABEL_RESOLVE(cudart, cudaStreamCreateWithFlags);
  RELABEL_RESOLVE(cudart, cudaStreamDestroy);
  RELABEL_RESOLVE(cudart, cudaStreamSynchronize);
  RELABEL_RESOLVE(cudart, cudaStreamWaitEvent);
  RELABEL_RESOLVE(cudart, cudaEventCreateWithFlags);
  RELABEL_RESOLVE(cudart, cudaEventDestroy);
  RELABEL_RESOLVE(cudart, cudaEventRecord);
  RELABEL_RESOLVE(nccl, ncclGetVersion);
  RELABEL_RESOLVE(nccl, ncclGetErrorString);
  RELABEL_RESOLVE(nccl, ncclGetUniqueId);
  RELABEL_RESOLVE(nccl, ncclCommInitRank);
  RELABEL_RESOLVE(nccl, ncclCommDestroy);
  RELABEL_RESOLVE(nccl, ncclAllReduce);
  RELABEL_RESOLVE(nccl, ncclBroadcast);
  RELABEL_RESOLVE(nccl, ncclAllGather);
  RELABEL_RESOLVE(nccl, ncclGroupStart);
  RELABEL_RESOLVE(nccl, ncclGroupEnd);
  RELABEL_RESOLVE(nccl, ncclSend);
  RELABEL_RESOLVE(nccl, ncclRecv);
#undef RELABEL_RESOLVE
  l.ok = true;
  return l;
}

}  // namespace

const Api* api(std::string* why) {
  static const Loaded loaded = load();  // thread-safe, once
  if (!loaded.ok && why) *why = loaded.why;
  return loaded.ok ? &loaded.api : nullptr;
}

}  // namespace relabel::comm::nccl_runtime
