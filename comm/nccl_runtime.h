#pragma once
// The CUDA runtime and NCCL entry points the NCCL backend uses, resolved with dlopen on first
// use instead of linked. Why: libnccl is ~220 MB and loading it costs every relabel process
// (each test case, each rank) 13-26 ms on the reference machine even on CPU runs, and a linked
// binary would not start at all where /usr/local/cuda/lib64 is not on the loader path. Loaded
// lazily, a NCCL build runs anywhere and only `parallel.device = "cuda"` needs the libraries.
// Internal to comm/nccl_*.cpp (needs the CUDA and NCCL headers for the types).
#include <cuda_runtime.h>
#include <nccl.h>

#include <string>

namespace relabel::comm::nccl_runtime {

struct Api {
  decltype(&::cudaGetDeviceCount) cudaGetDeviceCount;
  decltype(&::cudaGetLastError) cudaGetLastError;
  decltype(&::cudaGetErrorString) cudaGetErrorString;
  decltype(&::cudaGetDevice) cudaGetDevice;
  decltype(&::cudaSetDevice) cudaSetDevice;
  decltype(&::cudaStreamCreateWithFlags) cudaStreamCreateWithFlags;
  decltype(&::cudaStreamDestroy) cudaStreamDestroy;
  decltype(&::cudaStreamSynchronize) cudaStreamSynchronize;
  decltype(&::cudaStreamWaitEvent) cudaStreamWaitEvent;
  decltype(&::cudaEventCreateWithFlags) cudaEventCreateWithFlags;
  decltype(&::cudaEventDestroy) cudaEventDestroy;
  decltype(&::cudaEventRecord) cudaEventRecord;
  decltype(&::ncclGetVersion) ncclGetVersion;
  decltype(&::ncclGetErrorString) ncclGetErrorString;
  decltype(&::ncclGetUniqueId) ncclGetUniqueId;
  decltype(&::ncclCommInitRank) ncclCommInitRank;
  decltype(&::ncclCommDestroy) ncclCommDestroy;
  decltype(&::ncclAllReduce) ncclAllReduce;
  decltype(&::ncclBroadcast) ncclBroadcast;
  decltype(&::ncclAllGather) ncclAllGather;
  decltype(&::ncclGroupStart) ncclGroupStart;
  decltype(&::ncclGroupEnd) ncclGroupEnd;
  decltype(&::ncclSend) ncclSend;
  decltype(&::ncclRecv) ncclRecv;
};

// The resolved API, loaded once; nullptr when a library or symbol is missing, with the reason
// in *why (dlerror's message).
const Api* api(std::string* why = nullptr);

}  // namespace relabel::comm::nccl_runtime
