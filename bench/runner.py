#!/usr/bin/env python3
"""Benchmark runner behind bench/run.sh: native vs qemu-x86_64 vs x86vm (--jit off / on).

Standard library only. bench/README.md describes the method and the workloads;
`bench/run.sh --help` lists the options.
"""
import argparse
import datetime
import json
import math
import os
import platform
import shlex
import shutil
import signal
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PROGS = os.path.join(HERE, "programs")

# Columns, in display order. The x86vm tiers are the same command with --jit off / on.
TIERS = ["native", "qemu", "x86vm-interp", "x86vm-jit"]
VM_TIERS = {"interp": "x86vm-interp", "jit": "x86vm-jit"}
JIT_FLAG = {"x86vm-interp": "off", "x86vm-jit": "on"}
SHORT = {"native": "native", "qemu": "qemu", "x86vm-interp": "interp", "x86vm-jit": "jit"}


# ---------------------------------------------------------------- workloads

class Workload:
    """One benchmark. argv(scale, ctx) gives the native command line."""

    def __init__(self, name, kind, desc, argv, stdin=None, check="output", prepare=None,
                 multiprocess=False):
        self.name = name
        self.kind = kind  # "throughput" or "startup"
        self.desc = desc
        self.argv = argv
        self.stdin = stdin  # a function of scale giving a path, or None for /dev/null
        self.check = check  # "output": stdout + exit status; "gcc": exit status + objects
        self.prepare = prepare  # called before every run with (scratch_dir, scale)
        self.multiprocess = multiprocess


def built(name):
    return os.path.join(OUT, "bin", name)


GCC_SOURCES = ["sieve.c", "crypto.c", "interp.c", "fpsse.c"]


def gcc_units(scale):
    """Translation units compiled by the gcc workload: 4 at scale 100, at least 1."""
    n = max(1, round(len(GCC_SOURCES) * scale / 100))
    return ["u%d-%s" % (i, GCC_SOURCES[i % len(GCC_SOURCES)]) for i in range(n)]


def gcc_prepare(scratch, scale):
    for f in os.listdir(scratch):
        if f.endswith(".o"):
            os.unlink(os.path.join(scratch, f))
    for u in gcc_units(scale):  # fresh copies, so an edited source is never compiled stale
        shutil.copyfile(os.path.join(PROGS, u.split("-", 1)[1]), os.path.join(scratch, u))


def sqlite_rows(scale):
    return max(100, 500 * scale)


def c_program(name, description):
    """A C workload from programs/NAME.c, built musl static, taking the scale as its argument."""
    return Workload(name, "throughput", description + " (C, musl static)", lambda s: [built(name), str(s)])


WORKLOADS = [
    c_program("crypto", "SHA-256, ChaCha20 and bignum multiplies"),
    c_program("interp", "bytecode interpreter with switch dispatch"),
    c_program("sieve", "bit sieve, prime gaps, hashing, hash-set probes"),
    c_program("fpsse", "double/float matmul, n-body with sqrt, dot products"),
    Workload("python3", "throughput",
             "/usr/bin/python3 running programs/bench.py (dynamic, glibc)",
             lambda s: ["/usr/bin/python3", os.path.join(PROGS, "bench.py"), str(s)]),
    Workload("sqlite3", "throughput",
             "/usr/bin/sqlite3 :memory: running programs/bench.sql (dynamic, glibc)",
             lambda s: ["/usr/bin/sqlite3", "-batch", "-cmd",
                        "CREATE TEMP TABLE param AS SELECT %d AS n;" % sqlite_rows(s), ":memory:"],
             stdin=lambda s: os.path.join(PROGS, "bench.sql")),
    Workload("shell-pipeline", "throughput",
             "busybox sh: seq/awk | sort | uniq -c, sed, grep, tr, wc (programs/pipeline.sh)",
             lambda s: ["/bin/busybox", "sh", os.path.join(PROGS, "pipeline.sh"), str(s)],
             multiprocess=True),
    Workload("spawn", "throughput",
             "busybox sh loop forking/execing short processes (programs/spawn.sh)",
             lambda s: ["/bin/busybox", "sh", os.path.join(PROGS, "spawn.sh"), str(s)],
             multiprocess=True),
    Workload("gcc", "throughput",
             "/usr/bin/gcc -O2 -c on copies of the bench C sources (runs cc1 and as)",
             lambda s: ["/usr/bin/gcc", "-O2", "-c"] + gcc_units(s),
             check="gcc", prepare=gcc_prepare, multiprocess=True),
    Workload("hello-static", "startup", "hello world, musl-gcc -O2 -static",
             lambda s: [built("hello-static")]),
    Workload("hello-dynamic", "startup", "hello world, gcc -O2 (dynamic, glibc)",
             lambda s: [built("hello-dynamic")]),
]
BY_NAME = {w.name: w for w in WORKLOADS}

