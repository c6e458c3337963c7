#!/usr/bin/env python3
"""A local HTTPS stand-in for providers' identity endpoints, for leakless's `--validate` tests.

Why this exists: validators must be tested without the internet, over real TLS (the client only
speaks HTTPS to built-in hosts), against every kind of answer a provider gives. The test makes a
throw-away CA and a server certificate for the host names it needs, and points leakless at this
server with the debug-build-only settings LEAKLESS_TEST_ONLY_CA_FILE / LEAKLESS_TEST_ONLY_RESOLVE.

The answer depends on the credential the request carries (the `Authorization` or `X-Api-Key`
header, else the last path segment), by its prefix (after a `tokN_` the tests' rules add):
  live-...        200 {"ok": true, "login": "octocat"}
  dead-...        401 {"message": "Bad credentials"}
  slow-...        sleeps 30 s, then 200 (a timeout)
  ratelimit-...   429 with Retry-After: 1 the first time, then as live
  malformed-...   200 with an HTML body
  broken-...      500
anything else     403

GET /__counts (no credential) returns {"<host> <credential>": count} of every request so far,
where host is the Host header; standard library only. Prints `READY <port>` once listening.

`--proxy` also starts an HTTP CONNECT proxy (the `HTTPS_PROXY` tests) that tunnels every CONNECT
to this server whatever host it names, counting `"CONNECT <host:port>"`; it prints
`PROXY <port>` after the READY line.
"""

import argparse
import base64
import json
import socket
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
COUNTS = {}


def credential(handler):
    auth = handler.headers.get("Authorization") or handler.headers.get("X-Api-Key") or ""
    if auth.startswith("Basic "):
        user, _, pw = base64.b64decode(auth[6:]).decode().partition(":")
        return pw
    for scheme in ("Bearer ", "token ", "Bot "):
        if auth.startswith(scheme):
            return auth[len(scheme):]
    return auth or handler.path.rstrip("/").rsplit("/", 1)[-1]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def send(self, status, body, ctype="application/json", extra=()):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        if self.path == "/__counts":
            with LOCK:
                return self.send(200, json.dumps(COUNTS))
        cred = credential(self)
        key = f"{self.headers.get('Host', '').split(':')[0]} {cred}"
        with LOCK:
            COUNTS[key] = COUNTS.get(key, 0) + 1
            n = COUNTS[key]
        if cred.startswith("tok") and "_" in cred:  # the tests' own rules: `tokN_live-...`
            cred = cred.split("_", 1)[1]
        if cred.startswith("live-"):
            return self.send(200, json.dumps({"ok": True, "login": "octocat"}))
        if cred.startswith("dead-"):
            return self.send(401, json.dumps({"message": "Bad credentials"}))
        if cred.startswith("slow-"):
            time.sleep(30)
            return self.send(200, json.dumps({"ok": True}))
        if cred.startswith("ratelimit-"):
            if n == 1:
                return self.send(429, json.dumps({"message": "slow down"}), extra=[("Retry-After", "1")])
            return self.send(200, json.dumps({"ok": True, "login": "octocat"}))
        if cred.startswith("malformed-"):
            return self.send(200, "<html>maintenance</html>", "text/html")
        if cred.startswith("broken-"):
            return self.send(500, json.dumps({"message": "oops"}))
        return self.send(403, json.dumps({"message": "forbidden"}))

    do_GET = handle_any
    do_POST = handle_any
    do_HEAD = handle_any


def tunnel(a, b):
    try:
        while True:
            data = a.recv(65536)
            if not data:
                break
            b.sendall(data)
    except OSError:
        pass
    finally:
        for s in (a, b):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def proxy_client(conn, target_port):
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = conn.recv(4096)
        if not chunk:
            conn.close()
            return
        head += chunk
    line = head.split(b"\r\n", 1)[0].decode("latin-1").split()
    if len(line) < 2 or line[0] != "CONNECT":
        conn.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
        conn.close()
        return
    with LOCK:
        key = f"CONNECT {line[1]}"
        COUNTS[key] = COUNTS.get(key, 0) + 1
    upstream = socket.create_connection(("127.0.0.1", target_port))
    conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
    threading.Thread(target=tunnel, args=(upstream, conn), daemon=True).start()
    tunnel(conn, upstream)


def serve_proxy(listener, target_port):
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=proxy_client, args=(conn, target_port), daemon=True).start()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--proxy", action="store_true")
    a = ap.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    server.daemon_threads = True
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(a.cert, a.key)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    print(f"READY {server.server_address[1]}", flush=True)
    if a.proxy:
        listener = socket.create_server(("127.0.0.1", 0))
        threading.Thread(target=serve_proxy, args=(listener, server.server_address[1]), daemon=True).start()
        print(f"PROXY {listener.getsockname()[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
