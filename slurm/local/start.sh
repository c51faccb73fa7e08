#!/usr/bin/env bash
# Starts a single-node SLURM (munge, slurmctld, slurmd) for tests and for trying relabel on a
# laptop (docs/slurm.md). Idempotent: daemons it already started and that are
# alive are left running. Prints `export SLURM_CONF=...` for the caller to eval.
#   eval "$(slurm/local/start.sh)"     then sbatch/squeue/sinfo use the local cluster.
# State lives in $RELABEL_SLURM_STATE (default /tmp/relabel-slurm); stop.sh stops exactly the
# daemons recorded there.
#   --if-installed   exit 0 with a message (instead of 3) where slurm-wlm/munge are missing: the
#                    ctest fixture uses it, and the tests then skip with that reason.
set -euo pipefail
if_installed=0
[ "${1:-}" = "--if-installed" ] && if_installed=1
STATE=${RELABEL_SLURM_STATE:-/tmp/relabel-slurm}
mkdir -p "$STATE"/{spool,state,log,run}
HOST=$(hostname)
CPUS=$(nproc)
MEM_MB=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 1024 ))
alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

for tool in munged slurmctld slurmd sinfo sbatch scontrol; do
  if ! command -v "$tool" >/dev/null; then
    echo "slurm/local/start.sh: $tool not found (apt-get install slurm-wlm munge)" >&2
    [ "$if_installed" = 1 ] && { echo "slurm/local/start.sh: the SLURM integration tests will skip" >&2; exit 0; }
    exit 3
  fi
done

# munge: authentication between the SLURM daemons and clients.
if ! alive "$STATE/run/munged.pid"; then
  if ! pgrep -x munged >/dev/null; then
    mkdir -p /run/munge && chown munge:munge /run/munge 2>/dev/null || true
    [ -f /etc/munge/munge.key ] || { echo "slurm/local/start.sh: /etc/munge/munge.key missing" >&2; exit 4; }
    munged --force --pid-file="$STATE/run/munged.pid" 2>>"$STATE/log/munged.log" || munged --force
    [ -f "$STATE/run/munged.pid" ] || pgrep -xn munged > "$STATE/run/munged.pid"
  fi
fi

# Short delays so tests turn around quickly: a requeued job may start again cred_expire + 1 s
# after the requeue (slurm.conf(5), AuthInfo; default 120 s), pending jobs that became eligible
# are looked at every sched_interval s (default 60 s), and a cancelled job's processes get
# SIGKILL KillWait s after SIGTERM (default 30 s).
cat > "$STATE/slurm.conf.new" <<CONF
ClusterName=relabel-local
SlurmctldHost=$HOST
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=cred_expire=10
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
SchedulerParameters=sched_interval=2,bf_interval=2
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
JobRequeue=1
KillWait=10
MinJobAge=3600
NodeName=$HOST CPUs=$CPUS RealMemory=$MEM_MB State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
CONF
export SLURM_CONF="$STATE/slurm.conf"
changed=0
cmp -s "$STATE/slurm.conf.new" "$SLURM_CONF" || changed=1
mv "$STATE/slurm.conf.new" "$SLURM_CONF"

# Daemons started from an older configuration are restarted (by their pids) to pick it up.
if [ "$changed" = 1 ] && { alive "$STATE/run/slurmctld.pid" || alive "$STATE/run/slurmd.pid"; }; then
  for d in slurmd slurmctld; do
    if alive "$STATE/run/$d.pid"; then
      pid=$(cat "$STATE/run/$d.pid"); kill "$pid"
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
  done
fi
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
