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
command -v sqlite3 >/dev/null || missing+=(sqlite3)
[ -x /usr/bin/python3 ] || missing+=(python3)
command -v gdb >/dev/null || missing+=(gdb)
command -v make >/dev/null || missing+=(make)
command -v g++ >/dev/null || missing+=(g++)
[ -e /usr/lib/gcc/x86_64-linux-gnu/12/32/libgcc.a ] || missing+=(gcc-multilib g++-multilib)
[ -e /usr/lib/x86_64-linux-gnu/libc.a ] || missing+=(libc6-dev)
# Runtime tests: the machine's rustc (PATH or rustup's ~/.cargo/bin), else Debian's; Debian's Go.
command -v rustc >/dev/null || [ -x "${HOME:-/root}/.cargo/bin/rustc" ] || missing+=(rustc)
command -v go >/dev/null || [ -x /usr/lib/go/bin/go ] || missing+=(golang-go)
# The fleet's status page is tested in a real headless browser.
command -v chromium >/dev/null || missing+=(chromium)
# The fleet's PostgreSQL test starts a throwaway cluster with initdb and pg_ctl (PATH, or Debian's /usr/lib/postgresql/*/bin).
command -v initdb >/dev/null || compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
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

# Host independence: floating-point results must not depend on the host's SIMD support, so the
# floating-point instruction tests and the floating-point programs run again with intrinsics disabled.
DOTNET_EnableHWIntrinsic=0 dotnet test tests/X86Vm.Tests -c Release --no-build --nologo \
  --filter "FullyQualifiedName~SseFp|FullyQualifiedName~X87|FullyQualifiedName~SoftFloat|FullyQualifiedName~SseOracle|DisplayName~float" \
  --logger "trx;LogFileName=no-intrinsics.trx" --logger "console;verbosity=minimal" --results-directory "$results" || status=1

# Both execution tiers: the program and CPU tests again with every block compiled from its second run
# (X86VM_TEST_JIT=eager; the run above interprets short programs and compiles only hot code). The large real
# programs are left out here: compiling every block of python or gcc synchronously would take minutes.
X86VM_TEST_JIT=eager dotnet test tests/X86Vm.Tests -c Release --no-build --nologo \
  --filter "FullyQualifiedName~DifferentialProgramTests|FullyQualifiedName~I386ProgramTests|FullyQualifiedName~SignalTests|FullyQualifiedName~EventTests|FullyQualifiedName~CodeModificationTests|FullyQualifiedName~FaultTests|FullyQualifiedName~DynamicProgramTests|FullyQualifiedName~X86Vm.Tests.Cpu" \
  --logger "trx;LogFileName=jit-eager.trx" --logger "console;verbosity=minimal" --results-directory "$results" || status=1

# The fleet (docs/fleet.md): Orleans test clusters in-process, silo processes of the x86vm command, and two silo
# processes on a throwaway PostgreSQL cluster (initdb/pg_ctl in a temporary directory, as nobody when root).
dotnet test tests/X86Vm.Fleet.Tests -c Release --no-build --nologo \
  --logger "trx;LogFileName=fleet.trx" --logger "console;verbosity=minimal" --results-directory "$results" || status=1

passed=0; failed=0
for trx in "$results/results.trx" "$results/no-intrinsics.trx" "$results/jit-eager.trx" "$results/fleet.trx"; do
  if [ ! -f "$trx" ]; then failed=$((failed + 1)); status=1; continue; fi
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  p=$(echo "$counters" | sed -n 's/.* passed="\([0-9]*\)".*/\1/p')
  f=$(echo "$counters" | sed -n 's/.* failed="\([0-9]*\)".*/\1/p')
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
done
echo "$passed passed, $failed failed"
exit $status