# (output name, source, compiler kind): "static" = $CC/musl-gcc -O2 -static, "dynamic" = gcc -O2
BUILDS = [
    ("measure", os.path.join(HERE, "measure.c"), "static"),
    ("crypto", os.path.join(PROGS, "crypto.c"), "static"),
    ("interp", os.path.join(PROGS, "interp.c"), "static"),
    ("sieve", os.path.join(PROGS, "sieve.c"), "static"),
    ("fpsse", os.path.join(PROGS, "fpsse.c"), "static"),
    ("hello-static", os.path.join(PROGS, "hello.c"), "static"),
    ("hello-dynamic", os.path.join(PROGS, "hello.c"), "dynamic"),
]


# ---------------------------------------------------------------- helpers

def die(msg, code=2):
    print("run.sh: " + msg, file=sys.stderr)
    sys.exit(code)


def note(msg):
    print("note: " + msg, file=sys.stderr)


def progress(msg):
    if PROGRESS:
        print(msg, file=sys.stderr, flush=True)


def git(*args):
    try:
        return subprocess.run(["git", "-C", ROOT] + list(args), capture_output=True, text=True,
                              timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def static_cc():
    if os.environ.get("CC"):
        return shlex.split(os.environ["CC"])
    if shutil.which("musl-gcc"):
        return ["musl-gcc"]
    note("musl-gcc not found, building the static programs with gcc (glibc static)")
    return ["gcc"]


def build_all():
    cc = static_cc()
    os.makedirs(os.path.join(OUT, "bin"), exist_ok=True)
    for name, src, how in BUILDS:
        dst = built(name)
        if os.path.exists(dst) and os.path.getmtime(dst) >= os.path.getmtime(src):
            continue
        cmd = (cc + ["-O2", "-static"] if how == "static" else ["gcc", "-O2"]) + ["-o", dst, src, "-lm"]
        if subprocess.run(cmd).returncode != 0:
            die("build of %s failed: %s" % (name, " ".join(cmd)), 1)
    return cc


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def geomean(xs):
    xs = [x for x in xs if x and x > 0]
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else None


def fmt_ratio(r):
    if r is None:
        return "-"
    return ("%.2fx" if r < 10 else "%.1fx") % r


def fmt_s(t):
    return "-" if t is None else "%.3f" % t


def fmt_mib(kib):
    return "-" if kib is None else "%.1f" % (kib / 1024)


# ---------------------------------------------------------------- running

def tier_command(tier, argv):
    if tier == "native":
        return list(argv)
    if tier == "qemu":
        return QEMU + list(argv)
    return X86VM + ["--jit", JIT_FLAG[tier]] + list(argv)


def run_once(w, tier, scale, tag):
    """Runs one measured command. Returns a dict: status ok|TIMEOUT|ERROR plus measurements;
    stdout/stderr are left in files named by tag."""
    scratch = os.path.join(OUT, "scratch", w.name)
    os.makedirs(scratch, exist_ok=True)
    if w.prepare:
        w.prepare(scratch, scale)
    logs = os.path.join(OUT, "logs")
    os.makedirs(logs, exist_ok=True)
    out_path = os.path.join(logs, tag + ".out")
    err_path = os.path.join(logs, tag + ".err")
    res_path = os.path.join(logs, tag + ".res")
    if os.path.exists(res_path):
        os.unlink(res_path)
    cmd = tier_command(tier, w.argv(scale))
    stdin_path = w.stdin(scale) if w.stdin else os.devnull
    with open(stdin_path, "rb") as fin, open(out_path, "wb") as fout, open(err_path, "wb") as ferr:
        p = subprocess.Popen([built("measure"), res_path] + cmd, stdin=fin, stdout=fout, stderr=ferr,
                             cwd=scratch, env=RUN_ENV, start_new_session=True)
        try:
            p.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)  # the session of this run only
            p.wait()
            return {"status": "TIMEOUT", "cmd": cmd, "out": out_path, "err": err_path}
        except BaseException:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
            raise
    try:
        with open(res_path) as f:
            wall, user, sys_, rss, code = f.read().split()
    except (OSError, ValueError):
        return {"status": "ERROR", "cmd": cmd, "out": out_path, "err": err_path,
                "reason": "measure exited with status %d" % p.returncode}
    r = {"status": "ok", "cmd": cmd, "out": out_path, "err": err_path, "exit": int(code),
         "wall": float(wall), "user": float(user), "sys": float(sys_),
         "cpu": float(user) + float(sys_), "rss_kib": int(rss)}
    if w.check == "gcc":
        objs = [os.path.join(scratch, u[:-2] + ".o") for u in gcc_units(scale)]
        r["objects_ok"] = all(os.path.isfile(o) and os.path.getsize(o) > 0 for o in objs)
    return r


