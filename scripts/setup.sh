#!/usr/bin/env bash
# One-command set-up: Debian packages, configure, build (Release, Ninja) into ./build, then
# print `relabel info`.
#   scripts/setup.sh            builds the relabel binary only (what the quickstart needs)
#   scripts/setup.sh --all      builds everything: the binary, the test suite and the benches
# Other arguments go to CMake (e.g. -DRELABEL_WITH_MUJOCO=OFF).
set -euo pipefail
cd "$(dirname "$0")/.."
target=relabel
if [ "${1:-}" = "--all" ]; then
  target=all
  shift
fi
bash scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
cmake --build build -j "$(nproc)" --target "$target"
# What was built against and what it will use (README: command (a) prints this).
build/relabel info
