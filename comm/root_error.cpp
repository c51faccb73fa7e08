#include "comm/root_error.h"

#include "comm/idle_barrier.h"

namespace relabel::engine {

void share_root_error(MPI_Comm comm, int code, std::string error) {
  idle_barrier(comm);  // the others sleep while rank 0 works (datagen can take an hour)
  int len = static_cast<int>(error.size());
  MPI_Bcast(&code, 1, MPI_INT, 0, comm);
  if (code == 0) return;
  MPI_Bcast(&len, 1, MPI_INT, 0, comm);
  error.resize(static_cast<size_t>(len));
  MPI_Bcast(error.data(), len, MPI_CHAR, 0, comm);
  if (code == kExitUsage) throw Error(error);
  throw RunError(error);
}

}  // namespace relabel::engine