def read(path, limit=None):
    with open(path, "rb") as f:
        return f.read() if limit is None else f.read(limit)


def differs(w, ref, r):
    """None when run r matches the native reference ref, else a reason."""
    if w.check == "gcc":
        if r["exit"] != ref["exit"]:
            return "exit status %d, native %d" % (r["exit"], ref["exit"])
        if not r["objects_ok"]:
            return "object files missing or empty"
        return None
    if r["exit"] != ref["exit"]:
        return "exit status %d, native %d" % (r["exit"], ref["exit"])
    a, b = read(ref["out"]), read(r["out"])
    if a != b:
        al, bl = a.decode(errors="replace").splitlines(), b.decode(errors="replace").splitlines()
        for i in range(max(len(al), len(bl))):
            x = al[i] if i < len(al) else "<no line>"
            y = bl[i] if i < len(bl) else "<no line>"
            if x != y:
                return "stdout differs at line %d: native %r, got %r" % (i + 1, x[:100], y[:100])
        return "stdout differs"
    return None


def stderr_tail(r):
    try:
        t = read(r["err"]).decode(errors="replace").strip()
    except OSError:
        return ""
    return t[-400:]


def run_workload(w, tiers, runs, scale):
    """All runs of one workload; the tiers are interleaved run by run."""
    res = {t: {"status": "ok", "runs": []} for t in tiers}
    ref = None
    for i in range(runs):
        for t in tiers:
            st = res[t]
            if st["status"] != "ok":
                continue
            if t != "native" and (ref is None or res["native"]["status"] != "ok"):
                st["status"] = "skipped"
                st["reason"] = "no native reference"
                continue
            progress("  %s %s run %d/%d" % (w.name, t, i + 1, runs))
            r = run_once(w, t, scale, "%s.%s.%d" % (w.name, t, i))
            st["command"] = r["cmd"]
            if r["status"] == "TIMEOUT":
                st["status"] = "TIMEOUT"
                st["reason"] = "no exit within %g s (run %d)" % (TIMEOUT, i + 1)
                continue
            if r["status"] == "ERROR":
                st["status"] = "FAILED"
                st["reason"] = r["reason"]
                continue
            if t == "native":
                if ref is None:
                    ref = r
                    if r["exit"] != 0:
                        st["status"] = "FAILED"
                        st["reason"] = "native run exited with status %d: %s" % (
                            r["exit"], stderr_tail(r))
                        continue
                elif differs(w, ref, r):
                    st["status"] = "FAILED"
                    st["reason"] = "native runs disagree (%s): not deterministic" % differs(w, ref, r)
                    continue
            else:
                why = differs(w, ref, r)
                if why:
                    st["status"] = "FAILED"
                    tail = stderr_tail(r)
                    st["reason"] = why + (" | stderr: " + tail if tail else "") + " (run %d)" % (i + 1)
                    continue
            st["runs"].append({k: r[k] for k in ("wall", "cpu", "user", "sys", "rss_kib", "exit")})
    for t in tiers:
        st = res[t]
        if st["status"] == "ok" and st["runs"]:
            st["wall"] = statistics.median(x["wall"] for x in st["runs"])
            st["cpu"] = statistics.median(x["cpu"] for x in st["runs"])
            st["rss_kib"] = max(x["rss_kib"] for x in st["runs"])
    nat, qemu = res.get("native", {}), res.get("qemu", {})
    for t in tiers:
        st = res[t]
        if st["status"] != "ok":
            continue
        for m in ("wall", "cpu"):
            for base_name, base in (("native", nat), ("qemu", qemu)):
                if t == base_name:
                    continue
                if base.get("status") == "ok" and base.get(m):
                    st["%s_vs_%s" % (m, base_name)] = st[m] / base[m]
    return res


