#!/bin/bash
# relabel sweep 'pendulum-methods' (15 runs), mpi mode.
# Resubmit with: sbatch <this file>. Follow with: relabel slurm status <sweep dir>
#SBATCH --job-name="relabel-pendulum-methods"
#SBATCH --nodes=2
#SBATCH --ntasks-per-node=8
#SBATCH --output="/scratch/alice/runs/pendulum-methods/slurm-%j.out"
#SBATCH --cpus-per-task=1
#SBATCH --time="04:00:00"
#SBATCH --partition="compute"
#SBATCH --account="rl-lab"
#SBATCH --mem="32G"
#SBATCH --open-mode=append
#SBATCH --signal=B:USR2@300
#SBATCH --requeue
#SBATCH --constraint=skylake

set -uo pipefail
RELABEL='/opt/relabel/bin/relabel'
SPEC='/home/alice/sweeps/pendulum-methods.toml'
SWEEP_DIR='/scratch/alice/runs/pendulum-methods'
MAX_REQUEUES=3
export OMP_NUM_THREADS=1
ARGS=(sweep "$SPEC" --out "$SWEEP_DIR" --threads-per-rank 1)
JOB_REF="$SLURM_JOB_ID"

# The warning signal arrives (B:) at this batch shell only: forward it to the launcher, which
# passes it to every rank; each checkpoints at its next step boundary and exits 0. Then requeue.
# SIGTERM (scancel, node failure) is forwarded too, without requeueing.
requeue=0
child=
on_warning() { requeue=1; [ -n "$child" ] && kill -USR2 "$child" 2>/dev/null; }
on_term() { [ -n "$child" ] && kill -USR2 "$child" 2>/dev/null; }
trap on_warning USR2
trap on_term TERM INT
echo "relabel: job $JOB_REF (restart ${SLURM_RESTART_COUNT:-0}) starting at $(date -u +%FT%T.%3NZ)"
srun --mpi=pmix --kill-on-bad-exit=1 "$RELABEL" "${ARGS[@]}" &
child=$!
# wait returns early when a trap runs: keep waiting until the launcher has exited.
while :; do
  wait "$child"
  status=$?
  kill -0 "$child" 2>/dev/null || break
done
echo "relabel: launcher exited with $status at $(date -u +%FT%T.%3NZ)"
if [ "$requeue" = 1 ]; then
  if [ "${SLURM_RESTART_COUNT:-0}" -lt "$MAX_REQUEUES" ]; then
    echo "relabel: requeueing $JOB_REF at $(date -u +%FT%T.%3NZ) to resume from the checkpoints"
    # On success SLURM ends this allocation and puts the job back in the queue.
    scontrol requeue "$JOB_REF" && exit 0
    echo "relabel: scontrol requeue failed; resubmit this script to continue" >&2
    exit 1
  fi
  echo "relabel: requeue limit ($MAX_REQUEUES) reached; resubmit this script to continue" >&2
fi
exit "$status"
