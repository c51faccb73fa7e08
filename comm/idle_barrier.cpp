#include "comm/idle_barrier.h"

#include <chrono>
#include <thread>

#include "comm/mpi_collective.h"

namespace relabel::comm {

void idle_barrier(Collective& comm, int poll_ms) {
  if (comm.size() == 1) return;
  auto* mpi = dynamic_cast<MpiCollective*>(&comm.host());
  if (!mpi) {  // no non-blocking barrier to poll: a plain one
    comm.barrier();
    return;
  }
  MPI_Request request;
  check_mpi(MPI_Ibarrier(mpi->comm(), &request), "MPI_Ibarrier");
  int done = 0;
  while (true) {
    check_mpi(MPI_Test(&request, &done, MPI_STATUS_IGNORE), "MPI_Test");
    if (done) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(poll_ms));
  }
}

}  // namespace relabel::comm
