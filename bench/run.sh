#!/usr/bin/env bash
# Benchmarks: each workload natively, under qemu-x86_64 and under x86vm with
# --jit off and --jit on, in one run. See bench/README.md.
#
#   bench/run.sh [--quick] [--scale P] [--runs N] [--timeout S] [--no-qemu]
#                [--no-x86vm] [--tiers interp,jit] [--startup-runs N] [--out DIR]
#                [--quiet] [WORKLOAD...]
#
#   --quick         small inputs (--scale 3): seconds natively, minutes in all
#   --scale P       input size in percent (default 100)
#   --runs N        runs per configuration, medians reported (default 3)
#   --timeout S     per-run wall-clock limit in seconds (default 600)
#   --no-qemu       skip qemu-x86_64 (also skipped when it is not installed)
#   --no-x86vm      skip x86vm
#   --tiers LIST    x86vm tiers, comma-separated: interp (--jit off), jit (--jit on)
#   --startup-runs N  runs for the startup programs (default max(N, 5))
#   --out DIR       where results.json, ratios.svg, logs and builds go (default bench/out)
#   WORKLOAD        crypto interp sieve fpsse python3 sqlite3 shell-pipeline spawn gcc
#                   hello-static hello-dynamic, or startup (= both hellos); default all
#
# Env: X86VM  command that runs a program under x86vm (default "<repo>/x86vm run");
#             the runner appends --jit off|on and the program.
#      CC     compiler for the static C programs (default musl-gcc, else gcc)
#
# Prints a table on stdout, writes bench/out/results.json and bench/out/ratios.svg.
# Exit status 1 when a run FAILED or hit the TIMEOUT (the other workloads still run).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
if [ -x /usr/bin/python3 ]; then PY=/usr/bin/python3; else PY=python3; fi
exec "$PY" "$HERE/runner.py" "$@"