# ---------------------------------------------------------------- reports

def print_tables(results, tiers, throughput, startup, failures):
    meta = results["meta"]
    print("x86vm benchmarks: scale %d%%, median of %d run(s), timeout %g s, x86vm %s" % (
        meta["scale"], meta["runs"], meta["timeout_s"], meta["x86vm"]["describe"] or "-"))
    print()
    W = results["workloads"]
    if throughput:
        print("%-15s %-13s %9s %9s %8s %9s %9s" % ("workload", "tier", "wall s", "cpu s", "RSS MiB",
                                                  "/native", "/qemu"))
        print("%-15s %-13s %9s %9s %8s %9s %9s" % ("-" * 8, "-" * 4, "-" * 6, "-" * 5, "-" * 7,
                                                  "-" * 7, "-" * 5))
        for name in throughput:
            first = True
            for t in tiers:
                st = W[name]["tiers"][t]
                label = name + ("*" if BY_NAME[name].multiprocess and t == "qemu" else "")
                if st["status"] != "ok":
                    print("%-15s %-13s %9s" % (name if first else "", t, st["status"]))
                else:
                    print("%-15s %-13s %9s %9s %8s %9s %9s" % (
                        name if first else "", t + ("*" if label.endswith("*") else ""),
                        fmt_s(st.get("wall")), fmt_s(st.get("cpu")), fmt_mib(st.get("rss_kib")),
                        fmt_ratio(st.get("wall_vs_native")) if t != "native" else "",
                        fmt_ratio(st.get("wall_vs_qemu")) if t not in ("native", "qemu") and "qemu" in tiers
                        else ""))
                first = False
        print()
        cols = [(t, "native") for t in tiers if t != "native"] + \
               [(t, "qemu") for t in tiers if t.startswith("x86vm") and "qemu" in tiers]
        heads = ["%s/%s" % (SHORT[t], b) for t, b in cols]
        print("wall-time ratios")
        print("%-15s" % "workload" + "".join("%14s" % h for h in heads))
        for name in throughput:
            row = []
            for t, b in cols:
                st = W[name]["tiers"][t]
                row.append(fmt_ratio(st.get("wall_vs_" + b)) if st["status"] == "ok" else st["status"])
            print("%-15s" % name + "".join("%14s" % x for x in row))
        G = results["geomean"]
        for m in ("wall", "cpu"):
            row = []
            for t, b in cols:
                g = G.get(t, {}).get("%s_vs_%s" % (m, b))
                row.append(fmt_ratio(g["value"]) + ("" if g and g["n"] == len(throughput) else
                                                    "(%d)" % (g["n"] if g else 0)) if g else "-")
            print("%-15s" % ("geomean " + m) + "".join("%14s" % x for x in row))
        if any(BY_NAME[n].multiprocess for n in throughput) and "qemu" in tiers:
            print("* qemu-user emulates only the first process: the programs it execs "
                  "(busybox applets, cc1, as) run natively")
        print()
    if startup:
        print("startup (wall ms / peak RSS MiB, median of %d)" % results["meta"]["startup_runs"])
        print("%-15s" % "program" + "".join("%20s" % t for t in tiers))
        for name in startup:
            row = []
            for t in tiers:
                st = W[name]["tiers"][t]
                row.append("%.1f ms %6s MiB" % (st["wall"] * 1000, fmt_mib(st["rss_kib"]))
                           if st["status"] == "ok" else st["status"])
            print("%-15s" % name + "".join("%20s" % x for x in row))
        print()
    if failures:
        print("failures:")
        for f in failures:
            print("  " + f)
        print()


