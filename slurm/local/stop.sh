#!/usr/bin/env bash
# Stops the daemons slurm/local/start.sh started, by the pids in its state directory (never by
# name, so a system SLURM or munge is left alone). Idempotent.
set -uo pipefail
STATE=${RELABEL_SLURM_STATE:-/tmp/relabel-slurm}
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
