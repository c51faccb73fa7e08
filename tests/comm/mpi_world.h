#pragma once
// Serial engine tests that need MPI share one Context (MPI can be initialised once per process,
// and gtest may run every test of the binary in one process).
#include "comm/context.h"

namespace relabel::test {

inline relabel::comm::Context& mpi_world() {
  static relabel::comm::Context context(nullptr, nullptr);
  return context;
}

}  // namespace relabel::test
