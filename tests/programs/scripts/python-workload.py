# Standard-library work that needs threads, fork/exec, files and floating point (run by RealProgramTests).
import json, hashlib, zlib, sqlite3, threading, tempfile, os, subprocess, math
print(json.dumps({"a": [1, 2.5, None]}, sort_keys=True))
print(hashlib.sha256(b"x86vm").hexdigest()[:16], len(zlib.compress(b"a" * 10000)))
db = sqlite3.connect(":memory:"); db.execute("create table t(x)"); db.executemany("insert into t values (?)", [(i,) for i in range(100)])
print(db.execute("select sum(x), avg(x) from t").fetchone())
out = []
ts = [threading.Thread(target=lambda i=i: out.append(i * i)) for i in range(8)]
[t.start() for t in ts]; [t.join() for t in ts]
print(sorted(out))
with tempfile.TemporaryDirectory() as d:
    p = os.path.join(d, "f"); open(p, "w").write("hello"); print(open(p).read(), os.listdir(d))
print(subprocess.run(["/bin/echo", "sub"], capture_output=True, text=True).stdout.strip())
print(math.sqrt(2), math.sin(1.0), 10**30 // 7)
