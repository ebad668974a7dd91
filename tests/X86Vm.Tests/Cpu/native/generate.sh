#!/bin/sh
# Regenerates the native test vectors (shift.txt, bits.txt, muldiv.txt) by running every form of
# forms_*.S on this machine's CPU. The committed files come from the reference host, an AMD EPYC
# (family 25, Zen 3); on another CPU the undefined flags may differ (docs/undefined-behaviour.md).
set -e
cd "$(dirname "$0")"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for family in shift bits muldiv; do
    gcc -O1 -no-pie -Wall -o "$out/gen_$family" harness.c "forms_$family.S"
    "$out/gen_$family" > "$family.txt"
    echo "$family.txt: $(grep -c '^F ' "$family.txt") forms, $(grep -vc '^F ' "$family.txt") rows"
done
