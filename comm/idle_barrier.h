#pragma once
// A barrier that waits without spinning. MPI_Barrier busy-polls: a rank waiting for a peer that
// is still working (rank 0 generating a dataset, the other groups of a sweep finishing their
// runs) burns a whole core, which on a shared node is a core the working rank does not get
// (observed: a sweep's idle rank at 93% CPU in opal_progress while the last run trained).
#include "comm/collective.h"

namespace relabel::comm {

// Collective over `comm` (its host group): returns once every rank has called it. Polls every
// `poll_ms` milliseconds, sleeping in between.
void idle_barrier(Collective& comm, int poll_ms = 10);

}  // namespace relabel::comm
