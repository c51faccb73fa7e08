#pragma once
// A failing rank must never leave its peers waiting in a collective (docs/architecture.md).
// run_or_abort(comm, fn) runs fn on this rank; if it throws, the message is printed as
// "relabel: error: <what>" and every rank of `comm` is aborted (MPI_Abort) with the error's
// exit code (relabel::Error: 2, RunError and other exceptions: 1). With a single-rank `comm`
// nothing can hang, so the exception propagates unchanged to the caller.
//
// How the CLI uses it: cli/main.cpp already aborts MPI_COMM_WORLD for an exception that escapes
// a verb. Code that runs inside a sub-communicator (a sweep group) or that must not unwind
// through collectives wraps its body in run_or_abort(group_comm, ...), so the abort names the
// failing rank's message even when the peer ranks are blocked in MPI.
#include <mpi.h>

#include <exception>
#include <utility>

namespace relabel::engine {

// Called from inside a catch block: rethrows when `comm` has one rank, else prints and aborts.
[[noreturn]] void abort_on_exception(MPI_Comm comm);

template <typename Fn>
decltype(auto) run_or_abort(MPI_Comm comm, Fn&& fn) {
  try {
    return std::forward<Fn>(fn)();
  } catch (...) {
    abort_on_exception(comm);
  }
}

}  // namespace relabel::engine
