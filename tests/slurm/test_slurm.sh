#!/usr/bin/env bash
# The Slurm recipe of docs/sweeps.md run under a real Slurm: a private
# single-node cluster (munged with its own key and socket, slurmctld and
# slurmd with a generated slurm.conf, all in a temporary directory, on free
# ports) runs examples/slurm/sweep-array.sbatch as a job array of 4 tasks and
# examples/slurm/sweep-merge.sbatch after it (--dependency=afterok).  One
# array task is cancelled while it runs (scancel) and resubmitted alone; the
# merged results.csv and summary.csv must be byte-identical to a one-machine
# `socsim sweep` of the same file.
#
# Needs root (slurmd launches the jobs) and Debian's slurm-wlm and munge,
# which it installs when missing (scripts/bootstrap.sh installs them too).
# No cgroups are needed: proctrack/linuxproc, task/none.  When the daemons
# cannot run here it says why and exits 77 (skipped), after checking the
# sbatch files with `bash -n` and, if slurmctld runs, `sbatch --test-only`.
# Everything it started is stopped on exit, failure or not.
# Environment (set by ctest): SOCSIM = the socsim binary, SOC_SOURCE_DIR;
# SOC_SLURM_KEEP=1 keeps the temporary directory (logs) for a post-mortem.
# Exit 0 = all passed, 1 = a failure, 77 = skipped.
set -u
S=${SOCSIM:-}
SRC=${SOC_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
ARRAY="$SRC/examples/slurm/sweep-array.sbatch"
MERGE="$SRC/examples/slurm/sweep-merge.sbatch"
export PATH="$PATH:/usr/sbin:/sbin"
# run from inside a Slurm job, the job's variables would steer our sbatch
for v in $(compgen -e | grep -E '^(SLURM|SBATCH|SALLOC|SRUN)_'); do unset "$v"; done
if [ -z "$S" ] || [ ! -x "$S" ]; then echo "SKIP: SOCSIM not set"; exit 77; fi
S=$(cd "$(dirname "$S")" && pwd)/$(basename "$S")
ok=0
bad=0
pass() { echo "ok    $*"; ok=$((ok + 1)); }
fail() { echo "FAIL  $*"; bad=$((bad + 1)); }
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }
t_start=$SECONDS

# ------------------------------------------------------------ the sbatch files
# (checks that need no Slurm at all)
check "sweep-array.sbatch parses (bash -n)" bash -n "$ARRAY"
check "sweep-merge.sbatch parses (bash -n)" bash -n "$MERGE"

finish() {
    echo "$ok passed, $bad failed ($((SECONDS - t_start)) s)"
    [ "$bad" -eq 0 ] || exit 1
    exit "${1:-0}"
}
skip() {
    echo "SKIP: $*"
    [ "$bad" -eq 0 ] || finish
    finish 77
}

T=$(mktemp -d /tmp/socsim-slurm.XXXXXX) || { echo "FAIL  mktemp"; exit 1; }
CONF=$T/etc/slurm.conf
PIDS=()   # daemons started here, in start order
# every Slurm daemon and command of this test gets SLURM_CONF=$CONF (the
# commands through sl), and so do the jobs (sbatch passes its environment
# on): leftovers are recognised by that exact variable, never by name
# (the test's own shell does not have it)
sl() { SLURM_CONF=$CONF "$@"; }

