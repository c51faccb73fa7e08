#!/usr/bin/env bash
# The device check of issue 15, on a machine with one NVIDIA GPU and a PyTorch (CUDA) install but
# no package archive. Two modes:
#
#   bench/gpu/run.sh fetch [DEBS]   Here, on Debian 12 with apt: `apt-get download` the Debian
#                                   packages the build needs (and what they depend on, minus the
#                                   base system) into DEBS, default .gpu-debs/ in the checkout
#                                   (git-ignored, never committed). Carry DEBS to the GPU machine.
#   bench/gpu/run.sh [DEBS]         On the GPU machine: unpack DEBS into a prefix (dpkg -x, or
#                                   Python's ar/tar readers where dpkg is missing), configure
#                                   against the PyTorch install's CUDA LibTorch and NCCL, build
#                                   only relabel, bench_offline and bench_gpu_check, and run:
#     1. bench_gpu_check: the first 100 losses of IQL, TD3+BC and BC, CPU fast path vs CUDA
#        torch path, within 1e-3; a 1-rank NCCL round trip (all-reduce, broadcast, all-gather)
#        and GradientSync on a learner's flat buffers on the GPU;
#     2. bench_offline --device cuda at batch 256 / 4096 / 16384 (updates/s, % of measured GEMM);
#     3. pendulum IQL, 3 seeds on the CPU and 3 on CUDA from one generated dataset; the final
#        scores side by side and whether they agree within noise.
#   Everything is bounded by timeouts to finish inside 8 minutes; the table goes to stdout and
#   $OUT_DIR/gpu_check.txt (default build-gpu/gpu_check.txt). Exit status: 0 when every check
#   passed.
#
# What the GPU machine must have (checked first, with a message naming what is missing): a C++17
# g++, python3 with torch whose torch.cuda.is_available() is true and which uses the C++11 ABI
# (Debian's libraries do), NCCL (the nvidia-nccl-cu* wheel PyTorch installs, or nccl.h and
# libnccl under CUDA_HOME), and the CUDA toolkit headers (CUDA_HOME, /usr/local/cuda, or the
# nvidia-cuda-runtime / nvidia-cuda-nvcc wheels) that find_package(Torch) asks for.
# Environment: PYTHON (python3), PREFIX (/tmp/relabel-gpu-prefix), BUILD (build-gpu),
# JOBS (nproc), OUT_DIR ($BUILD).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
MODE=run
if [ "${1:-}" = fetch ]; then
  MODE=fetch
  shift
fi
DEBS=$(realpath -m "${1:-$ROOT/.gpu-debs}")

# Direct build dependencies (scripts/install-deps.sh's, without LibTorch, MuJoCo, the test
# tools and the compiler, which the GPU machine brings).
# CMake and ninja are not fetched: the GPU image has them (pip's cmake and ninja).
PACKAGES=(libopenmpi-dev openmpi-bin libhdf5-openmpi-dev libtomlplusplus-dev
  nlohmann-json3-dev libcli11-dev libspdlog-dev libfmt-dev libprotobuf-dev protobuf-compiler
  zlib1g-dev)

if [ "$MODE" = fetch ]; then
  command -v apt-get >/dev/null || { echo "fetch needs apt-get (Debian 12)" >&2; exit 2; }
  mkdir -p "$DEBS"
  # The dependency closure, without virtual packages (<...>) and without the base system every
  # Linux with a compiler has (libc, libgcc, libstdc++ and other Priority: required packages):
  # unpacked into the prefix, those would shadow the machine's own.
  mapfile -t closure < <(apt-cache depends --recurse --no-recommends --no-suggests \
    --no-conflicts --no-breaks --no-replaces --no-enhances "${PACKAGES[@]}" |
    grep -E '^[a-z0-9]' | sort -u)
  keep=()
  for p in "${closure[@]}"; do
    case "$p" in
      libc6 | libc6-dev | libc-dev-bin | libgcc-s1 | libstdc++6 | gcc-*-base | linux-libc-dev | \
        libcrypt1 | libcrypt-dev | g++* | gcc* | cpp* | binutils* | libgcc-*-dev | \
        libstdc++-*-dev | debconf* | dpkg | perl-base | python3*) continue ;;
      # Compilers that apt lists as alternatives (libopenmpi-dev's "gfortran | fortran-compiler"
      # pulls in every flang and LLVM), sanitizer runtimes, perl and ssh (a one-node run needs
      # none): without them the set fits the device tool's 64 MiB working-tree limit.
      flang* | libflang* | libllvm* | libclang* | libmlir* | clang* | llvm* | lld* | libz3* | \
        libomp* | gfortran* | libgfortran-*-dev | libobjc* | libasan* | libtsan* | liblsan* | \
        libubsan* | libhwasan* | libitm* | perl | perl-modules* | libperl* | openssh-client) continue ;;
    esac
    prio=$(apt-cache show --no-all-versions "$p" 2>/dev/null | sed -n 's/^Priority: //p' | head -1)
    [ "$prio" = required ] && continue
    keep+=("$p")
  done
  echo "fetch: ${#keep[@]} packages into $DEBS"
  (cd "$DEBS" && apt-get download "${keep[@]}" >/dev/null)
  du -sh "$DEBS"
  exit 0
