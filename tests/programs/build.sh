#!/usr/bin/env bash
# Build every tests/programs/*.c with each available toolchain.
#
#   build.sh OUTDIR
#
# Produces OUTDIR/<name>.<variant> for variant in:
#   gcc-O0      gcc -O0 -static            (glibc, non-PIE)
#   gcc-O2      gcc -O2 -static            (glibc, non-PIE)
#   gcc-O2-pie  gcc -O2 -static-pie        (glibc, static PIE: self-relocating)
#   musl-O2     musl-gcc -O2 -static       (musl)
# A program whose first line is "/* cflags: FLAGS */" is built with FLAGS added (after the variant's own).
# A toolchain that is missing (or cannot link statically) is skipped with a
# message. A binary is only rebuilt when its source (or this script) is newer.
# Prints a single summary line on success. Env: JOBS (default: nproc).
set -u

if [ $# -ne 1 ]; then
    echo "usage: $0 OUTDIR" >&2
    exit 2
fi

SRCDIR=$(cd "$(dirname "$0")" && pwd)
OUTDIR=$1
mkdir -p "$OUTDIR" || exit 1
OUTDIR=$(cd "$OUTDIR" && pwd)
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
WARN="-Wall -Wextra"

VARIANTS=(gcc-O0 gcc-O2 gcc-O2-pie musl-O2)

compiler_cmd() {
    case $1 in
        gcc-O0)     echo "gcc -O0 -static $WARN" ;;
        gcc-O2)     echo "gcc -O2 -static $WARN" ;;
        gcc-O2-pie) echo "gcc -O2 -fPIE -static-pie $WARN" ;;
        musl-O2)    echo "musl-gcc -O2 -static $WARN" ;;
    esac
}

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# Probe each toolchain with a trivial program.
printf '#include <stdio.h>\nint main(void){puts("ok");return 0;}\n' > "$TMP/probe.c"
AVAILABLE=()
SKIPPED=()
for v in "${VARIANTS[@]}"; do
    cmd=$(compiler_cmd "$v")
    cc=${cmd%% *}
    if ! command -v "$cc" >/dev/null 2>&1; then
        echo "build.sh: skipping $v: $cc not installed" >&2
        SKIPPED+=("$v")
        continue
    fi
    if ! $cmd "$TMP/probe.c" -o "$TMP/probe.$v" >"$TMP/probe.$v.log" 2>&1; then
        echo "build.sh: skipping $v: '$cmd' cannot build a static binary:" >&2
        sed 's/^/    /' "$TMP/probe.$v.log" | head -5 >&2
        SKIPPED+=("$v")
        continue
    fi
    AVAILABLE+=("$v")
done

# Collect the jobs that need (re)building.
JOBLIST=()
UPTODATE=0
for src in "$SRCDIR"/*.c; do
    name=$(basename "$src" .c)
    for v in "${AVAILABLE[@]}"; do
        out="$OUTDIR/$name.$v"
        if [ -x "$out" ] && [ "$out" -nt "$src" ] && [ "$out" -nt "$SRCDIR/build.sh" ]; then
            UPTODATE=$((UPTODATE + 1))
        else
            JOBLIST+=("$src|$v")
        fi
    done
done

build_one() {
    local src=${1%|*} v=${1#*|}
    local name out cmd
    name=$(basename "$src" .c)
    out="$OUTDIR/$name.$v"
    cmd="$(compiler_cmd "$v") $(sed -n '1s|^/\* cflags: \(.*\) \*/$|\1|p' "$src")"
    if $cmd "$src" -o "$out.tmp" -lm >"$TMP/$name.$v.log" 2>&1; then
        mv -f "$out.tmp" "$out"
        if [ -s "$TMP/$name.$v.log" ]; then
            echo "build.sh: warnings for $name.$v ($cmd):" >&2
            cat "$TMP/$name.$v.log" >&2
        fi
        return 0
    fi
    rm -f "$out.tmp"
    echo "build.sh: FAILED $name.$v ($cmd):" >&2
    cat "$TMP/$name.$v.log" >&2
    return 1
}

FAILED=0
running=0
pids=()
for job in "${JOBLIST[@]+"${JOBLIST[@]}"}"; do
    build_one "$job" &
    pids+=($!)
    running=$((running + 1))
    if [ "$running" -ge "$JOBS" ]; then
        wait "${pids[0]}" || FAILED=$((FAILED + 1))
        pids=("${pids[@]:1}")
        running=$((running - 1))
    fi
done
for p in "${pids[@]+"${pids[@]}"}"; do
    wait "$p" || FAILED=$((FAILED + 1))
done

BUILT=$((${#JOBLIST[@]} - FAILED))
skipped_txt=""
if [ ${#SKIPPED[@]} -gt 0 ]; then
    skipped_txt=", skipped toolchains: ${SKIPPED[*]}"
fi
echo "build.sh: $BUILT built, $UPTODATE up to date, $FAILED failed, variants: ${AVAILABLE[*]:-none}$skipped_txt -> $OUTDIR"
[ "$FAILED" -eq 0 ]
