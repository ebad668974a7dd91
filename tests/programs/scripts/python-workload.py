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
# A TCP server thread and a client over loopback (the VM's private network), then a socketpair and a UDP exchange.
import socket
server = socket.create_server(("127.0.0.1", 0))
port = server.getsockname()[1]
def serve():
    conn, _ = server.accept()
    with conn:
        data = b""
        while not data.endswith(b"\n"):
            data += conn.recv(65536)
        conn.sendall(hashlib.sha256(data).hexdigest().encode() + b"|" + str(len(data)).encode())
t = threading.Thread(target=serve); t.start()
with socket.create_connection(("127.0.0.1", port), timeout=30) as c:
    payload = bytes(range(256)) * 4096 + b"\n"
    c.sendall(payload)
    reply = b""
    while True:
        chunk = c.recv(4096)
        if not chunk: break
        reply += chunk
t.join(); server.close()
print("tcp", reply.decode() == hashlib.sha256(payload).hexdigest() + "|" + str(len(payload)), len(payload))
a, b = socket.socketpair(); a.sendall(b"pair"); print("socketpair", b.recv(10)); a.close(); b.close()
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0))
v = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); v.sendto(b"datagram", u.getsockname())
data, addr = u.recvfrom(100); print("udp", data, addr[0], addr[1] == v.getsockname()[1]); u.close(); v.close()
