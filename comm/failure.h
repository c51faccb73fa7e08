#pragma once
// How an error on one rank reaches the others: relabel's one failure policy
// (docs/architecture.md, "Failures"). A failing rank must never leave its peers waiting in a
// collective, and every rank that stops must say why with the same exit code.
//  1. Errors every rank detects alike (a config key, a dataset's dimensions, a checkpoint that
//     does not match) are thrown on every rank as they are: nothing needs propagating.
//  2. Work only rank 0 does (reading a small file, generating a dataset): on_root(comm, fn)
//     runs fn there while the others wait without spinning, then throws rank 0's error on every
//     rank with its message and exit code (input errors stay exit 2).
//  3. Anything else that escapes on one rank while its peers may sit in a collective:
//     or_abort(comm, fn) prints "relabel: error: <what> (rank r)" and aborts the whole group
//     with the error's exit code. With one rank nothing can hang, so the exception propagates
//     unchanged. The CLI applies this rule to the world for an exception escaping a verb.
#include <exception>
#include <string>
#include <utility>

namespace relabel::comm {

class Collective;  // comm/collective.h; not included: the CLI's main needs no torch headers
int rank_of(Collective& comm);

// The message and exit code an exception stands for: relabel::Error keeps its code (input
// errors 2), anything else is a run failure (1).
struct Failure {
  std::string message;
  int exit_code = 1;
};
Failure failure_of(const std::exception_ptr& error);

// Rule 3 inside a catch block: rethrows when `comm` has one rank, else prints and aborts.
[[noreturn]] void abort_on_exception(Collective& comm);

template <typename Fn>
decltype(auto) or_abort(Collective& comm, Fn&& fn) {
  try {
    return std::forward<Fn>(fn)();
  } catch (...) {
    abort_on_exception(comm);
  }
}

// Rule 2: throws on every rank the error rank 0 reports (exit_code 0: none). Collective; the
// other ranks wait without spinning a core (rank 0 may generate a dataset for an hour).
void share_root_failure(Collective& comm, const Failure& failure);

template <typename Fn>
void on_root(Collective& comm, Fn&& fn) {
  Failure failure{"", 0};
  if (rank_of(comm) == 0) {
    try {
      std::forward<Fn>(fn)();
    } catch (...) {
      failure = failure_of(std::current_exception());
    }
  }
  share_root_failure(comm, failure);
}

// Rule 3 for the whole process (the CLI's last resort): prints "relabel: error: <message>",
// aborts every rank of the MPI world when there are several, and exits with `exit_code`.
// Once MPI has ended (the verb's Context is gone) or before it started (a config error under
// mpirun), an error that reaches here is one every rank has (rules 1 and 2; rank-local ones
// were aborted by rule 3 with their rank): only world rank 0 prints it, so it is said once.
[[noreturn]] void fail_process(const std::string& message, int exit_code);

// The Context records the process's world rank here, for fail_process after MPI has ended.
void note_world_rank(int rank);

}  // namespace relabel::comm
