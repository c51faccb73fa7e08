#include "comm/collective_factory.h"

#include <torch/torch.h>

#include "comm/mpi_collective.h"
#include "core/error.h"
#ifdef RELABEL_HAVE_NCCL
#include "comm/nccl_collective.h"
#endif

namespace relabel::comm {

std::unique_ptr<Collective> make_collective(const Context& context, MPI_Comm comm) {
  return make_collective(context.device(), context.local_rank(), comm);
}

std::unique_ptr<Collective> make_collective(const std::string& device, int local_rank,
                                            MPI_Comm comm) {
  if (device == "cpu") return std::make_unique<MpiCollective>(comm);
  if (device != "cuda" && device.rfind("cuda:", 0) != 0)
    throw Error("unknown device '" + device + "' (cpu|cuda)");
#ifdef RELABEL_HAVE_NCCL
  const int devices = NcclCollective::visible_devices();
  if (devices == 0)
    throw Error(
        "parallel.device = \"cuda\" but no CUDA device is visible (check the driver and "
        "CUDA_VISIBLE_DEVICES)");
  if (!torch::cuda::is_available())
    throw Error(
        "parallel.device = \"cuda\" but this LibTorch has no CUDA support: rebuild "
        "relabel against a CUDA LibTorch");
  int index = local_rank % devices;
  if (device.size() > 5) {
    try {
      index = std::stoi(device.substr(5));
    } catch (const std::exception&) {
      throw Error("bad device '" + device + "' (cuda:<index>)");
    }
  }
  return std::make_unique<NcclCollective>(comm, index);
#else
  (void)local_rank;
  (void)comm;
  throw Error(
      "parallel.device = \"cuda\" needs a build with NCCL and CUDA: rebuild with "
      "-DRELABEL_WITH_NCCL=ON against a CUDA LibTorch, with nccl.h and libnccl installed");
#endif
}

}  // namespace relabel::comm