def esc(s):
    return str(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def write_svg(path, results, throughput, tiers):
    series = [t for t in ("qemu", "x86vm-interp", "x86vm-jit") if t in tiers]
    colors = {"qemu": "#7f7f7f", "x86vm-interp": "#e69f00", "x86vm-jit": "#0072b2"}
    W = results["workloads"]
    groups = list(throughput) + ["geomean"]

    def val(g, t):
        if g == "geomean":
            e = results["geomean"].get(t, {}).get("wall_vs_native")
            return (e["value"], "ok" if e["n"] == e["of"] else "%d of %d" % (e["n"], e["of"])) \
                if e else (None, "-")
        st = W[g]["tiers"][t]
        return (st.get("wall_vs_native"), st["status"])

    vals = [val(g, t)[0] for g in groups for t in series]
    vals = [v for v in vals if v]
    top = 10 ** math.ceil(math.log10(max(vals + [10]) * 1.05))
    bottom = 1 if min(vals + [1]) >= 1 else 10 ** math.floor(math.log10(min(vals)))
    ml, mr, mt, mb = 64, 20, 64, 84
    bw, gap = 18, 26
    gw = bw * max(1, len(series)) + gap
    width = ml + mr + gw * len(groups)
    height = 420
    ph = height - mt - mb

    def y(v):
        return mt + ph * (1 - (math.log10(v) - math.log10(bottom)) / (math.log10(top) - math.log10(bottom)))

    meta = results["meta"]
    o = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
         'font-family="sans-serif" font-size="11">' % (width, height),
         '<rect width="100%" height="100%" fill="white"/>',
         '<text x="%d" y="20" font-size="14" font-weight="bold">Wall time relative to native '
         '(log scale, lower is better)</text>' % ml,
         '<text x="%d" y="36" fill="#555">scale %d%%, median of %d run(s); x86vm %s; %s</text>' % (
             ml, meta["scale"], meta["runs"], esc(meta["x86vm"]["describe"] or "-"),
             esc(meta["date"][:10]))]
    d = bottom
    while d <= top * 1.0001:
        for m in (1, 2, 5):
            v = d * m
            if v < bottom * 0.999 or v > top * 1.001:
                continue
            yy = y(v)
            o.append('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="%s"/>' % (
                ml, width - mr, yy, yy, "#bbb" if m == 1 else "#e5e5e5"))
            o.append('<text x="%d" y="%.1f" text-anchor="end" fill="#333">%gx</text>' % (ml - 6, yy + 4, v))
        d *= 10
    o.append('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#000" stroke-width="1.5"/>' % (
        ml, width - mr, y(1), y(1)))
    for gi, g in enumerate(groups):
        x0 = ml + gi * gw + gap / 2
        if g == "geomean":
            o.append('<rect x="%.1f" y="%d" width="%d" height="%d" fill="#f3f3f3"/>' % (
                x0 - gap / 2 + 2, mt, gw - 4, ph))
        for si, t in enumerate(series):
            v, status = val(g, t)
            x = x0 + si * bw
            if v:
                yy = y(max(v, bottom))
                o.append('<rect x="%.1f" y="%.1f" width="%d" height="%.1f" fill="%s"><title>%s %s: %s</title></rect>' % (
                    x, yy, bw - 2, y(bottom) - yy, colors[t], esc(g), t, fmt_ratio(v)))
                o.append('<text x="%.1f" y="%.1f" font-size="9" text-anchor="start" '
                         'transform="rotate(-90 %.1f %.1f)">%s</text>' % (
                             x + bw / 2 + 3, yy - 3, x + bw / 2 + 3, yy - 3,
                             fmt_ratio(v) + ("" if status == "ok" else " (%s)" % status)))
            else:
                o.append('<text x="%.1f" y="%.1f" font-size="9" fill="#c00" '
                         'transform="rotate(-90 %.1f %.1f)">%s</text>' % (
                             x + bw / 2 + 3, y(bottom) - 4, x + bw / 2 + 3, y(bottom) - 4,
                             esc(status if status != "ok" else "-")))
        o.append('<text x="%.1f" y="%.1f" text-anchor="end" transform="rotate(-35 %.1f %.1f)">%s</text>' % (
            x0 + gw / 2 - gap / 2, mt + ph + 14, x0 + gw / 2 - gap / 2, mt + ph + 14,
            esc(g + ("*" if g in BY_NAME and BY_NAME[g].multiprocess and "qemu" in series else ""))))
    lx = ml
    ly = height - 14
    for t in series:
        o.append('<rect x="%d" y="%d" width="12" height="10" fill="%s"/>' % (lx, ly - 9, colors[t]))
        o.append('<text x="%d" y="%d">%s</text>' % (lx + 16, ly, t))
        lx += 16 + 7 * len(t) + 24
    if any(BY_NAME[g].multiprocess for g in throughput) and "qemu" in series:
        o.append('<text x="%d" y="%d" fill="#555">* qemu-user emulates only the first process; '
                 'the programs it execs run natively</text>' % (lx + 10, ly))
    o.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(o) + "\n")


