"""A stand-in for the GitHub REST API's `GET /orgs/{org}/repos` (pages of `per_page`), on
127.0.0.1. Serves the repositories listed in a JSON file; requires `Authorization: Bearer
<token>` when a token is given; prints its port on stdout.

usage: python3 github_api.py REPOS.json TOKEN
"""
import json
import sys
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

repos = json.load(open(sys.argv[1], encoding="utf-8"))
token = sys.argv[2]


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        u = urllib.parse.urlparse(self.path)
        q = urllib.parse.parse_qs(u.query)
        if u.path != "/orgs/acme/repos":
            self.send_error(404)
            return
        if self.headers.get("Authorization") != f"Bearer {token}":
            self.send_error(401)
            return
        per = int(q.get("per_page", ["30"])[0])
        page = int(q.get("page", ["1"])[0])
        body = json.dumps(repos[(page - 1) * per : page * per]).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = HTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
