#pragma once
// Picks the Collective backend for a Context's device: MpiCollective for "cpu", NcclCollective
// for "cuda[:n]" in builds with NCCL, and a clear relabel::Error otherwise.
#include <mpi.h>

#include <memory>
#include <string>

#include "comm/collective.h"
#include "comm/context.h"

namespace relabel::comm {

// Collective call over `comm` (not owned).
std::unique_ptr<Collective> make_collective(const Context& context, MPI_Comm comm);
// The same from a device string ("cpu", "cuda", "cuda:<n>"); "cuda" picks local_rank % devices.
std::unique_ptr<Collective> make_collective(const std::string& device, int local_rank,
                                            MPI_Comm comm);

}  // namespace relabel::comm
