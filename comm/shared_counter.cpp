#include "comm/shared_counter.h"

#include <mpi.h>

#include "comm/mpi_collective.h"

namespace relabel::comm {

struct SharedCounter::Window {
  int64_t* base = nullptr;
  MPI_Win win = MPI_WIN_NULL;
};

SharedCounter::SharedCounter(Collective& comm) : window_(std::make_unique<Window>()) {
  MPI_Comm mpi = mpi_io_comm(comm);
  const int rank = comm.rank();
  check_mpi(MPI_Win_allocate(rank == 0 ? sizeof(int64_t) : 0, sizeof(int64_t), MPI_INFO_NULL, mpi,
                             &window_->base, &window_->win),
            "MPI_Win_allocate");
  if (rank == 0) {
    MPI_Win_lock(MPI_LOCK_EXCLUSIVE, 0, 0, window_->win);
    *window_->base = 0;
    MPI_Win_unlock(0, window_->win);
  }
  comm.host().barrier();
}

SharedCounter::~SharedCounter() { MPI_Win_free(&window_->win); }

int64_t SharedCounter::next() {
  const int64_t one = 1;
  int64_t old = 0;
  MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, window_->win);
  MPI_Fetch_and_op(&one, &old, MPI_INT64_T, 0, 0, MPI_SUM, window_->win);
  MPI_Win_unlock(0, window_->win);
  return old;
}

}  // namespace relabel::comm
