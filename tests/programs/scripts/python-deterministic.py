# Deterministic mode: threads that sleep, draw random numbers and read the clock; a directory listing and a stat of a
# host file; os.urandom. Run twice with the same seed, every byte printed must be the same.
import hashlib, os, random, threading, time

out = []
lock = threading.Lock()

def work(i):
    h = hashlib.sha256()
    for k in range(300):
        h.update(str(k * i).encode())
    time.sleep(0.001 * (i + 1))
    with lock:
        out.append((i, h.hexdigest()[:12], random.random(), time.monotonic_ns()))

threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
here = os.path.dirname(os.path.abspath(__file__))
st = os.stat(__file__)
print(sorted(out))
print(time.time(), os.urandom(8).hex(), os.getpid(), os.cpu_count(), os.uname().nodename)
print(os.listdir(here), st.st_ino, st.st_mtime, st.st_uid)
