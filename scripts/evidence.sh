#!/usr/bin/env bash
# The long experiments behind docs/results.md: the hopper and halfcheetah dataset suites, the
# offline evidence sweeps (configs/sweeps/*-evidence.toml) and CDRED on hopper at 100k
# environment steps, as two background lanes at nice 19 that resume where they stopped.
#   scripts/evidence.sh start    restore the kept records into the sweep directories, then start
#                                the lanes (a lane already running is left alone)
#   scripts/evidence.sh status   each sweep's relabel status
#   scripts/evidence.sh stop     stop both lanes so that no work is lost: each running run writes a
#                                checkpoint at its current step and is marked preempted (SIGUSR1
#                                to the lanes' mpirun); `start` resumes from there
#   scripts/evidence.sh keep     keep every sweep's done runs in docs/results/<sweep>/ (records and
#                                report: scripts/keep-records.sh)
# Lane hopper: relabel datagen --task hopper, CDRED's 10k-step probes on hopper (2 ranks: zeta and
# the value rows, about 40 minutes; the spec's reward-network widths, about 110), CDRED on hopper
# at 100k steps (the baselines, then the value-rows experiment), then the rest of the hopper
# evidence sweep (2 ranks, breadth first; every cell has its first seed).
# Lane halfcheetah: relabel datagen --task
# halfcheetah, then the halfcheetah evidence sweep (1 rank, breadth first). Each lane runs a
# copy of build/relabel, so that rebuilding the checkout does not change the code mid-sweep.
# EXPERIMENTS (default /work/experiments) holds the sweeps and logs, RELABEL_DATA (default
# /work/data) the suites.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
export EXPERIMENTS=${EXPERIMENTS:-/work/experiments}
export RELABEL_DATA=${RELABEL_DATA:-/work/data}
export OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-Haswell}  # the kernels the suites were made with
# sweep name -> extra sweep arguments
at_100k="--set train.env_steps=100000 --set train.eval_every=10000 --set train.checkpoint_every=10000"
declare -A extra=(
  [hopper-evidence]="--breadth-first"
  [halfcheetah-evidence]="--breadth-first"
  [hopper-cdred-probe]="--breadth-first"
  [hopper-cdred-width-probe]=""
  [hopper-cdred-100k]="$at_100k"
  [hopper-cdred-value-rows-100k]="$at_100k"
)
declare -A spec=(
  [hopper-evidence]=hopper-evidence
  [halfcheetah-evidence]=halfcheetah-evidence
  [hopper-cdred-probe]=hopper-cdred-probe
  [hopper-cdred-width-probe]=hopper-cdred-width-probe
  [hopper-cdred-100k]=hopper-cdred-baselines
  [hopper-cdred-value-rows-100k]=hopper-cdred-value-rows
)
# In the order they run; the CDRED sweeps keep their training records (--traces).
sweeps=(hopper-cdred-probe hopper-cdred-width-probe hopper-cdred-100k hopper-cdred-value-rows-100k
  hopper-evidence halfcheetah-evidence)
mpirun_=(mpirun)
[ "$(id -u)" -eq 0 ] && mpirun_=(mpirun --allow-run-as-root)

# lane NAME BINARY TASK RANKS SWEEP...: datagen TASK, then each SWEEP on RANKS ranks.
lane() {
  local name=$1 bin=$2 task=$3 ranks=$4
  shift 4
  # A datagen stopped by a signal exits 0 with the suite unfinished: check its summary.
  if ! "$bin" datagen --task "$task" --checkpoint-minutes 5 ||
    [ "$(jq -r .status "$RELABEL_DATA/$task/datagen.json")" != "done" ]; then
    echo "[$(date +%T)] lane $name: datagen did not finish the suite; its sweeps wait for a rerun"
    return 1
  fi
  for sweep in "$@"; do
    echo "[$(date +%T)] lane $name: $sweep"
    # shellcheck disable=SC2086
    "${mpirun_[@]}" -np "$ranks" "$bin" sweep "$repo/configs/sweeps/${spec[$sweep]}.toml" \
      --out "$EXPERIMENTS/$sweep" ${extra[$sweep]} || true
  done
  echo "[$(date +%T)] lane $name: done"
}

