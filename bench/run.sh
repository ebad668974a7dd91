#!/usr/bin/env bash
# Benchmark: native vs qemu-x86_64 vs x86vm on CPU-bound integer workloads.
#
#   bench/run.sh [--quick] [--timeout SECONDS] [--runs N] [--no-qemu] [--no-x86vm]
#                [WORKLOAD...]
#
#   --quick         run with smaller inputs (scale 3% instead of 100%)
#   --scale P       run with inputs scaled to P percent
#   --timeout S     per-run wall-clock limit in seconds (default 600)
#   --runs N        run each configuration N times and keep the fastest (default 1)
#   --no-qemu       skip qemu-x86_64 even if it is installed
#   --no-x86vm      skip x86vm
#   WORKLOAD        names from bench/programs/*.c (default: all)
#
# Env: X86VM   command that runs a static binary under the emulator
#              (default: "$(dirname "$0")/../x86vm run"); extra words are allowed.
#      CC      compiler (default: musl-gcc, falling back to gcc -static)
#
# Each workload is built with `$CC -O2 -static` into bench/out/. The native
# output is the reference: a qemu/x86vm run whose stdout or exit status differs
# is reported as FAILED (or TIMEOUT), never aborting the whole run. Exit status
# is 1 if any run failed, else 0.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$HERE/out
SCALE=100
TIMEOUT=600
RUNS=1
USE_QEMU=1
USE_VM=1
WORKLOADS=()

while [ $# -gt 0 ]; do
    case $1 in
        --quick) SCALE=3 ;;
        --scale) SCALE=$2; shift ;;
        --timeout) TIMEOUT=$2; shift ;;
        --runs) RUNS=$2; shift ;;
        --no-qemu) USE_QEMU=0 ;;
        --no-x86vm) USE_VM=0 ;;
        -h | --help) sed -n '2,23p' "$0"; exit 0 ;;
        -*) echo "unknown option $1" >&2; exit 2 ;;
        *) WORKLOADS+=("$1") ;;
    esac
    shift
done

if [ ${#WORKLOADS[@]} -eq 0 ]; then
    for f in "$HERE"/programs/*.c; do
        WORKLOADS+=("$(basename "$f" .c)")
    done
fi

# ---- build ----
if [ -n "${CC:-}" ]; then
    read -r -a CCCMD <<<"$CC"
elif command -v musl-gcc >/dev/null 2>&1; then
    CCCMD=(musl-gcc)
else
    echo "note: musl-gcc not found, building with gcc (glibc static)" >&2
    CCCMD=(gcc)
fi
mkdir -p "$OUT"
for w in "${WORKLOADS[@]}"; do
    src=$HERE/programs/$w.c
    if [ ! -f "$src" ]; then
        echo "no such workload: $w" >&2
        exit 2
    fi
    if [ ! -x "$OUT/$w" ] || [ "$src" -nt "$OUT/$w" ]; then
        "${CCCMD[@]}" -O2 -static -o "$OUT/$w" "$src" || { echo "build of $w failed" >&2; exit 1; }
    fi
done

# ---- runners ----
QEMU=()
if [ "$USE_QEMU" = 1 ]; then
    if command -v qemu-x86_64 >/dev/null 2>&1; then
        QEMU=(qemu-x86_64)
    else
        echo "note: qemu-x86_64 not installed, skipping it" >&2
    fi
fi
VM=()
if [ "$USE_VM" = 1 ]; then
    read -r -a VM <<<"${X86VM:-$HERE/../x86vm run}"
    if ! command -v "${VM[0]}" >/dev/null 2>&1; then
        echo "note: x86vm command '${VM[0]}' not found (set X86VM), skipping it" >&2
        VM=()
    fi
fi

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

now() { date +%s.%N; }

# run_timed LABEL CMD... -> prints seconds (fastest of RUNS) or FAILED/TIMEOUT;
# stdout of the last run is in $TMP/LABEL.out, exit status in $TMP/LABEL.rc
run_timed() {
    local label=$1 best="" t0 t1 rc r
    shift
    for ((r = 0; r < RUNS; r++)); do
        t0=$(now)
        timeout "$TIMEOUT" "$@" >"$TMP/$label.out" 2>"$TMP/$label.err" </dev/null
        rc=$?
        t1=$(now)
        echo "$rc" >"$TMP/$label.rc"
        if [ "$rc" = 124 ]; then
            echo TIMEOUT
            return
        fi
        best=$(awk -v a="$t0" -v b="$t1" -v best="$best" \
            'BEGIN { d = b - a; if (best == "" || d < best) best = d; printf "%.3f", best }')
    done
    echo "$best"
}

# same_as_native LABEL -> 0 if stdout and exit status match the native run
same_as_native() {
    cmp -s "$TMP/native.out" "$TMP/$1.out" && cmp -s "$TMP/native.rc" "$TMP/$1.rc"
}

ratio() { # a b -> a/b or -
    case "$1$2" in
        *[!0-9.]*) echo "-" ;;
        *) awk -v a="$1" -v b="$2" 'BEGIN { if (b <= 0) b = 0.001; printf "%.1fx", a / b }' ;;
    esac
}

failed=0
printf '%-10s %10s %10s %10s %12s %12s\n' workload "native s" "qemu s" "x86vm s" qemu/native x86vm/native
printf '%-10s %10s %10s %10s %12s %12s\n' -------- -------- ------ ------- ----------- ------------
for w in "${WORKLOADS[@]}"; do
    bin=$OUT/$w
    tn=$(run_timed native "$bin" "$SCALE")
    if [ "$(cat "$TMP/native.rc")" != 0 ]; then
        echo "$w: native run failed (status $(cat "$TMP/native.rc"))" >&2
        failed=1
        printf '%-10s %10s\n' "$w" FAILED
        continue
    fi
    tq="-"
    if [ ${#QEMU[@]} -gt 0 ]; then
        tq=$(run_timed qemu "${QEMU[@]}" "$bin" "$SCALE")
        if [ "$tq" != TIMEOUT ] && ! same_as_native qemu; then
            tq=FAILED
        fi
        [ "$tq" = FAILED ] || [ "$tq" = TIMEOUT ] && failed=1
    fi
    tv="-"
    if [ ${#VM[@]} -gt 0 ]; then
        tv=$(run_timed x86vm "${VM[@]}" "$bin" "$SCALE")
        if [ "$tv" != TIMEOUT ] && ! same_as_native x86vm; then
            tv=FAILED
            {
                echo "$w: x86vm output differs from native (status $(cat "$TMP/x86vm.rc"), native 0)"
                diff "$TMP/native.out" "$TMP/x86vm.out" | head -5
                head -c 500 "$TMP/x86vm.err"
            } >"$TMP/$w.why"
        fi
        [ "$tv" = FAILED ] || [ "$tv" = TIMEOUT ] && failed=1
    fi
    printf '%-10s %10s %10s %10s %12s %12s\n' "$w" "$tn" "$tq" "$tv" "$(ratio "$tq" "$tn")" "$(ratio "$tv" "$tn")"
done
echo "(scale ${SCALE}%, timeout ${TIMEOUT}s, best of $RUNS run(s), built with ${CCCMD[*]} -O2 -static)"
for f in "$TMP"/*.why; do
    [ -e "$f" ] && cat "$f" >&2
done
exit "$failed"
