"""What every HTTP stand-in in this folder shares, so each fake holds only its service's contract.

The store tests start a fake (`python tests/support/<fake>.py ...`), read one line `READY <port>
[<port>...]` from its stdout, talk to it over 127.0.0.1 and kill it when done (tests/util/standin.rs
is the Rust side of that handshake). Each fake answers errors in its own service's JSON shape, but
the plumbing is the same everywhere:

- `ApiError(status, body, headers)`: raise it anywhere in a handler; `JsonHandler` answers it. A
  fake subclasses it to build its service's error body from its own arguments.
- `JsonHandler`: HTTP/1.1 JSON answers (`send_json`), the request body (`read_body`,
  `read_json`), the bearer token (`bearer`), the log on stderr, and `do_<METHOD>` calling the fake's
  `route(method)` with errors turned into answers. A bug in a fake answers 500 and is logged, so a
  test sees it instead of a dropped connection.
- `window(items, start, size)`: one page of a list and where the next one starts; every paging
  style (page numbers, skip tokens, page tokens) is built on it.
- `serve(server, *more)`: the READY handshake, then serve until killed.

Standard library only; logs never hold a value or a token.
"""

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class ApiError(Exception):
    """An error answer: HTTP `status`, the JSON `body`, and extra `headers` (a dict)."""

    def __init__(self, status, body, headers=None):
        super().__init__(f"HTTP {status}")
        self.status = status
        self.body = body
        self.headers = headers or {}


class JsonHandler(BaseHTTPRequestHandler):
    """A request handler for a JSON API; subclasses define `route(method)`."""

    protocol_version = "HTTP/1.1"
    content_type = "application/json; charset=utf-8"
    # Headers sent with every answer, as (name, value) pairs.
    always_headers = ()
    _body = None

    def log_message(self, fmt, *args):
        sys.stderr.write("%s\n" % (fmt % args))

    def send_json(self, status, body=None, headers=()):
        """Answers `status` with `body` as JSON (no body and no Content-Type when it is None)."""
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        if body is not None:
            self.send_header("Content-Type", self.content_type)
        self.send_header("Content-Length", str(len(data)))
        pairs = headers.items() if isinstance(headers, dict) else headers
        for k, v in list(self.always_headers) + list(pairs):
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def read_body(self):
        """The request body as bytes."""
        if self._body is None:
            n = int(self.headers.get("Content-Length") or 0)
            self._body = self.rfile.read(n) if n else b""
        return self._body

    def read_json(self, default=None, error=None):
        """The body parsed as JSON, `default` when empty; invalid JSON raises `error` (an
        ApiError) when given, else answers None."""
        raw = self.read_body()
        if not raw:
            return default
        try:
            return json.loads(raw)
        except ValueError:
            if error is not None:
                raise error
            return None

    def bearer(self, schemes=("Bearer ",)):
        """The credential after the first matching scheme of `Authorization`, else None."""
        h = self.headers.get("Authorization") or ""
        for scheme in schemes:
            if h.startswith(scheme):
                return h[len(scheme):].strip()
        return None

    def server_bug(self, exc):
        """The answer to an exception that is not an ApiError (a bug in the fake)."""
        return ApiError(500, {"message": "stand-in bug: %r" % (exc,)})

    def handle_method(self, method):
        # One handler serves every request of a kept-alive connection: read this request's body
        # whether the route wants it or not, so the next request starts where it should.
        self._body = None
        self.read_body()
        try:
            self.route(method)
        except ApiError as e:
            self.send_json(e.status, e.body, e.headers)
        except Exception as e:  # a bug in the stand-in: say so loudly
            sys.stderr.write("stand-in error: %r\n" % (e,))
            err = self.server_bug(e)
            self.send_json(err.status, err.body, err.headers)

    def route(self, method):
        raise NotImplementedError

    def do_GET(self):
        self.handle_method("GET")

    def do_POST(self):
        self.handle_method("POST")

    def do_PUT(self):
        self.handle_method("PUT")

    def do_PATCH(self):
        self.handle_method("PATCH")

    def do_DELETE(self):
        self.handle_method("DELETE")


def window(items, start, size):
    """`(items[start:start + size], start of the next page or None when this is the last)`."""
    chunk = items[start:start + size]
    nxt = start + size if start + size < len(items) else None
    return chunk, nxt


def server(handler, port=0, state=None):
    """A threading HTTP server on 127.0.0.1:`port` (0 = any free port) holding `state`."""
    s = ThreadingHTTPServer(("127.0.0.1", port), handler)
    s.daemon_threads = True
    s.state = state
    return s


def serve(main, *more):
    """Serves `more` in the background, prints `READY <main port> <more ports...>` (the handshake
    the tests wait for) and serves `main` until the process is killed."""
    for s in more:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    ports = " ".join(str(s.server_address[1]) for s in (main,) + more)
    sys.stdout.write(f"READY {ports}\n")
    sys.stdout.flush()
    try:
        main.serve_forever()
    except KeyboardInterrupt:
        pass
