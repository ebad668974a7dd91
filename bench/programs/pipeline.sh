# bench: a text pipeline in busybox sh (run as: /bin/busybox sh pipeline.sh SCALE).
# Generates pseudo-random words with seq and awk, then sort, uniq -c, sed, grep,
# tr, cut and wc over them. Every command is a busybox applet, called through
# `busybox NAME`, so the run does not depend on what else is on PATH.
# Deterministic; prints counts and a few lines of each stage.
scale=${1:-100}
[ "$scale" -ge 1 ] 2>/dev/null || scale=1
n=$((60 * scale))
bb=/bin/busybox
export LC_ALL=C

gen() {
    $bb seq 1 "$n" | $bb awk '
        BEGIN { split("ka lo mi ne ru ta so vi", s, " "); x = 12345 }
        {
            x = (x * 69069 + 1) % 4294967296
            w = s[int(x / 16777216) % 8 + 1] s[int(x / 2097152) % 8 + 1] s[int(x / 524288) % 4 + 1]
            print w, $1 % 97, int(x / 1024) % 1000
        }'
}

echo "lines: $(gen | $bb wc -l)"
echo "top words:"
gen | $bb cut -d' ' -f1 | $bb sort | $bb uniq -c | $bb sort -k1,1nr -k2,2 | $bb head -n 5
echo "groups:"
gen | $bb awk '{ s[$2] += $3 } END { for (g in s) print g, s[g] }' | $bb sort -n | $bb tail -n 3
echo "sed+grep:"
gen | $bb sed -e 's/\([a-z]*\) \([0-9]*\) \([0-9]*\)/\3:\1:\2/' -e 's/ka/KA/g' \
    | $bb grep -E '^[0-9]+:KA' | $bb sort -t: -k1,1n -k2,2 | $bb tr ':' ' ' | $bb tail -n 2
echo "grep -c: $(gen | $bb grep -c 'mi.*ru')"
echo "unique lines: $(gen | $bb sort -u | $bb wc -l)"
