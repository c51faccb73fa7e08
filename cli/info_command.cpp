// relabel info: the build and runtime configuration, what a user checks first on a new cluster.
#include <H5public.h>
#include <dlfcn.h>
#include <torch/torch.h>
#include <CLI/CLI.hpp>

#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "cli/commands.h"
#include "comm/context.h"

#ifdef RELABEL_HAVE_MUJOCO
#include <mujoco/mujoco.h>
#endif
#ifdef RELABEL_HAVE_NCCL
#include <nccl.h>
#endif

namespace relabel::cli {
namespace {

// The BLAS actually mapped into this process (what LibTorch's CPU GEMMs will run on), and
// OpenBLAS's own build string when it is OpenBLAS.
std::string blas_in_use() {
  std::string mapped;
  std::ifstream maps("/proc/self/maps");
  for (std::string line; std::getline(maps, line);) {
    auto pos = line.find('/');
    if (pos == std::string::npos) continue;
    std::string path = line.substr(pos);
    if ((path.find("blas") != std::string::npos || path.find("mkl") != std::string::npos) &&
        mapped.find(path) == std::string::npos)
      mapped += (mapped.empty() ? "" : ", ") + path;
  }
  using ConfigFn = char* (*)();
  if (auto fn = reinterpret_cast<ConfigFn>(dlsym(RTLD_DEFAULT, "openblas_get_config")))
    return std::string("OpenBLAS ") + fn() + " (" + mapped + ")";
  return mapped.empty() ? "unknown" : mapped;
}

std::string mpi_version() {
  const std::string s = relabel::comm::mpi_library_version();
  auto nl = s.find_first_of("\r\n,");
  return s.substr(0, nl);
}

void run_info(ProcessArgs args) {
  relabel::comm::Context ctx(args.argc, args.argv);
  std::vector<std::pair<std::string, std::string>> rows;
  rows.emplace_back("relabel", RELABEL_VERSION);
  rows.emplace_back("LibTorch", TORCH_VERSION);
  rows.emplace_back("LibTorch CUDA",
                    torch::cuda::is_available()
                        ? std::to_string(torch::cuda::device_count()) + " device(s)"
                        : "not available");
  rows.emplace_back("MPI", mpi_version());
  unsigned maj = 0, min = 0, rel = 0;
  H5get_libversion(&maj, &min, &rel);
#ifdef H5_HAVE_PARALLEL
  const char* parallel = "parallel";
#else
  const char* parallel = "serial";
#endif
  rows.emplace_back("HDF5", std::to_string(maj) + "." + std::to_string(min) + "." +
                                std::to_string(rel) + " (" + parallel + ")");
#ifdef RELABEL_HAVE_MUJOCO
  rows.emplace_back("MuJoCo", std::to_string(mj_version() / 100) + "." +
                                  std::to_string(mj_version() / 10 % 10) + "." +
                                  std::to_string(mj_version() % 10));
#else
  rows.emplace_back("MuJoCo", "not built");
#endif
#ifdef RELABEL_HAVE_NCCL
  rows.emplace_back("NCCL", std::to_string(NCCL_MAJOR) + "." + std::to_string(NCCL_MINOR) + "." +
                                std::to_string(NCCL_PATCH) + " (compiled in)");
#else
  rows.emplace_back("NCCL", "not built");
#endif
  rows.emplace_back("BLAS", blas_in_use());
  rows.emplace_back("ranks", std::to_string(ctx.size()) + " (local " +
                                 std::to_string(ctx.local_size()) + " on this node)");
  rows.emplace_back("threads per rank", std::to_string(ctx.threads()) + " torch intra-op, " +
                                            std::to_string(std::thread::hardware_concurrency()) +
                                            " hardware threads");
  rows.emplace_back("device", ctx.device());
  if (!ctx.is_root()) return;
  for (const auto& [k, v] : rows) std::cout << std::left << std::setw(18) << k << v << "\n";
}

const CommandRegistrar kInfo(90, [](CLI::App& app, ProcessArgs args, int*) {
  auto* cmd = app.add_subcommand("info", "Print the build configuration: versions, BLAS, ranks");
  cmd->callback([args] { run_info(args); });
});

}  // namespace
}  // namespace relabel::cli
