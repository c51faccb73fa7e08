#include "comm/failure.h"

#include <mpi.h>

#include <cstdio>
#include <cstdlib>

#include "comm/collective.h"
#include "comm/idle_barrier.h"
#include "core/error.h"

namespace relabel::comm {

int rank_of(Collective& comm) { return comm.rank(); }

Failure failure_of(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const Error& e) {
    return {e.what(), e.exit_code()};
  } catch (const std::exception& e) {
    return {error_message(e), kExitRunFailure};
  } catch (...) {
    return {"unknown exception", kExitRunFailure};
  }
}

void abort_on_exception(Collective& comm) {
  if (comm.size() <= 1) throw;  // the current exception, unchanged
  const Failure f = failure_of(std::current_exception());
  std::fprintf(stderr, "relabel: error: %s (rank %d)\n", f.message.c_str(), comm.rank());
  std::fflush(stderr);
  comm.abort(f.exit_code);
  std::_Exit(f.exit_code);  // a collective's abort() does not return; this keeps [[noreturn]] true
}

void share_root_failure(Collective& comm, const Failure& failure) {
  idle_barrier(comm);
  std::string message = failure.message;
  // Rank 0's code reaches everyone; the message travels only when there is an error.
  const int64_t code = comm.all_reduce_max(comm.rank() == 0 ? int64_t{failure.exit_code} : -1);
  if (code == 0) return;
  comm.broadcast(message, 0);
  if (static_cast<int>(code) == kExitUsage) throw Error(message);
  throw RunError(message);
}

namespace {

int g_world_rank = -1;  // set by the Context; -1: MPI never started in this process

// This process's rank in its job: the Context's, else the launcher's (mpirun, PMIx, srun with
// PMI set these before MPI starts), else 0.
int process_rank() {
  if (g_world_rank >= 0) return g_world_rank;
  for (const char* var : {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK"})
    if (const char* v = std::getenv(var)) return std::atoi(v);
  return 0;
}

}  // namespace

void note_world_rank(int rank) { g_world_rank = rank; }

void fail_process(const std::string& message, int exit_code) {
  int initialized = 0, finalized = 0, size = 1;
  MPI_Initialized(&initialized);
  MPI_Finalized(&finalized);
  if (initialized && !finalized) MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (size == 1 && process_rank() > 0) std::exit(exit_code);  // rank 0 says it
  std::fprintf(stderr, "relabel: error: %s\n", message.c_str());
  std::fflush(stderr);
  if (size > 1) MPI_Abort(MPI_COMM_WORLD, exit_code);
  if (initialized && !finalized) MPI_Finalize();
  std::exit(exit_code);
}

}  // namespace relabel::comm
