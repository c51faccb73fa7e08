#!/usr/bin/env bash
# The main job (README command (a)): generate a small pendulum dataset suite, run ground-truth
# IQL, ReLOAD + IQL and imputation (1% labels) + TD3+BC as a 2-rank sweep, print the normalised
# scores side by side. About 3-5 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
export RELABEL_DATA=${RELABEL_DATA:-$PWD/data}
MPIRUN=(mpirun --oversubscribe -np 2)
[ "$(id -u)" -eq 0 ] && MPIRUN=(mpirun --allow-run-as-root --oversubscribe -np 2)
build/relabel datagen --task pendulum --out "$RELABEL_DATA/pendulum" --steps 12000 --size 10000
"${MPIRUN[@]}" build/relabel sweep configs/sweeps/quickstart.toml --out runs/quickstart
echo
build/relabel status runs/quickstart --runs
build/relabel report runs/quickstart --no-plots >/dev/null && echo "report: runs/quickstart/report.md"
