# Shared by tools/bench-seed, tools/bench-scaling, tools/bench-startup and tools/overhead:
# the seed's fixture (100,000 "uid N uid.N" rules, sleeping tasks under an unused uid, a
# mounted daemon), a timer that alternates contenders, and the statistics they print.
# Sourced, not run. Everything started here is recorded by PID and stopped by PID in
# bench_cleanup, which the scripts trap on EXIT, INT and TERM.

# shellcheck shell=bash
export LC_ALL=C   # EPOCHREALTIME with a '.', sort and awk with C collation

BENCH_ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_WORK=""          # scratch directory (tmpfs), removed by bench_cleanup
BENCH_MOUNT=""         # the daemon's mountpoint
BENCH_DAEMON_PID=""    # the daemon, once started
BENCH_SPAWNERS=()      # root shells that started sleeping tasks and wait for them
BENCH_PIDFILES=()      # one PID a line, each a sleeping task

bench_log() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
bench_die() { bench_log "$*"; exit 1; }

bench_need_root() {
    [[ $(id -u) -eq 0 ]] || bench_die "needs root: the daemon subscribes to the proc connector and mounts FUSE; run with sudo"
}

# bench_need COMMAND:PACKAGE...: installs (apt-get) the packages whose command is missing
# (all of them with BENCH_NEED_FORCE set: for a package that is not a command).
bench_need() {
    local missing=() pair
    for pair in "$@"; do
        if [[ -n ${BENCH_NEED_FORCE:-} ]] || ! command -v "${pair%%:*}" >/dev/null; then
            missing+=("${pair#*:}")
        fi
    done
    ((${#missing[@]})) || return 0
    command -v apt-get >/dev/null || bench_die "missing: ${missing[*]}; install them (no apt-get here)"
    bench_log "installing ${missing[*]} (apt-get)"
    local log
    log=$(mktemp /tmp/uprocfs-bench-apt.XXXXXX)
    if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            "${missing[@]}"; } >"$log" 2>&1; then
        tail -20 "$log" >&2
        bench_die "apt-get install ${missing[*]} failed (full output: $log)"
    fi
    rm -f -- "$log"
}

# bench_quiet_check: warns when the machine is busy, and prints the load for the report.
bench_quiet_check() {
    local load busy
    load=$(cut -d' ' -f1 /proc/loadavg)
    busy=$(pgrep -f surefire | wc -l || true)
    if awk -v l="$load" 'BEGIN { exit !(l >= 0.7) }' || ((busy > 0)); then
        bench_log "warning: the machine is not quiet (1-min load $load, $busy surefire JVMs): figures will be noisy"
    fi
    echo "$load"
}

# bench_machine: the machine, as BENCHMARKS.md records it (Markdown).
bench_machine() {
    echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "- nproc: $(nproc); $(lscpu | grep 'Model name' | sed 's/  */ /g')"
    echo "- memory: $(free -g | awk '/^Mem:/ { print $2 " GiB total, " $7 " GiB available" }')"
    echo "- kernel: $(uname -r)"
    echo "- java: $(java -version 2>&1 | head -2 | tail -1)"
    echo "- 1-min load before the run: $(cut -d' ' -f1 /proc/loadavg)"
}

bench_workdir() {
    BENCH_WORK=$(mktemp -d /dev/shm/uprocfs-bench.XXXXXX)
    BENCH_MOUNT="$BENCH_WORK/mnt"
    mkdir "$BENCH_MOUNT"
}

# bench_rules FILE RULES UID: "uid N uid.N" for N in 1..RULES, then "uid UID bench".
bench_rules() {
    awk -v n="$2" -v u="$3" 'BEGIN { for (i = 1; i <= n; i++) print "uid " i " uid." i; print "uid " u " bench" }' >"$1"
}

# bench_spawn COUNT UID: starts COUNT more "sleep" processes with that uid and gid (setpriv),
# each a child of one root shell that waits for them (so that they are reaped, whoever PID 1
# is). Returns once all the sleeps of UID this script started run as "sleep".
BENCH_TASKS=0
bench_spawn() {
    local count=$1 uid=$2 pidfile
    pidfile=$(mktemp "$BENCH_WORK/tasks.XXXXXX")
    BENCH_PIDFILES+=("$pidfile")
    bash -c 'for ((i = 0; i < $1; i++)); do
                 setpriv --reuid="$2" --regid="$2" --clear-groups -- sleep 7200 </dev/null >/dev/null 2>&1 &
                 echo $!
             done; wait' _ "$count" "$uid" >"$pidfile" &
    BENCH_SPAWNERS+=($!)
    BENCH_TASKS=$((BENCH_TASKS + count))
    # setpriv execs sleep, keeping the PID: wait until every one of them has.
    while (($(pgrep -c -u "$uid" -x sleep || true) < BENCH_TASKS)); do
        kill -0 "${BENCH_SPAWNERS[-1]}" 2>/dev/null || bench_die "the task spawner died (ulimit -u? pid_max?)"
        sleep 0.2
    done
}

bench_kill_tasks() {
    local f pid
    # The spawners first, so that none goes on starting tasks while they are killed.
    for pid in "${BENCH_SPAWNERS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for f in "${BENCH_PIDFILES[@]}"; do
        [[ -s $f ]] && xargs -r kill -TERM <"$f" 2>/dev/null || true
    done
    for pid in "${BENCH_SPAWNERS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    BENCH_PIDFILES=()
    BENCH_SPAWNERS=()
    BENCH_TASKS=0
}

# bench_daemon_start CONFIG [JAVA_FLAGS...]: mounts BENCH_MOUNT and returns once it is
# populated (BENCH_UPROC_OPTIONS, when set, adds -o options). With flags, runs the jar with exactly them (as the uproc launcher would), words
# of the form NAME=VALUE going to the environment (MALLOC_ARENA_MAX=2); without, runs the
# launcher. Sets BENCH_DAEMON_PID, and BENCH_STARTUP_MS to the milliseconds
# from launch to populated.
BENCH_STARTUP_MS=""
bench_daemon_start() {
    local config=$1 out t0 t1
    shift
    t0=${EPOCHREALTIME/./}
    if (($#)); then
        local flags=() env=() word
        for word in "$@"; do
            if [[ $word =~ ^[A-Z_][A-Z0-9_]*= ]]; then env+=("$word"); else flags+=("$word"); fi
        done
        out=$(env "${env[@]}" java "${flags[@]}" -jar "$BENCH_ROOT/fuse-frontend/target/uproc.jar" \
            -o "config_file=$config,log_file=$BENCH_WORK/uproc.log" "$BENCH_MOUNT" 2>&1) \
            || bench_die "the daemon did not start: $out (log: $(tail -3 "$BENCH_WORK/uproc.log"))"
    else
        out=$("$BENCH_ROOT/uproc" -o "config_file=$config,log_file=$BENCH_WORK/uproc.log${BENCH_UPROC_OPTIONS:+,$BENCH_UPROC_OPTIONS}" \
            "$BENCH_MOUNT" 2>&1) \
            || bench_die "the daemon did not start: $out"
    fi
    t1=${EPOCHREALTIME/./}
    BENCH_DAEMON_PID=$(sed -n 's/.*daemon pid \([0-9]*\).*/\1/p' <<<"$out")
    [[ -n $BENCH_DAEMON_PID ]] || bench_die "no daemon pid in: $out"
    BENCH_STARTUP_MS=$(((t1 - t0) / 1000))
}

# bench_daemon_stop: unmounts (the daemon's clean stop) and waits for the daemon to exit;
# SIGTERM, then SIGKILL, should it not.
bench_daemon_stop() {
    local pid=$BENCH_DAEMON_PID i
    [[ -n $pid ]] || return 0
    if mountpoint -q "$BENCH_MOUNT"; then
        fusermount -u "$BENCH_MOUNT" 2>/dev/null || fusermount -uz "$BENCH_MOUNT" 2>/dev/null || true
    fi
    for ((i = 0; i < 100; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        ((i == 50)) && kill -TERM "$pid" 2>/dev/null
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid" 2>/dev/null || true
        sleep 0.2
        fusermount -uz "$BENCH_MOUNT" 2>/dev/null || true
    fi
    BENCH_DAEMON_PID=""
}

# bench_build_c NAME: benchmarks/src/main/c/NAME.c, a libfuse 2 program, built here as
# $BENCH_WORK/NAME. Installs gcc, pkg-config and libfuse-dev when missing.
bench_build_c() {
    bench_need gcc:gcc pkg-config:pkg-config
    if ! pkg-config --exists fuse 2>/dev/null; then
        BENCH_NEED_FORCE=1 bench_need libfuse-dev:libfuse-dev
    fi
    # shellcheck disable=SC2046 # pkg-config's flags are words
    gcc -O2 -Wall -o "$BENCH_WORK/$1" "$BENCH_ROOT/benchmarks/src/main/c/$1.c" \
        $(pkg-config --cflags --libs fuse) || bench_die "$1 did not build"
}

# bench_fuse_start MOUNT COMMAND...: runs COMMAND, a libfuse filesystem that serves MOUNT in
# the foreground, and returns once MOUNT is mounted. bench_fuse_stop, which bench_cleanup
# calls, unmounts it and waits for it to end; one at a time.
BENCH_FUSE="" BENCH_FUSE_PID=""
bench_fuse_start() {
    local mnt=$1 name=${2##*/} i
    shift
    mkdir -p "$mnt"
    "$@" </dev/null >/dev/null 2>&1 &
    BENCH_FUSE=$mnt BENCH_FUSE_PID=$!
    for ((i = 0; i < 100; i++)); do
        mountpoint -q "$mnt" && return 0
        kill -0 "$BENCH_FUSE_PID" 2>/dev/null || bench_die "$name exited before mounting"
        sleep 0.05
    done
    bench_die "$name did not mount $mnt within 5 s"
}

bench_fuse_stop() {
    [[ -n $BENCH_FUSE_PID ]] || return 0
    mountpoint -q "$BENCH_FUSE" && { fusermount -u "$BENCH_FUSE" 2>/dev/null || fusermount -uz "$BENCH_FUSE" || true; }
    kill -TERM "$BENCH_FUSE_PID" 2>/dev/null || true
    wait "$BENCH_FUSE_PID" 2>/dev/null || true
    BENCH_FUSE_PID=""
}

# bench_floorfs_start CONTENT: the FUSE floor (benchmarks/src/main/c/floorfs.c) mounted on
# BENCH_FLOOR with the options uprocfs mounts with, serving CONTENT's bytes as
# BENCH_FLOOR/bench. Stopped with bench_fuse_stop.
BENCH_FLOOR=""
bench_floorfs_start() {
    bench_build_c floorfs
    BENCH_FLOOR="$BENCH_WORK/floor"
    bench_fuse_start "$BENCH_FLOOR" "$BENCH_WORK/floorfs" "$1" "$BENCH_FLOOR" -f \
        -o fsname=floorfs,direct_io,entry_timeout=3600,attr_timeout=0,negative_timeout=0
}

bench_cleanup() {
    trap - EXIT INT TERM
    bench_fuse_stop
    bench_daemon_stop
    bench_kill_tasks
    if [[ -n $BENCH_WORK ]]; then
        if [[ -n $BENCH_MOUNT ]] && mountpoint -q "$BENCH_MOUNT"; then fusermount -uz "$BENCH_MOUNT" || true; fi
        rm -rf -- "$BENCH_WORK"
    fi
}

# bench_trap: cleanup on any exit; INT and TERM exit with 130/143 after cleaning up.
bench_trap() {
    trap bench_cleanup EXIT
    trap 'bench_cleanup; exit 130' INT
    trap 'bench_cleanup; exit 143' TERM
}

# bench_wait_count FILE N: waits (up to 30 s) until FILE has N lines, i.e. the daemon has
# caught up with the tasks just started or stopped.
bench_wait_count() {
    local i
    for ((i = 0; i < 300; i++)); do
        (($(wc -l <"$1") == $2)) && return 0
        sleep 0.1
    done
    bench_die "$1 has $(wc -l <"$1") lines, expected $2"
}

# bench_warm_daemon FILE N: reads FILE N times, so that the daemon's filesystem code is
# compiled, as in a daemon that has been up a while, before anything is timed. (Freshly
# started, its first few hundred requests run in the interpreter: a wc -l then takes about
# twice as long.)
bench_warm_daemon() {
    local i
    for ((i = 0; i < $2; i++)); do cat -- "$1" >/dev/null; done
}

# bench_alternate ROUNDS WARMUP NAME...: runs the shell functions NAME... one after the
# other, ROUNDS times, rotating which goes first, and appends each one's wall time in
# microseconds (fork and exec included, as `time` counts them) to $BENCH_WORK/NAME.us.
# The first WARMUP rounds are not recorded.
bench_alternate() {
    local rounds=$1 warmup=$2 r i n t0 t1 name
    shift 2
    local names=("$@")
    n=${#names[@]}
    for name in "${names[@]}"; do : >"$BENCH_WORK/$name.us"; done
    for ((r = 0; r < warmup + rounds; r++)); do
        for ((i = 0; i < n; i++)); do
            name=${names[(r + i) % n]}
            t0=${EPOCHREALTIME/./}
            # A contender's status is not its time: grep fails when a process exits mid-scan.
            "$name" >/dev/null || true
            t1=${EPOCHREALTIME/./}
            ((r < warmup)) || echo $((t1 - t0)) >>"$BENCH_WORK/$name.us"
        done
    done
}

# bench_stats FILE: "median p10 p90 min max n" of the numbers in FILE, one a line
# (nearest-rank percentiles; the median of an even count is the mean of the middle two).
bench_stats() {
    sort -n "$1" | awk '{ v[NR] = $1 }
        function rank(p) { r = int(p * NR + 0.999999); return v[r < 1 ? 1 : r] }
        END {
            if (NR == 0) { print "nan nan nan nan nan 0"; exit }
            m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
            print m, rank(0.10), rank(0.90), v[1], v[NR], NR
        }'
}

# bench_ms MICROSECONDS: milliseconds with two decimals.
bench_ms() { awk -v u="$1" 'BEGIN { printf "%.2f", u / 1000 }'; }

# bench_ratio A B: A / B with the precision that reads well.
bench_ratio() { awk -v a="$1" -v b="$2" 'BEGIN { r = a / b; printf (r >= 10 ? "%.0f" : "%.2f"), r }'; }