cleanup() {
    trap - EXIT INT TERM HUP
    if [ ${#PIDS[@]} -gt 1 ] && kill -0 "${PIDS[1]}" 2>/dev/null; then
        local left
        left=$(sl squeue -h -o %A 2>/dev/null | sort -u)
        if [ -n "$left" ]; then
            sl scancel $left 2>/dev/null
            for _ in $(seq 50); do
                [ -z "$(sl squeue -h 2>/dev/null)" ] && break
                sleep 0.2
            done
        fi
    fi
    local i p
    for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
        p=${PIDS[i]}
        kill "$p" 2>/dev/null || continue
        for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    # job steps (slurmstepd, the scripts, socsim) left behind by a failure
    for d in /proc/[0-9]*; do
        p=${d#/proc/}
        [ "$p" = $$ ] && continue
        if { tr '\0' '\n' < "$d/environ"; } 2>/dev/null | grep -qxF "SLURM_CONF=$CONF"; then
            echo "(stopping leftover process $p: $(tr '\0' ' ' < "$d/cmdline" 2>/dev/null))"
            kill -9 "$p" 2>/dev/null
        fi
    done
    if [ -n "${SOC_SLURM_KEEP:-}" ]; then echo "(kept $T)"; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# poll every 0.2 s for at most $1 seconds until the command succeeds
wait_for() {
    local end=$((SECONDS + $1))
    shift
    until "$@"; do
        [ $SECONDS -ge $end ] && return 1
        sleep 0.2
    done
}
show_logs() {   # [name...]: the logs $T/log/name* (default: all)
    local f pats=("${@:-}")
    for f in $(for p in "${pats[@]}"; do echo "$T/log/$p"*; done | tr ' ' '\n' | sort -u); do
        [ -s "$f" ] || continue
        echo "---- $f (last lines)"
        tail -n 15 "$f"
    done
}

# the sbatch files refuse a resubmission that would start another split
mkdir -p "$T/fake/shard-2-of-4"
(cd "$T" && SOCSIM=/bin/false SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_TASK_MIN=1 SLURM_ARRAY_TASK_MAX=1 \
    SLURM_ARRAY_TASK_COUNT=1 bash "$ARRAY" sweep.yaml fake > fake.out 2>&1)
check "--array=1 without N over a 4-way split: refused (exit 2)" test $? = 2
check "... saying to give N" grep -q "give N as the third argument" "$T/fake.out"
(cd "$T" && SOCSIM=/bin/false SLURM_ARRAY_TASK_ID=3 SLURM_ARRAY_TASK_MIN=3 SLURM_ARRAY_TASK_MAX=3 \
    SLURM_ARRAY_TASK_COUNT=1 bash "$ARRAY" sweep.yaml fake > fake.out 2>&1)
check "--array=3 without N: refused (exit 2)" test $? = 2
mkdir -p "$T/fake/shard-1-of-3"
(cd "$T" && SOCSIM=/bin/false bash "$MERGE" sweep.yaml fake > fake.out 2>&1)
check "merge of a directory holding two splits without N: refused (exit 2)" test $? = 2
rm -rf "$T/fake" "$T/fake.out"

if [ "$(id -u)" -ne 0 ]; then skip "not root: slurmd must run as root to launch jobs"; fi

# ------------------------------------------------------------- the packages
have_slurm() {
    command -v sbatch >/dev/null && command -v slurmctld >/dev/null &&
        command -v slurmd >/dev/null && command -v munged >/dev/null
}
if ! have_slurm; then
    if command -v apt-get >/dev/null; then
        echo "== installing slurm-wlm and munge"
        apt_install() {
            DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q \
                --no-install-recommends slurm-wlm munge >> "$T/apt.log" 2>&1
        }
        apt_install || { apt-get -o DPkg::Lock::Timeout=600 update -q >> "$T/apt.log" 2>&1 && apt_install; }
    fi
    if ! have_slurm; then
        [ -s "$T/apt.log" ] && tail -n 5 "$T/apt.log"
        skip "slurm-wlm and munge are not installed and could not be installed"
    fi
fi

# ------------------------------------------------------------- the cluster
port_used() {
    local hex
    hex=$(printf ':%04X' "$1")
    cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk -v h="$hex" '$2 ~ h"$" {f = 1} END {exit !f}'
}
free_port() {
    local p
    for _ in $(seq 100); do
        p=$((20000 + RANDOM % 40000))
        [ "$p" != "${1:-}" ] && ! port_used "$p" && { echo "$p"; return 0; }
    done
    return 1
}
CTLD_PORT=$(free_port) && DPORT=$(free_port "$CTLD_PORT") || skip "no free TCP port"
# the node as slurmd itself sees it: real CPU count, sockets, memory
NODE_LINE=$(slurmd -C 2>/dev/null | head -n 1)
NODE=$(echo "$NODE_LINE" | sed -n 's/^NodeName=\([^ ]*\) .*/\1/p')
[ -n "$NODE" ] || skip "slurmd -C cannot describe this machine: '$NODE_LINE'"
NCPU=$(echo "$NODE_LINE" | sed -n 's/.* CPUs=\([0-9]*\).*/\1/p')

mkdir -p "$T/etc" "$T/munge" "$T/state" "$T/spool" "$T/log" "$T/work"
chmod 700 "$T/munge"
cat > "$CONF" <<EOF
# generated by tests/slurm/test_slurm.sh: a private single-node cluster
ClusterName=socsimtest
SlurmctldHost=$NODE(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$DPORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$T/munge/munge.socket
StateSaveLocation=$T/state
SlurmdSpoolDir=$T/spool
SlurmctldPidFile=$T/slurmctld.pid
SlurmdPidFile=$T/slurmd.pid
SlurmctldLogFile=$T/log/slurmctld.log
SlurmdLogFile=$T/log/slurmd.log
MailProg=/bin/true
# no cgroups: plain process tracking, no task binding
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
MpiDefault=none
# no slurmdbd: no accounting (sacct), finished jobs are read from squeue
# (kept MinJobAge seconds) and from the job completion log
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$T/log/jobcomp.txt
MinJobAge=600
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/builtin
# schedule a batch job when it is submitted (the default waits up to 3 s)
SchedulerParameters=batch_sched_delay=0
ReturnToService=2
KillWait=2
$NODE_LINE NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=test Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
EOF
# slurmd 22.05 loads a cgroup plugin whatever the proctrack and task
# plugins are: it needs /sys/fs/cgroup (v1 or v2, nothing is written on
# v1); on v2 without a systemd to ask (a container) it makes its cgroups itself
cat > "$T/etc/cgroup.conf" <<EOF
CgroupPlugin=autodetect
IgnoreSystemdOnFailure=yes
EOF

# sbatch --test-only parses the job files (with the overrides this test
# submits with: the files ask for 8 CPUs) and asks slurmctld for a start
# time.  "strict": that must succeed; "parse": the cluster is not usable,
# so only an allocation failure after the parse is accepted (a bad #SBATCH
# line makes sbatch exit 255 before it asks for anything)
test_only() {
    local out rc f args
    for f in "$ARRAY" "$MERGE"; do
        args=()
        [ "$f" = "$ARRAY" ] && args=(--array=1-4 --cpus-per-task=1)
        out=$(cd "$T/work" && sl timeout 60 sbatch --test-only "${args[@]}" "$f" x.yaml out 2>&1)
        rc=$?
        out=$(echo "$out" | tail -n 1)
        if [ "$1" = strict ]; then
            check "sbatch --test-only accepts $(basename "$f") ($out)" test $rc = 0
        else
            check "sbatch --test-only parses $(basename "$f") ($out)" \
                test $rc = 0 -o "${out#allocation failure:}" != "$out"
        fi
    done
}
if command -v mungekey >/dev/null; then
    mungekey --create --keyfile="$T/munge/munge.key" 2> "$T/log/mungekey.err"
else
    dd if=/dev/urandom of="$T/munge/munge.key" bs=1024 count=1 2> /dev/null
fi
chmod 600 "$T/munge/munge.key"
munged -F --force --socket="$T/munge/munge.socket" --key-file="$T/munge/munge.key" \
    --pid-file="$T/munge/munged.pid" --seed-file="$T/munge/munged.seed" \
    --log-file="$T/log/munged.log" > "$T/log/munged.out" 2>&1 &
PIDS+=($!)
munge_ok() { echo ping | munge -S "$T/munge/munge.socket" 2>/dev/null | unmunge -S "$T/munge/munge.socket" > /dev/null 2>&1; }
munge_ok_or_dead() { munge_ok || ! kill -0 "${PIDS[0]}" 2>/dev/null; }
# (without munged or slurmctld, sbatch --test-only only says it cannot connect)
if ! wait_for 10 munge_ok_or_dead || ! munge_ok; then show_logs munge; skip "munged does not start here"; fi

# (not through sl: $! must be the daemon itself)
SLURM_CONF=$CONF slurmctld -D > "$T/log/slurmctld.out" 2>&1 &
PIDS+=($!)
ctld_ok() { sl scontrol ping 2>/dev/null | grep -q "is UP"; }
ctld_ok_or_dead() { ctld_ok || ! kill -0 "${PIDS[1]}" 2>/dev/null; }
if ! wait_for 20 ctld_ok_or_dead || ! ctld_ok; then show_logs slurmctld; skip "slurmctld does not start here"; fi

SLURM_CONF=$CONF slurmd -D > "$T/log/slurmd.out" 2>&1 &
PIDS+=($!)
node_idle() { [ "$(sl sinfo -h -n "$NODE" -o %T 2>/dev/null)" = idle ]; }
idle_or_dead() { node_idle || ! kill -0 "${PIDS[2]}" 2>/dev/null; }
if ! wait_for 30 idle_or_dead || ! node_idle; then
    show_logs slurmd
    test_only parse
    if kill -0 "${PIDS[2]}" 2>/dev/null; then
        fail "slurmd runs but node $NODE is not idle: $(sl sinfo -h -N -o '%T %E' 2>&1)"
        finish
    fi
    skip "slurmd does not run in this container (its log is above)"
fi
test_only strict
pass "cluster up: node $NODE with $NCPU CPUs, ports $CTLD_PORT/$DPORT ($((SECONDS - t_start)) s)"

# ------------------------------------------------------- the one-machine run
# 4 schedulers x 6 rates x NSEED seeds, cut in 4 shards.  A shard must run
# long enough (about 2 s) to be caught running with a few rows written, and
# the whole test should stay short, in an optimised build as under ASan
# (about 10x slower): one seed (24 points, one worker) is timed first and
# NSEED (2..6) chosen from it.  Only the test's size depends on the clock;
# what is compared is two runs of the same sweep file.
sweep_file() {
    cat <<EOF
base: $SRC/examples/poisson_soc.yaml
set:
  stop.jobs: 3000
  injection.warmup_us: 10000
axes:
  scheduler: [met, etf, heft, peft]
  injection.mean_interarrival_us: {from: 400, to: 30, num: 6, scale: log}
  seed: {from: 1, to: $1}
EOF
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }
sweep_file 1 > "$T/calib.yaml"
t0=$(now_ms)
"$S" sweep -j 1 --quiet --out "$T/calib" "$T/calib.yaml" 2> "$T/calib.err"
rc=$?
PT_MS=$(( ($(now_ms) - t0) / 24 + 1 ))
check "timing run: one seed, 24 points, one worker ($PT_MS ms a point)" test $rc = 0
# a shard holds 6 * NSEED points: NSEED = 2000 ms / (6 * point time)
NSEED=$(( 2000 / (6 * PT_MS) ))
[ "$NSEED" -lt 2 ] && NSEED=2
[ "$NSEED" -gt 6 ] && NSEED=6
sweep_file "$NSEED" > "$T/sweep.yaml"
NPOINTS=$(($("$S" sweep --list "$T/sweep.yaml" | wc -l) - 1))
PER=$((NPOINTS / 4))
t0=$SECONDS
"$S" sweep -j 2 --quiet --out "$T/ref" "$T/sweep.yaml" 2> "$T/ref.err"
check "one-machine sweep of $NPOINTS points ($((SECONDS - t0)) s)" test $? = 0

# ----------------------------------------------------------- the job array
cd "$T/work" || exit 1
state() { sl squeue -h -t all -j "$1" -o %T 2>/dev/null | head -n 1; }
reason() { sl squeue -h -j "$1" -o %r 2>/dev/null | head -n 1; }
rows() { local n; n=$({ wc -l < "$1"; } 2>/dev/null) || n=1; echo $((n - 1)); }
t_submit=$SECONDS
jid=$(sl sbatch --parsable --array=1-4 --cpus-per-task=1 "$ARRAY" "$T/sweep.yaml" out 2> sbatch.err)
check "sbatch --array=1-4 sweep-array.sbatch" test -n "$jid"
jid=${jid%%;*}
mid=$(sl sbatch --parsable --dependency="afterok:$jid" "$MERGE" "$T/sweep.yaml" out 2>> sbatch.err)
check "sbatch --dependency=afterok:$jid sweep-merge.sbatch" test -n "$mid"
mid=${mid%%;*}
if [ -z "$jid" ] || [ -z "$mid" ]; then cat sbatch.err; show_logs; finish; fi

# cancel task 1 once it has written a few rows, well before its end
S1=out/shard-1-of-4/results.csv
caught() { [ "$(state "${jid}_1")" = RUNNING ] && [ "$(rows $S1)" -ge 3 ]; }
if wait_for 60 caught; then
    sl scancel "${jid}_1"
    pass "task ${jid}_1 running with $(rows $S1) of $PER rows: scancel"
else
    fail "task ${jid}_1 never seen running with rows (state $(state "${jid}_1"))"
    show_logs
    finish
fi
gone() { local s; s=$(state "$1"); [ -n "$s" ] && [ "$s" != RUNNING ] && [ "$s" != PENDING ] && [ "$s" != COMPLETING ]; }
wait_for 30 gone "${jid}_1"
st=$(state "${jid}_1")
[ "$st" = COMPLETED ] && echo "(task ${jid}_1 finished before scancel reached it: a machine this fast needs a bigger sweep here)"
check "task ${jid}_1 ends CANCELLED (is $st)" test "$st" = CANCELLED
K=$(rows $S1)
check "its shard holds part of its points ($K of $PER)" test "$K" -ge 3 -a "$K" -lt "$PER"
never() { [ "$(reason "$mid")" = DependencyNeverSatisfied ]; }
check "merge job $mid waits: DependencyNeverSatisfied" wait_for 60 never

# resubmit the cancelled task alone, then point the merge at it
rid=$(sl sbatch --parsable --array=1 --cpus-per-task=1 "$ARRAY" "$T/sweep.yaml" out 4 2> sbatch.err)
check "resubmitted task 1 alone (sbatch --array=1 ... 4)" test -n "$rid"
rid=${rid%%;*}
sl scontrol update JobId="$mid" Dependency="afterok:$rid" 2> scontrol.err
check "scontrol update JobId=$mid Dependency=afterok:$rid" test $? = 0

all_done() { [ -z "$(sl squeue -h 2>/dev/null)" ]; }
if ! wait_for 120 all_done; then
    fail "jobs still queued after 120 s: $(sl squeue -h -o '%i %T %r' | tr '\n' ';')"
    show_logs
    finish
fi
pass "all jobs left the queue, $((SECONDS - t_submit)) s after the array was submitted"
for t in 2 3 4; do
    check "task ${jid}_$t COMPLETED" test "$(state "${jid}_$t")" = COMPLETED
done
check "resubmitted task ${rid}_1 COMPLETED" test "$(state "${rid}_1")" = COMPLETED
check "merge job $mid COMPLETED" test "$(state "$mid")" = COMPLETED
# the same states, from the job completion log
jc=$T/log/jobcomp.txt
check "job completion log: task 1 CANCELLED" \
    grep -q "JobState=CANCELLED .* ArrayJobId=$jid ArrayTaskId=1 " "$jc"
check "job completion log: 3 tasks + resubmission + merge COMPLETED" \
    test "$(grep -c "JobState=COMPLETED" "$jc")" = 5
check "resubmitted task resumed: $K of $PER points already done" \
    grep -q "$PER points in this shard, $K already done" "socsim-sweep-${rid}_1.log"
check "merge log names all $NPOINTS points" grep -q "merged $NPOINTS points" "socsim-merge-$mid.log"
check "merged results.csv byte-identical to the one-machine run" cmp out/results.csv "$T/ref/results.csv"
check "merged summary.csv byte-identical to the one-machine run" cmp out/summary.csv "$T/ref/summary.csv"
if command -v gnuplot >/dev/null; then
    check "merge job drew the figures" test -s out/latency.png
fi
if [ "$bad" -ne 0 ]; then
    for f in socsim-*.log; do echo "---- $f"; head -n 5 "$f"; done
    show_logs
fi
finish
