#!/usr/bin/env bash
# Differential check of the test programs.
#
#   check.sh OUTDIR                 native only: every binary must be
#                                   deterministic (two runs agree), exit with
#                                   the status from cases.txt, and all build
#                                   variants of a program must print the same
#                                   stdout and exit status.
#   check.sh OUTDIR RUNNER [ARGS..] additionally run every binary as
#                                   `RUNNER ARGS.. BINARY PROGARGS..` (e.g.
#                                   qemu-x86_64, or "x86vm run") and require
#                                   stdout and exit status to match the native
#                                   run byte for byte.
#
# OUTDIR is what build.sh produced. Env: TIMEOUT (seconds per run, default 120).
# Ends with the line "N passed, N failed".
set -u

if [ $# -lt 1 ]; then
    echo "usage: $0 OUTDIR [RUNNER [ARGS...]]" >&2
    exit 2
fi
SRCDIR=$(cd "$(dirname "$0")" && pwd)
OUTDIR=$1
shift
RUNNER=("$@")
TIMEOUT=${TIMEOUT:-120}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

pass=0
fail=0

# Read cases.txt into CASE_EXIT[name], CASE_STDIN[name] and $TMP/args.<name>.
declare -A CASE_EXIT CASE_STDIN
while IFS= read -r line; do
    case $line in '#'* | '') continue ;; esac
    # Parse by hand: `read` would merge adjacent tabs and drop empty args.
    name=${line%%$'\t'*}
    rest=${line#*$'\t'}
    CASE_EXIT[$name]=${rest%%$'\t'*}
    rest=${rest#*$'\t'}
    if [ "$rest" = "${rest#*$'\t'}" ]; then
        CASE_STDIN[$name]=$rest
        rest=""
        : >"$TMP/args.$name"
    else
        CASE_STDIN[$name]=${rest%%$'\t'*}
        rest=${rest#*$'\t'}
        # one argument per NUL-terminated record
        printf '%s' "$rest" | tr '\t' '\0' >"$TMP/args.$name"
        printf '\0' >>"$TMP/args.$name"
    fi
done <"$SRCDIR/cases.txt"

run_one() { # out_prefix binary name [runner...]
    local prefix=$1 bin=$2 name=$3
    shift 3
    local stdin=/dev/null args=()
    if [ -n "${CASE_STDIN[$name]+x}" ] && [ "${CASE_STDIN[$name]}" != "-" ]; then
        stdin=$SRCDIR/${CASE_STDIN[$name]}
    fi
    if [ -s "$TMP/args.$name" ]; then
        mapfile -d '' -t args <"$TMP/args.$name"
    fi
    timeout "$TIMEOUT" "$@" "$bin" "${args[@]+"${args[@]}"}" <"$stdin" >"$prefix.out" 2>"$prefix.err"
    echo $? >"$prefix.rc"
}

report() { # ok(0/1) label message
    if [ "$1" = 0 ]; then
        pass=$((pass + 1))
        echo "PASS $2"
    else
        fail=$((fail + 1))
        echo "FAIL $2: $3"
    fi
}

for src in "$SRCDIR"/*.c; do
    name=$(basename "$src" .c)
    want=${CASE_EXIT[$name]:-0}
    first=""
    for bin in "$OUTDIR/$name".*; do
        [ -x "$bin" ] || continue
        case $bin in *.tmp) continue ;; esac
        v=${bin##*/}
        p="$TMP/$v"
        run_one "$p.n1" "$bin" "$name"
        if [ ${#RUNNER[@]} -eq 0 ]; then
            run_one "$p.n2" "$bin" "$name"
            msg=""
            if ! cmp -s "$p.n1.out" "$p.n2.out" || ! cmp -s "$p.n1.rc" "$p.n2.rc"; then
                msg="not deterministic"
            elif [ "$want" != any ] && [ "$(cat "$p.n1.rc")" != "$want" ]; then
                msg="exit status $(cat "$p.n1.rc"), expected $want"
            elif grep -q '^FAIL' "$p.n1.out"; then
                msg="self-check failed: $(grep -m1 '^FAIL' "$p.n1.out")"
            elif [ -n "$first" ] && { ! cmp -s "$first.out" "$p.n1.out" || ! cmp -s "$first.rc" "$p.n1.rc"; }; then
                msg="differs from ${first##*/}"
            fi
            [ -z "$first" ] && first="$p.n1"
            report "$([ -z "$msg" ] && echo 0 || echo 1)" "$v" "$msg"
        else
            run_one "$p.vm" "$bin" "$name" "${RUNNER[@]}"
            msg=""
            if ! cmp -s "$p.n1.rc" "$p.vm.rc"; then
                msg="exit status $(cat "$p.vm.rc"), native $(cat "$p.n1.rc")"
            fi
            if ! cmp -s "$p.n1.out" "$p.vm.out"; then
                msg="${msg:+$msg; }stdout differs from native ($(wc -c <"$p.vm.out") vs $(wc -c <"$p.n1.out") bytes; first difference: $(cmp "$p.n1.out" "$p.vm.out" 2>&1 | head -1))"
            fi
            if [ -n "$msg" ] && [ -s "$p.vm.err" ]; then
                msg="$msg; stderr: $(head -c 300 "$p.vm.err" | tr '\n' ' ')"
            fi
            report "$([ -z "$msg" ] && echo 0 || echo 1)" "$v" "$msg"
        fi
    done
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