case "${1:-}" in
  start)
    mkdir -p "$EXPERIMENTS" "$RELABEL_DATA"
    bin="$EXPERIMENTS/relabel-$(git -C "$repo" rev-parse --short HEAD)"
    [ -x "$bin" ] || cp "$repo/build/relabel" "$bin"
    for sweep in "${!spec[@]}"; do
      if [ -d "$repo/docs/results/$sweep/records" ]; then
        bash "$repo/scripts/keep-records.sh" --restore "$repo/docs/results/$sweep" "$EXPERIMENTS/$sweep"
      fi
    done
    # nice only orders the lanes below interactive work when the scheduler does not group
    # processes by session (as root, turn autogrouping off).
    [ -w /proc/sys/kernel/sched_autogroup_enabled ] && echo 0 >/proc/sys/kernel/sched_autogroup_enabled
    start_lane() {
      if pgrep -f "evidence.sh lane $1 " >/dev/null; then
        echo "lane $1: already running"
        return
      fi
      nohup nice -n 19 bash "$repo/scripts/evidence.sh" lane "$@" >>"$EXPERIMENTS/lane-$1.log" 2>&1 &
      echo "lane $1: started (log $EXPERIMENTS/lane-$1.log)"
    }
    start_lane hopper "$bin" hopper 2 hopper-cdred-probe hopper-cdred-width-probe \
      hopper-cdred-100k hopper-cdred-value-rows-100k hopper-evidence
    start_lane halfcheetah "$bin" halfcheetah 1 halfcheetah-evidence
    ;;
  lane)  # started by `start`, in the background
    shift
    lane "$@"
    ;;
  stop)
    # The lane loops first, so that none starts its next sweep when the current one stops.
    pkill -f "evidence.sh lane " || true
    # A sweep stops through its mpirun (which forwards the signal to the ranks); a datagen
    # checkpoints its suite on the same signals.
    pids=$(pgrep -f "mpirun.* $EXPERIMENTS/relabel-[0-9a-f]* sweep |^$EXPERIMENTS/relabel-[0-9a-f]* datagen " || true)
    if [ -z "$pids" ]; then
      echo "no lane is running"
      exit 0
    fi
    # shellcheck disable=SC2086
    kill -USR1 $pids
    for _ in $(seq 300); do
      pgrep -f "$EXPERIMENTS/relabel-[0-9a-f]* (sweep|datagen) " >/dev/null || break
      sleep 1
    done
    if pgrep -f "$EXPERIMENTS/relabel-[0-9a-f]* (sweep|datagen) " >/dev/null; then
      echo "a sweep or datagen is still running after 300 s: see the lane logs in $EXPERIMENTS" >&2
      exit 1
    fi
    echo "lanes stopped; their running runs checkpointed (relabel status: preempted)"
    ;;
  status)
    for sweep in "${sweeps[@]}"; do
      if [ -f "$EXPERIMENTS/$sweep/sweep.json" ]; then "$repo/build/relabel" status "$EXPERIMENTS/$sweep"; fi
    done
    ;;
  keep)
    cd "$repo"  # relative paths: the reports name docs/results/..., not this machine's checkout
    for sweep in "${sweeps[@]}"; do
      [ -f "$EXPERIMENTS/$sweep/sweep.json" ] || continue
      metrics=()
      [[ "$sweep" = hopper-cdred-* ]] && metrics=(--train-metrics)
      bash scripts/keep-records.sh "${metrics[@]}" "$EXPERIMENTS/$sweep" "docs/results/$sweep"
      # report.md holds the tables; the HTML and LaTeX versions regenerate from the records.
      rm -f "docs/results/$sweep/report.html" "docs/results/$sweep/report.tex"
    done
    ;;
  *)
    sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
