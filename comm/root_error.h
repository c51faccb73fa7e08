#pragma once
// Rank 0 does some work (file I/O, generation) the others wait for; its error, if any, must reach
// every rank so all throw the same one instead of waiting forever in the next collective.
#include <mpi.h>

#include <exception>
#include <string>

#include "core/error.h"

namespace relabel::engine {

// Throws on every rank of `comm` the error rank 0 caught (code 0: none). Collective.
void share_root_error(MPI_Comm comm, int code, std::string error);

// Rank 0 runs `fn`; an Error keeps its exit code (input errors stay exit 2), anything else is a
// run failure. Collective over `comm`.
template <typename Fn>
void on_root_then_share_error(MPI_Comm comm, Fn&& fn) {
  int rank = 0;
  MPI_Comm_rank(comm, &rank);
  std::string error;
  int code = 0;
  if (rank == 0) {
    try {
      fn();
    } catch (const Error& e) {
      error = e.what();
      code = e.exit_code();
    } catch (const std::exception& e) {
      error = e.what();
      code = kExitRunFailure;
    }
  }
  share_root_error(comm, code, std::move(error));
}

}  // namespace relabel::engine
