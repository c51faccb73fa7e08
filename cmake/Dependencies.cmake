# Every external dependency is found here, once. Debian 12 packages are the reference
# (scripts/install-deps.sh installs them).
include(GNUInstallDirs)

find_package(Threads REQUIRED)
find_package(Torch REQUIRED)
find_package(MPI REQUIRED COMPONENTS C CXX)

# Parallel HDF5 (libhdf5-openmpi-dev): sharded reads go through MPI-IO.
set(HDF5_PREFER_PARALLEL TRUE)
find_package(HDF5 REQUIRED COMPONENTS C)
if(NOT HDF5_IS_PARALLEL)
  message(FATAL_ERROR "relabel needs a parallel (MPI) HDF5 build; install libhdf5-openmpi-dev")
endif()

find_package(tomlplusplus REQUIRED)
find_package(nlohmann_json REQUIRED)
find_package(Protobuf REQUIRED)  # TensorBoard event files (io/tensorboard_event.proto)
find_package(CLI11 QUIET CONFIG)
if(NOT CLI11_FOUND)
  find_path(CLI11_INCLUDE_DIR CLI/CLI.hpp REQUIRED)
  add_library(CLI11::CLI11 INTERFACE IMPORTED)
  target_include_directories(CLI11::CLI11 INTERFACE ${CLI11_INCLUDE_DIR})
endif()
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)

if(RELABEL_WITH_MUJOCO)
  find_package(mujoco REQUIRED)
endif()

# NCCL + CUDA: auto-detected. A CUDA-less host with the toolkit headers (CUDA 13 under
# /usr/local/cuda here) still compiles the NCCL backend so it cannot rot; it then links the
# stub libraries only when they exist.
set(RELABEL_HAVE_NCCL OFF)
if(NOT RELABEL_WITH_NCCL STREQUAL "OFF")
  find_package(CUDAToolkit QUIET)
  find_path(NCCL_INCLUDE_DIR nccl.h HINTS ${CUDAToolkit_INCLUDE_DIRS} /usr/local/cuda/include
            PATH_SUFFIXES include)
  find_library(NCCL_LIBRARY nccl HINTS ${CUDAToolkit_LIBRARY_DIR} /usr/local/cuda/lib64
               /usr/local/cuda/targets/x86_64-linux/lib)
  if(CUDAToolkit_FOUND AND NCCL_INCLUDE_DIR)
    set(RELABEL_HAVE_NCCL ON)
  elseif(RELABEL_WITH_NCCL STREQUAL "ON")
    message(FATAL_ERROR "RELABEL_WITH_NCCL=ON but CUDA toolkit or nccl.h was not found")
  endif()
endif()

message(STATUS "relabel: Torch ${Torch_VERSION}, MPI ${MPI_CXX_VERSION}, HDF5 ${HDF5_VERSION} "
               "(parallel=${HDF5_IS_PARALLEL}), MuJoCo=${RELABEL_WITH_MUJOCO}, NCCL=${RELABEL_HAVE_NCCL}")
find_package(ZLIB REQUIRED)  # tests decode report.html screenshots (PNG)
