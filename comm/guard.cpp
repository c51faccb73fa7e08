#include "comm/guard.h"

#include <string>

#include "comm/context.h"
#include "core/error.h"

namespace relabel::engine {

void abort_on_exception(MPI_Comm comm) {
  int size = 1, initialized = 0, finalized = 0;
  MPI_Initialized(&initialized);
  MPI_Finalized(&finalized);
  if (initialized && !finalized) MPI_Comm_size(comm, &size);
  if (size <= 1) throw;  // the current exception, unchanged
  std::string message = "unknown exception";
  int code = kExitRunFailure;
  try {
    throw;
  } catch (const Error& e) {
    message = e.what();
    code = e.exit_code();
  } catch (const std::exception& e) {
    message = e.what();
  } catch (...) {
  }
  int rank = 0;
  MPI_Comm_rank(comm, &rank);
  Context::abort(comm, message + " (rank " + std::to_string(rank) + ")", code);
}

}  // namespace relabel::engine
