#include "comm/idle_barrier.h"

#include <chrono>
#include <thread>

#include "comm/mpi_collective.h"

namespace relabel::engine {

void idle_barrier(MPI_Comm comm, int poll_ms) {
  MPI_Request request;
  check_mpi(MPI_Ibarrier(comm, &request), "MPI_Ibarrier");
  int done = 0;
  while (true) {
    check_mpi(MPI_Test(&request, &done, MPI_STATUS_IGNORE), "MPI_Test");
    if (done) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(poll_ms));
  }
}

}  // namespace relabel::engine
