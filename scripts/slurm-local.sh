#!/usr/bin/env bash
# Starts and stops a real one-node Slurm cluster on localhost, for tests.
#   scripts/slurm-local.sh start DIR   starts munged, slurmctld and slurmd with every key,
#                                      config, state, spool, log, pid file and socket under DIR
#                                      (a fresh folder, e.g. from mktemp -d), waits until the
#                                      node is idle, and writes DIR/env.sh for clients
#   scripts/slurm-local.sh stop DIR    cancels the cluster's jobs and stops its daemons;
#                                      idempotent
# Clients source DIR/env.sh, which exports SLURM_CONF=DIR/slurm.conf (all they need), and use
# sbatch, squeue, sinfo as usual; the partition is `debug`. Nothing outside DIR is written.
# Exit status: 0 done; 77 this machine cannot run the daemons (not root, packages missing,
# cannot bind a TCP port), so a test should skip and print the reason from stderr; 1 any other
# failure, with one line on stderr naming the log to read; 2 bad usage. A failed start stops
# what it started. Needs root and Debian's slurmctld slurmd slurm-client munge (Slurm 22.05).
set -uo pipefail

readonly kStartTimeout=60  # seconds for slurmctld to answer and the node to become idle
readonly kStopTimeout=20   # seconds for each daemon to exit after SIGTERM
readonly kMaxDirLength=80  # unix socket paths (munge's, slurmstepd's in the spool) under DIR
readonly kPackages="apt-get install slurmctld slurmd slurm-client munge"

prog="slurm-local.sh"
die() { # die STATUS MESSAGE: one line on stderr, then exit
  echo "$prog: $2" >&2
  exit "$1"
}

usage() {
  sed -n '2,14p' "$0" >&2
  exit 2
}

# alive PID NAME: true when PID runs and is the program NAME (not a reused pid). A zombie
# counts as gone: where PID 1 does not reap, an exited daemon stays one.
alive() {
  [[ $1 =~ ^[0-9]+$ ]] || return 1
  local comm stat
  comm=$(cat "/proc/$1/comm" 2>/dev/null) && stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [[ $comm == "$2"* && ${stat:0:1} != Z ]]
}

