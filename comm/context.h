#pragma once
// The MPI world of one relabel process (docs/architecture.md). RAII: initialises MPI if nobody
// did (also without mpirun: a singleton world of one rank) and finalises only what it started.
#include <mpi.h>

#include <memory>
#include <string>

namespace relabel::comm {

class Collective;
class MpiCollective;

struct ContextOptions {
  int threads_per_rank = 1;    // torch intra-op threads; 1 keeps ranks from oversubscribing cores
  std::string device = "cpu";  // "cpu" | "cuda"
};

class Context {
 public:
  Context(int* argc, char*** argv, const ContextOptions& options = {});
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }
  int local_rank() const { return local_rank_; }  // rank among the processes of this node
  int local_size() const { return local_size_; }
  int threads() const { return threads_; }
  const std::string& device() const { return device_; }  // "cpu" or "cuda:<local_rank>"
  MPI_Comm world() const { return MPI_COMM_WORLD; }
  // Every rank of the job, on the host (CPU data: agreement, run counters, idle waits).
  Collective& host_world() const;
  bool is_root() const { return rank_ == 0; }

  // Sets torch's intra-op threads (and OpenMP's, which OpenBLAS uses).
  void set_threads(int threads);

 private:
  bool owns_mpi_ = false;
  int rank_ = 0, size_ = 1, local_rank_ = 0, local_size_ = 1, threads_ = 1;
  std::string device_ = "cpu";
  std::unique_ptr<MpiCollective> host_world_;
};

// The MPI library's version line (for `relabel info`).
std::string mpi_library_version();

}  // namespace relabel::comm