# ---------------------------------------------------------------- main

def parse_args():
    ap = argparse.ArgumentParser(
        prog="bench/run.sh",
        description="Run the benchmarks natively, under qemu-x86_64 and under x86vm (--jit off and on).",
        epilog="workloads: " + ", ".join(w.name for w in WORKLOADS) +
               "; 'startup' selects hello-static and hello-dynamic. Env: X86VM (command that runs a "
               "program under x86vm, default '<repo>/x86vm run'), CC (static compiler, default musl-gcc).")
    ap.add_argument("workloads", nargs="*", metavar="WORKLOAD")
    ap.add_argument("--quick", action="store_true", help="small inputs: --scale 3")
    ap.add_argument("--scale", type=int, default=None, help="input size in percent (default 100)")
    ap.add_argument("--runs", type=int, default=3, help="runs per configuration; medians reported (default 3)")
    ap.add_argument("--startup-runs", type=int, default=None,
                    help="runs for the startup programs (default max(RUNS, 5))")
    ap.add_argument("--timeout", type=float, default=600, help="per-run wall-clock limit, seconds (default 600)")
    ap.add_argument("--no-qemu", action="store_true", help="skip qemu-x86_64")
    ap.add_argument("--no-x86vm", action="store_true", help="skip x86vm")
    ap.add_argument("--tiers", default="interp,jit", help="x86vm tiers to run: interp,jit (default both)")
    ap.add_argument("--out", default=None, help="output directory (default bench/out)")
    ap.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    return ap.parse_args()


