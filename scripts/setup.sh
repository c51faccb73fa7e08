#!/usr/bin/env bash
# One-command set-up: Debian packages, configure, build (Release, Ninja) into ./build, then
# print `relabel info`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
cmake --build build -j "$(nproc)"
# What was built against and what it will use (README: command (a) prints this).
build/relabel info
