#!/usr/bin/env bash
# Runs every x86vm test (unit, instruction-oracle, differential program and CLI tests).
# Installs the toolchains and reference programs it needs when they are missing.
# Ends with the line "N passed, M failed"; exits non-zero when anything failed.
set -u
cd "$(dirname "$0")"

missing=()
command -v gcc >/dev/null || missing+=(gcc)
command -v musl-gcc >/dev/null || missing+=(musl-tools)
command -v qemu-x86_64 >/dev/null || missing+=(qemu-user)
[ -x /bin/busybox ] || missing+=(busybox-static)
[ -e /usr/lib/gcc/x86_64-linux-gnu/12/32/libgcc.a ] || missing+=(gcc-multilib g++-multilib)
[ -e /usr/lib/x86_64-linux-gnu/libc.a ] || missing+=(libc6-dev)
if [ ${#missing[@]} -gt 0 ]; then
  echo "test.sh: installing ${missing[*]}"
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null \
    || echo "test.sh: could not install ${missing[*]}; tests needing them will fail"
fi

results=.cache/test-results
rm -rf "$results"
if ! dotnet build X86Vm.slnx -c Release -v q --nologo; then
  echo "0 passed, 1 failed"
  exit 1
fi
dotnet test tests/X86Vm.Tests -c Release --no-build --nologo \
  --logger "trx;LogFileName=results.trx" --logger "console;verbosity=minimal" --results-directory "$results"
status=$?

trx="$results/results.trx"
if [ -f "$trx" ]; then
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  passed=$(echo "$counters" | sed -n 's/.* passed="\([0-9]*\)".*/\1/p')
  failed=$(echo "$counters" | sed -n 's/.* failed="\([0-9]*\)".*/\1/p')
  echo "${passed:-0} passed, ${failed:-0} failed"
else
  echo "0 passed, 1 failed"
  status=1
fi
exit $status
