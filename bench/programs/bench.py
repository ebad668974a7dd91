# bench: CPU-bound pure Python (run by Debian's /usr/bin/python3).
# Integer arithmetic, dicts, strings, lists, sorting and a small class-based
# interpreter loop. Deterministic: nothing depends on hash randomisation (dict
# order is insertion order, sets are only sized or sorted), and the output is
# integers and strings only.
# Usage: python3 bench.py [scale-percent] (default 100).
import sys

scale = int(sys.argv[1]) if len(sys.argv) > 1 else 100
scale = max(scale, 1)


def lcg_ints(n, seed=12345):
    x = seed
    out = []
    for _ in range(n):
        x = (x * 6364136223846793005 + 1442695040888963407) & 0xFFFFFFFFFFFFFFFF
        out.append(x >> 33)
    return out


def arith(n):
    acc = 0
    a, b = 1, 1
    for i in range(n):
        a, b = b, (a + b) % 1000000007
        acc = (acc * 31 + (b ^ i)) & 0xFFFFFFFF
        if i % 7 == 3:
            acc += i * i // 3
    big = 1
    for i in range(1, 200 + n // 2000):
        big *= i
    return acc, big % 998244353


def words(n):
    vals = lcg_ints(n, 777)
    syll = ["ka", "lo", "mi", "ne", "ru", "ta", "so", "vi"]
    counts = {}
    for v in vals:
        w = syll[v & 7] + syll[(v >> 3) & 7] + syll[(v >> 6) & 3]
        counts[w] = counts.get(w, 0) + 1
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
    text = " ".join(syll[v % 8] for v in vals[: n // 4])
    upper = text.upper().replace("KA", "ka").split(" ")
    joined = ",".join(upper[::3])
    return len(counts), top, len(joined), joined.count("ka")


def sorting(n):
    vals = lcg_ints(n, 4242)
    s = sorted(vals)
    pairs = sorted(((v % 1000, -v) for v in vals))
    uniq = len(set(v % 50000 for v in vals))
    return s[n // 2], pairs[n // 3], uniq


class VM:
    def __init__(self, code):
        self.code = code
        self.regs = [0] * 8

    def run(self, steps):
        code, regs = self.code, self.regs
        pc = 0
        for _ in range(steps):
            op, a, b = code[pc]
            if op == 0:
                regs[a] = (regs[a] + regs[b] + 1) & 0xFFFF
            elif op == 1:
                regs[a] = (regs[a] * 3 ^ regs[b]) & 0xFFFF
            elif op == 2:
                regs[a] = regs[b] >> 1
            else:
                if regs[a] & 1:
                    pc = b - 1
            pc = (pc + 1) % len(code)
        return sum(r * (i + 1) for i, r in enumerate(regs))


def main():
    n = 2600 * scale
    print("arith", *arith(n))
    print("words", *words(n // 2))
    print("sorting", *sorting(n // 3))
    code = [(i % 4, i % 8, (i * 5) % 8 if i % 4 != 3 else (i * 3) % 12) for i in range(12)]
    print("vm", VM(code).run(n))


main()
