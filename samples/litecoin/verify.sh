#!/bin/sh
# The verifiable VM shown on a real blockchain node (docs/snapshots.md, docs/determinism.md): Debian's litecoind and
# litecoin-cli in regtest mode, in one x86vm on its private loopback network (regtest.sh: two wallets, 102 blocks
# mined, one transaction, balances, stop).
#   1. run twice with --deterministic: the same output bytes and the same state hash;
#   2. run a third time, stopped and saved halfway (--snapshot-at), resumed in a fresh x86vm process: the same output
#      and state hash again;
#   3. x86vm inspect on the halfway snapshot.
# Needs: apt-get install litecoind. Takes a few minutes (about 3 per run on a 2-core machine). Status 0 when all match.
#
#   samples/litecoin/verify.sh [WORKDIR]     (default: a new directory under /tmp; X86VM overrides "<repo>/x86vm")
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
X86VM=${X86VM:-$HERE/../../x86vm}
WORK=${1:-$(mktemp -d /tmp/x86vm-litecoin.XXXXXX)}
mkdir -p "$WORK"
[ -x /usr/lib/litecoin/litecoind ] || { echo "litecoind is not installed (apt-get install litecoind)"; exit 2; }
# The guest's /tmp is its own in-memory file system: the node's data directory lives there, inside the VM. The VM runs
# in an empty directory of its own, which the default view mounts read-write at its host path: not the host's /tmp
# (that mount would hide the VM's /tmp, and a host file the node keeps open for writing makes snapshots refuse), and
# not $WORK, whose files this script writes while the VM runs (the working directory's contents are inputs: with the
# script's output files growing in it, two runs gave different keys).
mkdir -p "$WORK/cwd" && cd "$WORK/cwd" || exit 2
run() { "$X86VM" "$@"; }
guest="--mount $HERE:/sample:ro /bin/sh /sample/regtest.sh /tmp/litecoin"
hash() { sed -n 's/^x86vm: state hash \([0-9a-f]*\).*/\1/p' "$1"; }

start=$(date +%s)
run run --deterministic --state-hash --stats $guest > "$WORK/1.out" 2> "$WORK/1.err"; s1=$?
mid=$(date +%s)
run run --deterministic --state-hash $guest > "$WORK/2.out" 2> "$WORK/2.err"; s2=$?
end=$(date +%s)
units=$(sed -n 's/.*; \([0-9]*\) units metered in the whole VM.*/\1/p' "$WORK/1.err")
half=$((units / 2))
run run --deterministic --snapshot "$WORK/half.snap" --snapshot-at "$half" $guest > "$WORK/3a.out" 2> "$WORK/3a.err"; s3a=$?
run inspect "$WORK/half.snap" > "$WORK/half.inspect" 2>&1
run resume --state-hash "$WORK/half.snap" > "$WORK/3b.out" 2> "$WORK/3b.err"; s3b=$?
cat "$WORK/3a.out" "$WORK/3b.out" > "$WORK/3.out"

cat "$WORK/1.out"
echo "--- run 1: status $s1, $(hash "$WORK/1.err"), $units units, $((mid - start)) s"
echo "--- run 2: status $s2, $(hash "$WORK/2.err"), $((end - mid)) s"
echo "--- run 3: saved at $half units (status $s3a, $(stat -c %s "$WORK/half.snap" 2>/dev/null) bytes), resumed: status $s3b, $(hash "$WORK/3b.err")"
grep -E '^(process|  thread)' "$WORK/half.inspect" | head -20
ok=0
[ "$s1" = 0 ] && [ "$s2" = 0 ] && [ "$s3a" = 121 ] && [ "$s3b" = 0 ] || { echo "FAIL: statuses"; ok=1; }
cmp -s "$WORK/1.out" "$WORK/2.out" && cmp -s "$WORK/1.out" "$WORK/3.out" || { echo "FAIL: outputs differ (in $WORK)"; ok=1; }
[ -n "$(hash "$WORK/1.err")" ] && [ "$(hash "$WORK/1.err")" = "$(hash "$WORK/2.err")" ] && [ "$(hash "$WORK/1.err")" = "$(hash "$WORK/3b.err")" ] ||
    { echo "FAIL: state hashes differ"; ok=1; }
[ $ok = 0 ] && echo "PASS: two runs and a run saved halfway and resumed print the same bytes and end with the same state hash"
exit $ok
