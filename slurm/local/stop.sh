#!/usr/bin/env bash
# Stops the daemons slurm/local/start.sh started, by the pids in its state directory (never by
# name, so a system SLURM or munge is left alone). Idempotent.
set -uo pipefail
STATE=${RELABEL_SLURM_STATE:-/tmp/relabel-slurm}
alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# Every job on this private cluster was submitted to it: cancel them first, since a job's
# processes (slurmstepd and its tasks) outlive slurmd.
if alive "$STATE/run/slurmctld.pid" && [ -f "$STATE/slurm.conf" ]; then
  export SLURM_CONF="$STATE/slurm.conf"
  jobs=$(squeue -h -o %A 2>/dev/null | sort -u)
  if [ -n "$jobs" ]; then
    # shellcheck disable=SC2086
    scancel $jobs 2>/dev/null
    for _ in $(seq 1 150); do
      [ -z "$(squeue -h -o %A 2>/dev/null)" ] && break
      sleep 0.2
    done
  fi
fi
for d in slurmd slurmctld munged; do
  pidfile="$STATE/run/$d.pid"
  [ -f "$pidfile" ] || continue
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  fi
  rm -f "$pidfile"
done
exit 0
