#pragma once
// The 2-rank mpitests of comm/ share one MpiCollective over MPI_COMM_WORLD (support/mpi_main.cpp
// initialises MPI once for the whole executable).
#include <mpi.h>

#include "comm/mpi_collective.h"

namespace relabel::test {

inline relabel::comm::MpiCollective& world() {
  static relabel::comm::MpiCollective w(MPI_COMM_WORLD);
  return w;
}

}  // namespace relabel::test
