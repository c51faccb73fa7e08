#!/usr/bin/env bash
# Installs every Debian 12 package relabel needs. Idempotent and quiet: does nothing when all
# are present; otherwise one apt-get update and one install of the missing ones.
set -euo pipefail
PACKAGES=(
  build-essential cmake ninja-build pkg-config ccache git
  libtorch-dev libopenblas0-openmp            # without OpenBLAS LibTorch runs ~16x slower (netlib)
  libopenmpi-dev openmpi-bin
  libhdf5-openmpi-dev hdf5-tools
  libtomlplusplus-dev nlohmann-json3-dev libcli11-dev libspdlog-dev libfmt-dev
  libprotobuf-dev protobuf-compiler           # TensorBoard event files
  libmujoco-dev libqhull-dev                  # MuJoCo's CMake config needs qhull
  libgtest-dev libgmock-dev
  gnuplot-nox                                 # report plots
  chromium fonts-dejavu-core                  # report.html screenshot test
  python3 python3-h5py python3-numpy          # tests write D4RL files "produced elsewhere" with h5py
  python3-protobuf python3-crc32c             # tests decode TensorBoard event files independently
  python3-torch                               # tests load exported policies in PyTorch
  python3-pandas                              # tests read runs.csv as users would
  slurm-wlm munge                             # the local SLURM tests
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install-deps: installing ${#missing[@]} package(s): ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