fi

# ---------------------------------------------------------------------------------------------
# On the GPU machine.
START=$SECONDS
PY=${PYTHON:-python3}
PREFIX=${PREFIX:-/tmp/relabel-gpu-prefix}
BUILD=${BUILD:-$ROOT/build-gpu}
JOBS=${JOBS:-$(nproc)}
OUT_DIR=${OUT_DIR:-$BUILD}
ML=x86_64-linux-gnu
fail() { echo "gpu check: $*" >&2; exit 2; }
stamp() { printf '[%4ds] %s\n' $((SECONDS - START)) "$*"; }

command -v g++ >/dev/null || fail "no g++ (a C++17 compiler is needed; Debian's is not relocatable)"
ls "$DEBS"/*.deb >/dev/null 2>&1 || fail "no .deb files in $DEBS (run 'bench/gpu/run.sh fetch' on a Debian 12 machine and carry the folder)"
"$PY" - <<'PYEOF' || fail "python torch with CUDA and the C++11 ABI is needed (see above)"
import sys, torch
ok = True
if not torch.cuda.is_available():
    print("torch.cuda.is_available() is False (torch", torch.__version__, ")"); ok = False
if not torch.compiled_with_cxx11_abi():
    print("this torch uses the pre-C++11 ABI; Debian's libraries use the C++11 one"); ok = False
sys.exit(0 if ok else 1)
PYEOF

stamp "unpacking $(ls "$DEBS"/*.deb | wc -l) packages into $PREFIX"
mkdir -p "$PREFIX"
for deb in "$DEBS"/*.deb; do
  if command -v dpkg >/dev/null; then
    dpkg -x "$deb" "$PREFIX"
  else  # a .deb is an ar archive holding data.tar.{xz,zst,gz}
    "$PY" - "$deb" "$PREFIX" <<'PYEOF'
import io, sys, tarfile
deb, dest = sys.argv[1], sys.argv[2]
data = open(deb, "rb").read()
assert data[:8] == b"!<arch>\n", deb
pos = 8
while pos < len(data):
    name = data[pos:pos + 16].decode().strip().rstrip("/")
    size = int(data[pos + 48:pos + 58].decode().strip())
    body = data[pos + 60:pos + 60 + size]
    if name.startswith("data.tar"):
        if name.endswith(".zst"):
            import zstandard  # bookworm uses xz; zstd only for newer archives
            body = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(body)).read()
            tarfile.open(fileobj=io.BytesIO(body)).extractall(dest)
        else:
            tarfile.open(fileobj=io.BytesIO(body)).extractall(dest)
    pos += 60 + size + (size & 1)
PYEOF
  fi
done
P=$PREFIX/usr
export PATH=$P/bin:$PATH
export LD_LIBRARY_PATH=$P/lib/$ML:$P/lib/$ML/openmpi/lib:$P/lib/$ML/hdf5/openmpi/lib:${LD_LIBRARY_PATH:-}
export OPAL_PREFIX=$P  # Open MPI relocated from /usr: its wrappers, plugins and help files
CMAKE=cmake
if ! command -v cmake >/dev/null || [ "$(cmake --version | sed -n 's/cmake version \([0-9]*\)\.\([0-9]*\).*/\1\2/p')" -lt 322 ]; then
  CMAKE=$P/bin/cmake
fi
NINJA=$(command -v ninja || echo "$P/bin/ninja")

# LibTorch, NCCL and the CUDA toolkit from the Python install (or CUDA_HOME).
TORCH_CMAKE=$("$PY" -c 'import torch; print(torch.utils.cmake_prefix_path)')
SITE=$("$PY" -c 'import torch, os; print(os.path.dirname(os.path.dirname(torch.__file__)))')
NCCL_ROOT=""
for d in "$SITE/nvidia/nccl" "${CUDA_HOME:-/usr/local/cuda}" /usr; do
  if [ -f "$d/include/nccl.h" ]; then NCCL_ROOT=$d; break; fi
done
[ -n "$NCCL_ROOT" ] || fail "no nccl.h (pip install nvidia-nccl-cu12, or set CUDA_HOME)"
NCCL_LIB=$(ls "$NCCL_ROOT"/lib/libnccl.so* "$NCCL_ROOT"/lib64/libnccl.so* \
  /usr/lib/$ML/libnccl.so* 2>/dev/null | head -1)
CUDA_ROOT=${CUDA_HOME:-}
[ -z "$CUDA_ROOT" ] && [ -x /usr/local/cuda/bin/nvcc ] && CUDA_ROOT=/usr/local/cuda
[ -z "$CUDA_ROOT" ] && [ -d "$SITE/nvidia/cuda_nvcc" ] && CUDA_ROOT=$SITE/nvidia/cuda_nvcc
[ -n "$CUDA_ROOT" ] || fail "no CUDA toolkit (set CUDA_HOME; find_package(Torch) needs it)"

