// main() of the MPI test executables (run under mpirun -np 2): every rank runs every test; the
// process fails if any rank saw a failure, so one rank's failure cannot pass unnoticed.
#include <gtest/gtest.h>
#include <mpi.h>

#include "comm/context.h"
#include "core/log.h"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  relabel::comm::Context ctx(&argc, &argv);
  relabel::init_logging(ctx.rank(), ctx.size());
  int local_failed = RUN_ALL_TESTS() != 0 ? 1 : 0;
  int any_failed = 0;
  MPI_Allreduce(&local_failed, &any_failed, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  return any_failed;
}