def main():
    global OUT, TIMEOUT, QEMU, X86VM, RUN_ENV, PROGRESS
    a = parse_args()
    OUT = os.path.abspath(a.out or os.path.join(HERE, "out"))
    TIMEOUT = a.timeout
    PROGRESS = not a.quiet
    scale = a.scale if a.scale is not None else (3 if a.quick else 100)
    if scale < 1 or a.runs < 1:
        die("--scale and --runs must be at least 1")
    startup_runs = a.startup_runs or max(a.runs, 5)

    names = []
    for n in a.workloads or [w.name for w in WORKLOADS]:
        for m in (["hello-static", "hello-dynamic"] if n == "startup" else [n]):
            if m not in BY_NAME:
                die("no such workload: %s (have: %s, startup)" % (m, ", ".join(BY_NAME)))
            if m not in names:
                names.append(m)
    throughput = [n for n in names if BY_NAME[n].kind == "throughput"]
    startup = [n for n in names if BY_NAME[n].kind == "startup"]

    tiers = ["native"]
    QEMU = []
    if not a.no_qemu:
        if shutil.which("qemu-x86_64"):
            QEMU = ["qemu-x86_64"]
            tiers.append("qemu")
        else:
            note("qemu-x86_64 not installed, skipping it")
    X86VM = []
    if not a.no_x86vm:
        X86VM = shlex.split(os.environ.get("X86VM") or shlex.quote(os.path.join(ROOT, "x86vm")) + " run")
        for t in a.tiers.split(","):
            t = t.strip()
            t = VM_TIERS.get(t, t)
            if t not in JIT_FLAG:
                die("unknown tier %r (use interp, jit)" % t)
            if t not in tiers:
                tiers.append(t)
        tiers = [t for t in TIERS if t in tiers]  # display order
        if not shutil.which(X86VM[0]):
            note("x86vm command %r not found (set X86VM), skipping it" % X86VM[0])
            tiers = [t for t in tiers if not t.startswith("x86vm")]
            X86VM = []

    RUN_ENV = dict(os.environ)
    for k in ("PYTHONHOME", "PYTHONPATH", "PYTHONSTARTUP", "TMPDIR", "LD_PRELOAD", "LD_LIBRARY_PATH"):
        RUN_ENV.pop(k, None)
    RUN_ENV.update({"LC_ALL": "C", "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1"})

    cc = build_all()
    if os.path.isdir(os.path.join(OUT, "logs")):
        shutil.rmtree(os.path.join(OUT, "logs"))

    x86vm_info = {"command": X86VM, "describe": None}
    if X86VM:
        # build (the ./x86vm wrapper builds on first use) and check it runs, outside any timing
        progress("building/starting x86vm: %s" % " ".join(X86VM))
        if OUT == "/tmp" or OUT.startswith("/tmp/"):
            die("--out must not be under /tmp: x86vm gives the guest a private /tmp")
        warm = os.path.join(OUT, "scratch", "warm-up")
        os.makedirs(warm, exist_ok=True)
        p = subprocess.run(X86VM + ["--jit", "on", built("hello-static")], capture_output=True, text=True,
                           cwd=warm, timeout=max(TIMEOUT, 1800))
        if p.returncode != 0:
            die("x86vm does not run: %s" % (p.stderr.strip()[-2000:]), 1)
        if not os.environ.get("X86VM"):
            # the wrapper builds from this checkout's src/: name the commit that last changed it
            head = git("rev-parse", "HEAD")
            src = git("log", "-1", "--format=%H", "--", "src")
            dirty = bool(git("status", "--porcelain", "--", "src"))
            x86vm_info.update({"checkout_head": head, "src_commit": src,
                               "src_tree": git("rev-parse", "HEAD:src"), "src_dirty": dirty,
                               "describe": ("src@" + src[:10] + ("+dirty" if dirty else "")) if src else None})
        else:
            x86vm_info["describe"] = "X86VM=" + os.environ["X86VM"]
    qemu_version = None
    if QEMU:
        qemu_version = subprocess.run(QEMU + ["--version"], capture_output=True, text=True).stdout.split("\n")[0]

    results = {
        "meta": {
            "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
            "scale": scale, "runs": a.runs, "startup_runs": startup_runs, "timeout_s": TIMEOUT,
            "tiers": tiers,
            "machine": {"cpu": cpu_model(), "nproc": os.cpu_count(), "kernel": platform.release(),
                        "load_avg_at_start": os.getloadavg()},
            "x86vm": x86vm_info, "qemu": qemu_version,
            "static_cc": " ".join(cc) + " -O2 -static",
            "ratios": "median wall (or cpu) time of the tier divided by that of native or qemu",
            "rss": "peak resident set (KiB) of the child and its waited-for descendants, max over runs",
        },
        "workloads": {}, "geomean": {},
    }
    failures = []
    try:
        for name in names:
            w = BY_NAME[name]
            runs = startup_runs if w.kind == "startup" else a.runs
            progress("%s (%s)" % (name, w.desc))
            res = run_workload(w, tiers, runs, scale)
            results["workloads"][name] = {
                "kind": w.kind, "description": w.desc, "native_command": w.argv(scale),
                "check": "exit status and object files exist" if w.check == "gcc" else "stdout and exit status",
                "multiprocess": w.multiprocess, "tiers": res}
            for t in tiers:
                if res[t]["status"] not in ("ok",):
                    failures.append("%s %s: %s: %s" % (name, t, res[t]["status"], res[t].get("reason", "")))
    except KeyboardInterrupt:
        print("interrupted; reporting what ran", file=sys.stderr)
        names = [n for n in names if n in results["workloads"]]
        throughput = [n for n in throughput if n in names]
        startup = [n for n in startup if n in names]
    results["meta"]["load_avg_at_end"] = os.getloadavg()

    for t in tiers:
        g = {}
        for m in ("wall", "cpu"):
            for b in ("native", "qemu"):
                key = "%s_vs_%s" % (m, b)
                xs = [results["workloads"][n]["tiers"][t].get(key) for n in throughput]
                xs = [x for x in xs if x]
                if xs:
                    g[key] = {"value": geomean(xs), "n": len(xs), "of": len(throughput)}
        if g:
            results["geomean"][t] = g

    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "results.json"), "w") as f:
        json.dump(results, f, indent=1)
        f.write("\n")
    if throughput:
        write_svg(os.path.join(OUT, "ratios.svg"), results, throughput, tiers)
    print_tables(results, tiers, throughput, startup, failures)
    print("wrote %s%s" % (os.path.join(OUT, "results.json"),
                          " and " + os.path.join(OUT, "ratios.svg") if throughput else ""))
    return 1 if failures else 0


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `run.sh | head` ends quietly

    def stop(signum, frame):
        raise KeyboardInterrupt

    # SIGTERM/SIGHUP end the run like ^C: the running child's session is killed and what ran
    # is reported (a run started in the background with & ignores SIGINT)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGHUP, stop)
    sys.exit(main())
