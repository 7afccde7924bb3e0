#!/usr/bin/env bash
# A one-node SLURM cluster on localhost for the workflow's SLURM test: start DIR | stop DIR.
# Needs root and Debian's slurmctld, slurmd, slurm-client and munge.  Every file it writes is under DIR.
set -euo pipefail
cmd=$1
dir=$(realpath -m "$2")
case "$cmd" in
start)
    mkdir -p "$dir"/{state,spool,munge}
    # Free ports, so that no other slurmctld on this machine is disturbed.
    port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
    ctld_port=$(port)
    slurmd_port=$(port)
    cpus=$(nproc)
    mem=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 / 2 ))
    cat > "$dir/slurm.conf" <<CONF
ClusterName=regimes-test
SlurmctldHost=localhost
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
CryptoType=crypto/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SlurmUser=root
SlurmdUser=root
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmdSpoolDir=$dir/spool
StateSaveLocation=$dir/state
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
ReturnToService=2
NodeName=localhost NodeHostname=localhost CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
    dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
    chmod 400 "$dir/munge/munge.key"
    munged --force --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" \
        --pid-file="$dir/munge/munged.pid" --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/munge.seed"
    # Snakemake's jobstep plugin drops SLURM_CONF before its nested srun, so the config must also be at
    # the default path.  Refuse to touch a config this script did not write (a real cluster's).
    if [ -e /etc/slurm/slurm.conf ] && ! grep -q "ClusterName=regimes-test" /etc/slurm/slurm.conf; then
        echo "/etc/slurm/slurm.conf exists and is not ours: not starting a test cluster here" >&2
        exit 3
    fi
    mkdir -p /etc/slurm
    cp "$dir/slurm.conf" /etc/slurm/slurm.conf
    export SLURM_CONF=$dir/slurm.conf
    slurmctld -f "$dir/slurm.conf"
    slurmd -f "$dir/slurm.conf" -N localhost
    for _ in $(seq 60); do
        if sinfo -h -o %T 2>/dev/null | grep -qE "^idle"; then echo "SLURM_CONF=$dir/slurm.conf"; exit 0; fi
        sleep 1
    done
    echo "the one-node cluster did not come up; logs in $dir" >&2
    exit 1
    ;;
stop)
    for pid in "$dir/slurmd.pid" "$dir/slurmctld.pid" "$dir/munge/munged.pid"; do
        [ -f "$pid" ] && kill "$(cat "$pid")" 2>/dev/null || true
    done
    if [ -e /etc/slurm/slurm.conf ] && grep -q "ClusterName=regimes-test" /etc/slurm/slurm.conf; then
        rm -f /etc/slurm/slurm.conf
    fi
    ;;
*)
    echo "usage: $0 start|stop DIR" >&2
    exit 2
    ;;
esac
