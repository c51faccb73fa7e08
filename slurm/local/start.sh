#!/usr/bin/env bash
# Starts a single-node SLURM (munge, slurmctld, slurmd) for tests and for trying relabel on a
# laptop (../shared/specs/slurm-local.md). Idempotent: daemons it already started and that are
# alive are left running. Prints `export SLURM_CONF=...` for the caller to eval.
#   eval "$(slurm/local/start.sh)"     then sbatch/squeue/sinfo use the local cluster.
# State lives in $RELABEL_SLURM_STATE (default /tmp/relabel-slurm); stop.sh stops exactly the
# daemons recorded there.
set -euo pipefail
STATE=${RELABEL_SLURM_STATE:-/tmp/relabel-slurm}
mkdir -p "$STATE"/{spool,state,log,run}
HOST=$(hostname)
CPUS=$(nproc)
MEM_MB=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 1024 ))
alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

for tool in munged slurmctld slurmd sinfo; do
  command -v "$tool" >/dev/null || { echo "slurm/local/start.sh: $tool not found (apt-get install slurm-wlm munge)" >&2; exit 3; }
done

# munge: authentication between the SLURM daemons and clients.
if ! alive "$STATE/run/munged.pid"; then
  if ! pgrep -x munged >/dev/null; then
    mkdir -p /run/munge && chown munge:munge /run/munge 2>/dev/null || true
    [ -f /etc/munge/munge.key ] || { echo "slurm/local/start.sh: /etc/munge/munge.key missing" >&2; exit 3; }
    munged --force --pid-file="$STATE/run/munged.pid" 2>>"$STATE/log/munged.log" || munged --force
    [ -f "$STATE/run/munged.pid" ] || pgrep -xn munged > "$STATE/run/munged.pid"
  fi
fi

cat > "$STATE/slurm.conf" <<CONF
ClusterName=relabel-local
SlurmctldHost=$HOST
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$STATE/state
SlurmdSpoolDir=$STATE/spool
SlurmctldPidFile=$STATE/run/slurmctld.pid
SlurmdPidFile=$STATE/run/slurmd.pid
SlurmctldLogFile=$STATE/log/slurmctld.log
SlurmdLogFile=$STATE/log/slurmd.log
SlurmctldPort=${RELABEL_SLURMCTLD_PORT:-6817}
SlurmdPort=${RELABEL_SLURMD_PORT:-6818}
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
JobRequeue=1
KillWait=30
MinJobAge=3600
NodeName=$HOST CPUs=$CPUS RealMemory=$MEM_MB State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
CONF
export SLURM_CONF="$STATE/slurm.conf"

alive "$STATE/run/slurmctld.pid" || slurmctld -f "$SLURM_CONF"
alive "$STATE/run/slurmd.pid" || slurmd -f "$SLURM_CONF"

for _ in $(seq 1 60); do
  state=$(sinfo -h -n "$HOST" -o '%t' 2>/dev/null | head -1 || true)
  case "$state" in idle*|mix*|alloc*) echo "export SLURM_CONF=$SLURM_CONF"; exit 0 ;; esac
  if [ "$state" = "down" ] || [ "$state" = "drain" ] || [ "$state" = "down*" ]; then
    scontrol update NodeName="$HOST" State=RESUME >/dev/null 2>&1 || true
  fi
  sleep 1
done
echo "slurm/local/start.sh: node $HOST did not become idle (state '$state'); see $STATE/log" >&2
exit 4