stamp "configure ($BUILD): torch $("$PY" -c 'import torch; print(torch.__version__)'), NCCL $NCCL_ROOT, CUDA $CUDA_ROOT"
"$CMAKE" -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_MAKE_PROGRAM="$NINJA" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$TORCH_CMAKE;$P;$P/lib/$ML/cmake;$P/share" \
  -DRELABEL_WITH_NCCL=ON -DRELABEL_BUILD_TESTS=OFF -DRELABEL_WITH_MUJOCO=OFF \
  -DCUDAToolkit_ROOT="$CUDA_ROOT" -DCUDA_TOOLKIT_ROOT_DIR="$CUDA_ROOT" \
  -DNCCL_INCLUDE_DIR="$NCCL_ROOT/include" -DNCCL_LIBRARY="$NCCL_LIB" \
  -DMPI_C_COMPILER="$P/bin/mpicc.openmpi" -DMPI_CXX_COMPILER="$P/bin/mpicxx.openmpi" \
  -DHDF5_ROOT="$P/lib/$ML/hdf5/openmpi" -DHDF5_C_COMPILER_EXECUTABLE="$P/bin/h5pcc.openmpi" \
  -DProtobuf_PROTOC_EXECUTABLE="$P/bin/protoc" >"$BUILD.configure.log" 2>&1 ||
  { tail -40 "$BUILD.configure.log"; fail "configure failed (log: $BUILD.configure.log)"; }
grep -q "NCCL=ON" "$BUILD.configure.log" || fail "configured without NCCL ($BUILD.configure.log)"

stamp "build relabel, bench_offline, bench_gpu_check with $JOBS jobs"
timeout 300 "$NINJA" -C "$BUILD" -j "$JOBS" relabel bench_offline bench_gpu_check >"$BUILD.build.log" 2>&1 ||
  { tail -40 "$BUILD.build.log"; fail "build failed (log: $BUILD.build.log)"; }

mkdir -p "$OUT_DIR"
REPORT=$OUT_DIR/gpu_check.txt
status=0
{
  echo "# relabel GPU check, $(date -u +%FT%TZ), $(nvidia-smi -L 2>/dev/null | head -1)"
  stamp "1. losses CPU vs CUDA, NCCL round trip"
  timeout 120 "$BUILD/bench/bench_gpu_check" --device cuda --updates 100 --tolerance 1e-3 || status=1
  stamp "2. bench_offline on CUDA"
  timeout 120 "$BUILD/bench/bench_offline" --device cuda --batches 256,4096,16384 --updates 200 ||
    status=1
  stamp "3. pendulum IQL, CPU vs CUDA"
  WORK=$OUT_DIR/pendulum
  rm -rf "$WORK"
  mkdir -p "$WORK"
  export RELABEL_DATA=$WORK/data
  timeout 150 "$BUILD/relabel" datagen --task pendulum --out "$RELABEL_DATA/pendulum" \
    --steps 8000 --size 10000 --seed 0 >"$WORK/datagen.log" 2>&1 || { echo "datagen failed"; status=1; }
  for device in cpu cuda; do
    for seed in 0 1 2; do
      cat >"$WORK/$device-$seed.toml" <<TOML
seed = $seed
[task]
name = "pendulum"
[dataset]
name = "pendulum-medium-expert"
[reward]
method = "ground_truth"
[policy]
algo = "iql"
[train]
steps = 3000
eval_every = 1000
eval_episodes = 10
checkpoint_every = 0
log_every = 500
[parallel]
device = "$device"
TOML
      timeout 60 "$BUILD/relabel" run "$WORK/$device-$seed.toml" --out "$WORK/runs/$device-$seed" \
        >"$WORK/$device-$seed.log" 2>&1 || { echo "run $device seed $seed failed"; status=1; }
    done
  done
  "$PY" - "$WORK/runs" <<'PYEOF' || status=1
import json, os, statistics, sys
runs = sys.argv[1]
scores = {}
for device in ("cpu", "cuda"):
    scores[device] = []
    for seed in range(3):
        path = os.path.join(runs, f"{device}-{seed}", "result.json")
        if os.path.exists(path):
            r = json.load(open(path))
            scores[device].append(r.get("final_score"))
            t = r.get("timing", {}).get("updates_per_s")
            print(f"  {device:<5} seed {seed}: final score {r.get('final_score'):.1f}, {t:.0f} updates/s")
ok = all(len(v) == 3 and None not in v for v in scores.values())
if ok:
    m = {d: statistics.mean(v) for d, v in scores.items()}
    sd = {d: statistics.stdev(v) for d, v in scores.items()}
    # Within noise: the means differ by less than twice the larger seed spread (at least 5).
    ok = abs(m["cpu"] - m["cuda"]) <= max(5.0, 2 * max(sd.values()))
    print(f"  mean score cpu {m['cpu']:.1f} (sd {sd['cpu']:.1f}), cuda {m['cuda']:.1f} "
          f"(sd {sd['cuda']:.1f}): {'within noise' if ok else 'OUTSIDE NOISE'}")
sys.exit(0 if ok else 1)
PYEOF
  stamp "done, status $status"
  exit "$status"
} 2>&1 | tee "$REPORT"
exit "${PIPESTATUS[0]}"
