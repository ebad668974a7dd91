# http.server (a threading server on epoll selectors) answering urllib over the private loopback network (run by RealProgramTests).
import http.server, threading, urllib.request, json, socketserver, selectors, socket
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({"path": self.path}).encode()
        self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def log_message(self, *a): pass
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
t = threading.Thread(target=srv.serve_forever, daemon=True); t.start()
for p in ["/a", "/b?x=1", "/" + "z" * 3000]:
    with urllib.request.urlopen(f"http://127.0.0.1:{srv.server_address[1]}{p}", timeout=30) as r:
        print(r.status, len(r.read()), r.headers["Content-Type"])
srv.shutdown(); srv.server_close()
print(type(selectors.DefaultSelector()).__name__)
print(socket.getaddrinfo("localhost", 80, socket.AF_INET, socket.SOCK_STREAM)[0][4])
