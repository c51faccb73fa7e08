#include "comm/context.h"

#include <torch/torch.h>

#include <cstdio>

#include "comm/failure.h"
#include "comm/mpi_collective.h"
#include "core/error.h"

namespace relabel::comm {

Context::Context(int* argc, char*** argv, const ContextOptions& options) {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (!initialized) {
    int provided = 0;
    // FUNNELED: only the main thread calls MPI; torch's worker threads never do.
    MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
    owns_mpi_ = true;
  }
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  note_world_rank(rank_);
  MPI_Comm node;
  MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &node);
  MPI_Comm_rank(node, &local_rank_);
  MPI_Comm_size(node, &local_size_);
  MPI_Comm_free(&node);
  host_world_ = std::make_unique<MpiCollective>(MPI_COMM_WORLD);
  set_threads(options.threads_per_rank);
  if (options.device == "cpu") {
    device_ = "cpu";
  } else if (options.device == "cuda") {
    if (!torch::cuda::is_available())
      throw Error("parallel.device = \"cuda\" but no CUDA device is available to this build");
    device_ = "cuda:" + std::to_string(local_rank_ % static_cast<int>(torch::cuda::device_count()));
  } else {
    throw Error("unknown device '" + options.device + "' (cpu|cuda)");
  }
}

Context::~Context() {
  host_world_.reset();  // before MPI_Finalize
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (owns_mpi_ && !finalized) MPI_Finalize();
}

void Context::set_threads(int threads) {
  if (threads < 1) throw Error("threads_per_rank must be >= 1, got " + std::to_string(threads));
  threads_ = threads;
  torch::set_num_threads(threads);
}

Collective& Context::host_world() const { return *host_world_; }

std::string mpi_library_version() {
  char buf[MPI_MAX_LIBRARY_VERSION_STRING];
  int len = 0;
  MPI_Get_library_version(buf, &len);
  return std::string(buf, static_cast<size_t>(len));
}

}  // namespace relabel::comm