# stop_pids PIDFILE:NAME...: SIGTERM each daemon named in a pid file, all at once (each takes
# a second or two to exit), wait for them, SIGKILL any that lingers.
stop_pids() {
  local entry file name pid
  local -a pids=() names=() files=()
  for entry in "$@"; do
    file=${entry%%:*} name=${entry##*:}
    [[ -f $file ]] || continue
    files+=("$file")
    pid=$(tr -dc '0-9' <"$file")
    if alive "$pid" "$name"; then
      kill -TERM "$pid" 2>/dev/null
      pids+=("$pid") names+=("$name")
    fi
  done
  local i waited=0 running=1
  while ((running && waited < kStopTimeout * 10)); do
    running=0
    for i in "${!pids[@]}"; do alive "${pids[i]}" "${names[i]}" && running=1; done
    ((running)) && sleep 0.1 && waited=$((waited + 1))
  done
  for i in "${!pids[@]}"; do
    if alive "${pids[i]}" "${names[i]}"; then
      echo "$prog: ${names[i]} (pid ${pids[i]}) ignored SIGTERM for ${kStopTimeout} s; sending SIGKILL" >&2
      kill -KILL "${pids[i]}" 2>/dev/null
    fi
  done
  ((${#files[@]} == 0)) || rm -f "${files[@]}" # a daemon removes its own; not one killed
  return 0
}

# Job steps whose slurmd had this cluster's SLURM_CONF in its environment.
stray_stepds() {
  local conf=$1 p
  for p in /proc/[0-9]*; do
    [[ $(cat "$p/comm" 2>/dev/null) == slurmstepd ]] || continue
    tr '\0' '\n' <"$p/environ" 2>/dev/null | grep -qxF "SLURM_CONF=$conf" && echo "${p#/proc/}"
  done
}

do_stop() {
  local dir=$1
  [[ -d $dir ]] || return 0
  local conf="$dir/slurm.conf"
  # Cancel any jobs while slurmctld still answers, so no slurmstepd outlives the cluster.
  if [[ -f $conf && -f $dir/slurmctld.pid ]] && alive "$(tr -dc '0-9' <"$dir/slurmctld.pid")" slurmctld; then
    local jobs
    jobs=$(SLURM_CONF=$conf timeout 10 squeue -h -o %A 2>/dev/null | sort -u | tr '\n' ' ')
    if [[ -n ${jobs// /} ]]; then
      # shellcheck disable=SC2086
      SLURM_CONF=$conf timeout 10 scancel $jobs 2>/dev/null
      local i
      for ((i = 0; i < 50; i++)); do
        [[ -z $(SLURM_CONF=$conf timeout 5 squeue -h -t running,completing -o %A 2>/dev/null) ]] && break
        sleep 0.2
      done
    fi
  fi
  stop_pids "$dir/slurmd.pid:slurmd" "$dir/slurmctld.pid:slurmctld" "$dir/munge/munged.pid:munged"
  local pid
  for pid in $(stray_stepds "$conf"); do kill -KILL "$pid" 2>/dev/null; done
  return 0
}

# Prints the last error line of a log, to make the one-line reason useful.
last_error() {
  [[ -f $1 ]] || return 0
  local line
  # skip the noise of every start: no PMIx library, no state files in a fresh StateSaveLocation
  line=$(grep -iE 'error|fatal' "$1" | grep -viE 'pmix|mpi/|state file|backup state' | tail -n 1)
  [[ -n $line ]] && printf ' (last error: %s)' "${line:0:200}"
}

# munged of this cluster alone: its key, socket, pid, log and seed under DIR/munge, named in
# slurm.conf by AuthInfo, so no system munged or /etc/munge key is needed or touched, and
# clusters in different folders do not share one. It runs as root (so --force: the socket
# folder is not open to all users; only root talks to it).
start_munge() {
  local dir=$1 m="$1/munge"
  rm -rf "$m"
  install -d -m 0700 "$m" || die 1 "cannot create $m"
  (umask 0277 && dd if=/dev/urandom of="$m/munge.key" bs=1024 count=1 status=none) ||
    die 1 "cannot write $m/munge.key"
  munged --force --socket="$m/munge.socket" --key-file="$m/munge.key" \
    --pid-file="$m/munged.pid" --log-file="$m/munged.log" --seed-file="$m/munged.seed" \
    </dev/null >"$dir/munged.out" 2>&1 ||
    die 1 "munged did not start: $(tail -n 1 "$dir/munged.out"); see $m/munged.log"
  local i
  for ((i = 0; i < 100; i++)); do
    timeout 5 munge -S "$m/munge.socket" -n </dev/null 2>/dev/null |
      timeout 5 unmunge -S "$m/munge.socket" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  die 1 "munged started but munge/unmunge fail on $m/munge.socket; see $m/munged.log"
}

# Two free TCP ports, "CTLD_PORT SLURMD_PORT"; exits 77 when nothing can bind.
pick_ports() {
  local py
  py=$(command -v /usr/bin/python3 python3 | head -n 1)
  if [[ -n $py ]] && "$py" -c '' 2>/dev/null; then
    "$py" - <<'EOF' 2>/dev/null && return 0
import socket
socks = []
for _ in range(2):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("0.0.0.0", 0))
    socks.append(s)
print(*(s.getsockname()[1] for s in socks))
EOF
    die 77 "cannot bind a TCP port on this machine"
  fi
  # No working python3: probe random high ports for ones nothing listens on.
  local -a ports=()
  local p tries=0
  while ((${#ports[@]} < 2 && tries++ < 200)); do
    p=$((20000 + RANDOM % 30000))
    [[ ${ports[0]:-} == "$p" ]] && continue
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && continue
    ports+=("$p")
  done
  ((${#ports[@]} == 2)) || die 77 "found no free TCP port"
  echo "${ports[@]}"
}

write_conf() {
  local dir=$1 node=$2 ctld_port=$3 slurmd_port=$4
  local cpus mem_total mem
  cpus=$(nproc)
  mem_total=$(free -m | awk '/^Mem:/ {print $2}')
  mem=$((mem_total * 9 / 10)) # slurmd drains a node that reports less than RealMemory
  ((mem >= 1)) || mem=1
  cat >"$dir/slurm.conf" <<EOF
# A one-node test cluster written by scripts/slurm-local.sh; everything lives in this folder.
ClusterName=helmholtz-test
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
# no cgroups: works in containers
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0
MpiDefault=none
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
ReturnToService=2
MailProg=/bin/true
NodeName=$node NodeAddr=127.0.0.1 NodeHostname=$node CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
}

stop_on_failure() {
  local status=$?
  ((status == 0)) || do_stop "$1"
  exit "$status"
}

do_start() {
  local dir=$1
  [[ $(id -u) -eq 0 ]] || die 77 "not root: starting munged, slurmctld and slurmd needs root"
  local cmd
  for cmd in slurmctld slurmd sinfo sbatch squeue scontrol scancel munged munge unmunge; do
    command -v "$cmd" >/dev/null || die 77 "$cmd not installed: $kPackages"
  done
  mkdir -p "$dir" || die 1 "cannot create $dir"
  dir=$(cd "$dir" && pwd -P)
  [[ $dir =~ ^[A-Za-z0-9_./+-]+$ ]] ||
    die 1 "'$dir' has characters slurm.conf cannot hold (spaces, quotes); use mktemp -d"
  ((${#dir} <= kMaxDirLength)) ||
    die 1 "$dir is ${#dir} characters long; the unix sockets under it need at most $kMaxDirLength (use mktemp -d)"
  do_stop "$dir" # a cluster left running in DIR by an earlier start

  # From here on a failure stops whatever this start has launched.
  # shellcheck disable=SC2064 # $dir is fixed now
  trap "stop_on_failure $(printf %q "$dir")" EXIT

  local node ports ctld_port slurmd_port
  node=$(hostname -s) || die 77 "hostname -s failed"
  ports=$(pick_ports) || exit $?
  read -r ctld_port slurmd_port <<<"$ports"
  rm -rf "$dir/state" "$dir/spool"
  mkdir -p "$dir/state" "$dir/spool"
  rm -f "$dir"/slurmctld.log "$dir"/slurmd.log
  write_conf "$dir" "$node" "$ctld_port" "$slurmd_port"
  printf '# Source this to talk to the test cluster in this folder.\nexport SLURM_CONF=%q\n' \
    "$dir/slurm.conf" >"$dir/env.sh"

  start_munge "$dir"

  export SLURM_CONF="$dir/slurm.conf" # also marks the job steps of this cluster (see stop)
  # Daemons get no terminal or pipe of the caller: a test reading our output must not hang.
  slurmctld -i -f "$SLURM_CONF" </dev/null >"$dir/slurmctld.out" 2>&1 ||
    die 1 "slurmctld failed to start: $(tail -n 1 "$dir/slurmctld.out")$(last_error "$dir/slurmctld.log"); see $dir/slurmctld.log"

  local deadline=$((SECONDS + kStartTimeout)) ctld_up=0 state=""
  while ((SECONDS < deadline)); do
    if [[ -f $dir/slurmctld.pid ]] && ! alive "$(tr -dc '0-9' <"$dir/slurmctld.pid")" slurmctld; then
      if grep -qi 'address already in use' "$dir/slurmctld.log" 2>/dev/null; then
        die 1 "port $ctld_port was taken after it was picked; run again$(last_error "$dir/slurmctld.log")"
      elif grep -qiE 'bind|listen' "$dir/slurmctld.log" 2>/dev/null; then
        die 77 "slurmctld cannot listen on TCP port $ctld_port$(last_error "$dir/slurmctld.log")"
      fi
      die 1 "slurmctld exited during start$(last_error "$dir/slurmctld.log"); see $dir/slurmctld.log"
    fi
    if timeout 5 scontrol ping 2>/dev/null | grep -q 'is UP'; then
      ctld_up=1
      break
    fi
    sleep 0.2
  done
  ((ctld_up)) || die 1 "slurmctld did not answer within ${kStartTimeout} s$(last_error "$dir/slurmctld.log"); see $dir/slurmctld.log"

  slurmd -f "$SLURM_CONF" -N "$node" </dev/null >"$dir/slurmd.out" 2>&1 ||
    die 1 "slurmd failed to start: $(tail -n 1 "$dir/slurmd.out")$(last_error "$dir/slurmd.log"); see $dir/slurmd.log"
  while ((SECONDS < deadline)); do
    if [[ -f $dir/slurmd.pid ]] && ! alive "$(tr -dc '0-9' <"$dir/slurmd.pid")" slurmd; then
      die 1 "slurmd exited during start$(last_error "$dir/slurmd.log"); see $dir/slurmd.log"
    fi
    state=$(timeout 5 sinfo -h -N -n "$node" -o %T 2>/dev/null | head -n 1)
    [[ $state == idle ]] && break
    sleep 0.2
  done
  [[ $state == idle ]] ||
    die 1 "slurmd did not register within ${kStartTimeout} s (node state '${state:-none}')$(last_error "$dir/slurmd.log"); see $dir/slurmd.log"
  trap - EXIT
  return 0
}

(($# == 2)) || usage
case "$1" in
  start) do_start "$2" ;;
  stop) do_stop "$(cd "$2" 2>/dev/null && pwd -P || echo "$2")" ;;
  *) usage ;;
esac
