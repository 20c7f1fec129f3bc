#!/usr/bin/env bash
# Smoke test of scripts/slurm-local.sh: starts a one-node Slurm cluster in a temporary folder,
# runs a 4-task array job with `sbatch --wait`, checks each task's output file and %A_%a log,
# then (given the helmholtz binary as $1) one data-parallel training run as a two-task job,
# and stops the cluster. Exits 77 (ctest: skipped) with the reason when the machine cannot run
# the daemons (not root, packages missing).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cluster="$root/scripts/slurm-local.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/slurm-smoke.XXXXXX")
cleanup() {
  "$cluster" stop "$work/cluster" || true
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  local log
  for log in "$work"/cluster/slurmctld.log "$work"/cluster/slurmd.log; do
    [[ -f $log ]] && { echo "--- last lines of $(basename "$log")"; tail -n 15 "$log"; } >&2
  done
  exit 1
}

started=$SECONDS
status=0
"$cluster" start "$work/cluster" 2>"$work/start.err" || status=$?
if ((status == 77)); then
  echo "SKIP: $(cat "$work/start.err")"
  exit 77
fi
((status == 0)) || fail "slurm-local.sh start exited $status: $(cat "$work/start.err")"
echo "cluster up in $((SECONDS - started)) s"
# shellcheck disable=SC1091
. "$work/cluster/env.sh"

mkdir -p "$work/job/out"
cat >"$work/job/task.sh" <<TASK
#!/usr/bin/env bash
echo "task \$SLURM_ARRAY_TASK_ID of job \$SLURM_ARRAY_JOB_ID on \$(hostname -s)"
echo "\$SLURM_ARRAY_TASK_ID" >"$work/job/out/task_\$SLURM_ARRAY_TASK_ID.txt"
TASK

started=$SECONDS
cd "$work/job"
job=$(timeout 240 sbatch --parsable --wait --array=0-3 --job-name=smoke --time=2 \
  --output="$work/job/smoke_%A_%a.log" task.sh) || fail "sbatch --wait failed (job ${job:-?})"
job=${job%%;*}
echo "array job $job finished in $((SECONDS - started)) s"

for i in 0 1 2 3; do
  out="$work/job/out/task_$i.txt"
  [[ -f $out ]] || fail "task $i wrote no $out"
  [[ $(cat "$out") == "$i" ]] || fail "task $i wrote '$(cat "$out")' into $out"
  log="$work/job/smoke_${job}_$i.log"
  [[ -f $log ]] || fail "no log $log; found: $(ls "$work/job")"
  grep -qx "task $i of job $job on .*" "$log" || fail "log $log reads '$(cat "$log")'"
done
logs=("$work/job"/smoke_*.log)
((${#logs[@]} == 4)) || fail "expected 4 logs, found: $(ls "$work/job")"
echo "PASS: 4 array tasks ran, each wrote its file and its ${job}_N log"

# A data-parallel run as a two-task Slurm job: srun starts both tasks, which learn their ranks
# and rank 0's address from Slurm's variables and train one run over Gloo; rank 0 alone writes
# the run folder. Needs the helmholtz binary (the first argument) and Debian's Fashion-MNIST.
bin=${1:-}
if [[ -z $bin || ! -x $bin ]]; then
  echo "SKIP (two-task job): no helmholtz binary given"
  exit 0
fi
mkdir -p "$work/dp"
started=$SECONDS
job=$(timeout 240 sbatch --parsable --wait --ntasks=2 --job-name=dp --time=3 \
  --output="$work/dp/dp_%j.log" --wrap "srun '$bin' train --dataset fashion-mnist \
  --architecture '$root/tests/fixtures/tiny.toml' --train-size 300 --holdout-size 100 \
  --val-size 100 --epochs 2 --batch-size 32 --shift 0 --no-flip --device cpu --no-progress \
  --threads 1 --log-root '$work/dp/logs'") || {
  cat "$work"/dp/dp_*.log >&2 || true
  fail "the two-task job failed (job ${job:-?})"
}
job=${job%%;*}
log="$work/dp/dp_$job.log"
echo "two-task job $job finished in $((SECONDS - started)) s"
grep -q "x 2 processes (gloo)" "$log" || fail "no two-process run in $log: $(cat "$log")"
[[ $(grep -c "finished: " "$log") == 1 ]] || fail "expected one 'finished:' line in $log: $(cat "$log")"
summary="$work/dp/logs/fashion-mnist/tiny/quality_5/summary.json"
[[ -f $summary ]] || fail "no $summary; the job printed: $(cat "$log")"
grep -q '"status": "finished"' "$summary" || fail "$summary is not finished"
echo "PASS: a two-task job trained one run on two processes"
