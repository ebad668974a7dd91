# bench: process creation in busybox sh (run as: /bin/busybox sh spawn.sh SCALE).
# Each iteration forks and execs short-lived processes: /bin/busybox true,
# expr in a command substitution, echo in a subshell, and a two-stage pipe.
# 300 iterations at scale 100 (about 1200 processes). Measures fork + exec +
# exit + wait; the work each process does is negligible.
scale=${1:-100}
[ "$scale" -ge 1 ] 2>/dev/null || scale=1
n=$((3 * scale))
bb=/bin/busybox
i=0
sum=0
while [ "$i" -lt "$n" ]; do
    $bb true
    v=$($bb expr "$i" \* 3 + 1)
    w=$(echo "$v")
    c=$(echo "$i" | $bb wc -c)
    sum=$((sum + w + c))
    i=$((i + 1))
done
echo "iterations $n sum $sum"
