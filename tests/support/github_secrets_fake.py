#!/usr/bin/env python3
"""A stand-in for GitHub's REST API for Actions secrets, for leakless's `github` store tests.

No GitHub can run on the test machines. This implements the part of the documented contract
(docs.github.com, "REST API endpoints for GitHub Actions secrets", API version 2022-11-28) that
the store and PyGithub use, with GitHub's status codes and error bodies:

- Every route needs `Authorization: Bearer <token>` (or `token <token>`): none or an unknown one
  -> 401 {"message": "Bad credentials", "documentation_url": ...}. A token given with
  `--read-only-token` may read but gets 403 "Resource not accessible by integration" on writes.
- GET /repos/{owner}/{repo} -> the repository ({id, name, full_name, owner, url, ...}).
- GET /orgs/{org} -> the organisation ({login, id, url}).
- Scopes: /repos/{o}/{r}/actions/secrets, /repos/{o}/{r}/environments/{env}/secrets,
  /orgs/{org}/actions/secrets; an unknown repository, environment or organisation -> 404
  {"message": "Not Found"}.
  - GET {scope}/public-key -> {key_id, key}: a real X25519 key pair per scope, made by PyNaCl.
  - GET {scope}?per_page&page -> {total_count, secrets: [{name, created_at, updated_at}...]}
    (organisation secrets add visibility and selected_repositories_url); pages of per_page
    (default 30, at most 100).
  - GET {scope}/{name} -> the metadata, or 404. Names are case-insensitive, stored upper-case.
  - PUT {scope}/{name} {encrypted_value, key_id[, visibility, selected_repository_ids]}:
    the sealed box is opened with PyNaCl's SealedBox and the plaintext kept (for assertions);
    201 Created (empty JSON object) or 204 No Content. 422 for a bad name (not [A-Za-z0-9_],
    leading digit, GITHUB_ prefix), a key_id that is not the scope's current key, a value that does
    not decrypt, more than 48 KB, or an organisation secret without a valid visibility.
  - GET /orgs/{org}/actions/secrets/{name}/repositories -> {total_count, repositories: [...]}.
  - DELETE {scope}/{name} -> 204 (or 404).

Test hooks (not part of GitHub):
  --token TOKEN              an accepted token (repeatable)
  --read-only-token TOKEN    a token that can read but not write secrets
  --repo OWNER/REPO:ID       a repository and its numeric id (repeatable)
  --environment OWNER/REPO:ENV   a deployment environment of a repository (repeatable)
  --org ORG                  an organisation (repeatable)
  --preset SCOPE#NAME=VALUE  a secret someone else wrote before (SCOPE: owner/repo, owner/repo@env
                             or org:ORG), updated 2020-01-01 (organisation secrets: visibility all)
  --fail-after-writes K      the (K+1)-th and later PUTs answer 500
  --rotate-key-after K       after K PUTs the scopes get new key pairs (an old key_id is then 422)
  POST /__heal               stop failing writes (--fail-after-writes no longer applies)
  GET /__state               everything stored (with plaintext values), requests and counters
                             as JSON, no auth

Prints `READY <port>` on stdout once listening on 127.0.0.1 (--port, 0 = any free port); logs go
to stderr.
"""

import argparse
import base64
import datetime
import re
import secrets as rnd
import threading
from urllib.parse import parse_qs, unquote, urlsplit

from nacl.public import PrivateKey, SealedBox

import standin

DOCS = "https://docs.github.com/rest/actions/secrets"
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
MAX_VALUE = 48 * 1024


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Scope:
    """One set of secrets with its key pair."""

    def __init__(self, label, org=None):
        self.label = label
        self.org = org
        self.secrets = {}  # NAME -> dict(value, created_at, updated_at, visibility, selected)
        self.new_key()

    def new_key(self):
        self.private = PrivateKey.generate()
        self.key_id = str(rnd.randbelow(10**19) + 10**18)

    def public(self):
        return {"key_id": self.key_id, "key": base64.b64encode(bytes(self.private.public_key)).decode()}


class State:
    def __init__(self, args):
        self.lock = threading.Lock()
        self.tokens = set(args.token)
        self.read_only = set(args.read_only_token)
        self.repos = {}  # "owner/repo" (lower) -> (full_name, id)
        self.scopes = {}  # key -> Scope
        for spec in args.repo:
            full, rid = spec.rsplit(":", 1)
            self.repos[full.lower()] = (full, int(rid))
            self.scopes[("repo", full.lower())] = Scope(full)
        for spec in args.environment:
            full, env = spec.split(":", 1)
            self.scopes[("env", full.lower(), env.lower())] = Scope(f"{full}@{env}")
        self.orgs = {o.lower(): o for o in args.org}
        for o in args.org:
            self.scopes[("org", o.lower())] = Scope(f"org:{o}", org=o)
        self.writes = 0
        self.fail_after = args.fail_after_writes
        self.rotate_after = args.rotate_key_after
        self.requests = []
        for spec in args.preset:
            label, rest = spec.split("#", 1)
            name, value = rest.split("=", 1)
            scope = next(s for s in self.scopes.values() if s.label.lower() == label.lower())
            t = "2020-01-01T00:00:00Z"
            scope.secrets[name.upper()] = {
                "value": value, "created_at": t, "updated_at": t,
                "visibility": "all" if scope.org else "private", "selected": [],
            }


class Handler(standin.JsonHandler):
    server_version = "GitHub.com"
    always_headers = (("X-GitHub-Api-Version-Selected", "2022-11-28"),)

    def error(self, status, message, errors=None):
        body = {"message": message, "documentation_url": DOCS, "status": str(status)}
        if errors:
            body["errors"] = errors
        self.send_json(status, body)

    def base(self):
        return f"http://{self.headers.get('Host')}"

    def route(self, method):
        st = self.server.state
        url = urlsplit(self.path)
        path = unquote(url.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        with st.lock:
            st.requests.append(f"{method} {path}")
        if path == "/__state" and method == "GET":
            return self.state()
        if path == "/__heal" and method == "POST":
            with st.lock:
                st.fail_after = None
            return self.send_json(204)
        tok = self.bearer(("Bearer ", "bearer ", "token "))
        if tok not in st.tokens and tok not in st.read_only:
            return self.error(401, "Bad credentials")
        parts = [p for p in path.split("/") if p]
        with st.lock:
            # /repos/{o}/{r}
            if method == "GET" and len(parts) == 3 and parts[0] == "repos":
                full = f"{parts[1]}/{parts[2]}".lower()
                if full not in st.repos:
                    return self.error(404, "Not Found")
                name, rid = st.repos[full]
                return self.send_json(200, self.repo_json(name, rid))
            if method == "GET" and len(parts) == 2 and parts[0] == "orgs":
                org = st.orgs.get(parts[1].lower())
                if org is None:
                    return self.error(404, "Not Found")
                return self.send_json(200, {"login": org, "id": 4242, "url": f"{self.base()}/orgs/{org}"})
            scope, rest = self.scope(parts)
            if scope is None:
                return self.error(404, "Not Found")
            if rest == ["public-key"] and method == "GET":
                return self.send_json(200, scope.public())
            if not rest and method == "GET":
                return self.list(scope, query)
            if len(rest) == 2 and rest[1] == "repositories" and method == "GET" and scope.org:
                s = scope.secrets.get(rest[0].upper())
                if s is None:
                    return self.error(404, "Not Found")
                repos = [self.repo_json(n, i) for (n, i) in st.repos.values() if i in s["selected"]]
                return self.send_json(200, {"total_count": len(repos), "repositories": repos})
            if len(rest) == 1:
                name = rest[0]
                if method == "GET":
                    s = scope.secrets.get(name.upper())
                    if s is None:
                        return self.error(404, "Not Found")
                    return self.send_json(200, self.meta(scope, name.upper(), s))
                if method == "PUT":
                    if tok in st.read_only:
                        return self.error(403, "Resource not accessible by integration")
                    return self.put(scope, name)
                if method == "DELETE":
                    if scope.secrets.pop(name.upper(), None) is None:
                        return self.error(404, "Not Found")
                    return self.send_json(204)
            return self.error(404, "Not Found")

    def scope(self, parts):
        st = self.server.state
        if len(parts) >= 5 and parts[0] == "repos" and parts[3:5] == ["actions", "secrets"]:
            return st.scopes.get(("repo", f"{parts[1]}/{parts[2]}".lower())), parts[5:]
        if len(parts) >= 6 and parts[0] == "repos" and parts[3] == "environments" and parts[5] == "secrets":
            return st.scopes.get(("env", f"{parts[1]}/{parts[2]}".lower(), parts[4].lower())), parts[6:]
        if len(parts) >= 4 and parts[0] == "orgs" and parts[2:4] == ["actions", "secrets"]:
            return st.scopes.get(("org", parts[1].lower())), parts[4:]
        return None, None

    def repo_json(self, full, rid):
        owner, name = full.split("/", 1)
        return {
            "id": rid, "node_id": f"R_{rid}", "name": name, "full_name": full, "private": True,
            "owner": {"login": owner, "id": 1, "type": "Organization", "url": f"{self.base()}/users/{owner}"},
            "url": f"{self.base()}/repos/{full}", "html_url": f"https://github.com/{full}",
        }

    def meta(self, scope, name, s):
        m = {"name": name, "created_at": s["created_at"], "updated_at": s["updated_at"]}
        if scope.org:
            m["visibility"] = s["visibility"]
            if s["visibility"] == "selected":
                m["selected_repositories_url"] = (
                    f"{self.base()}/orgs/{scope.org}/actions/secrets/{name}/repositories"
                )
        return m

    def list(self, scope, query):
        try:
            per_page = min(max(int(query.get("per_page", 30)), 1), 100)
            page = max(int(query.get("page", 1)), 1)
        except ValueError:
            return self.error(422, "Validation Failed")
        names = sorted(scope.secrets)
        chunk, _ = standin.window(names, (page - 1) * per_page, per_page)
        last = max((len(names) + per_page - 1) // per_page, 1)
        path = urlsplit(self.path).path
        links = []
        if page < last:
            links.append(f'<{self.base()}{path}?per_page={per_page}&page={page + 1}>; rel="next"')
            links.append(f'<{self.base()}{path}?per_page={per_page}&page={last}>; rel="last"')
        return self.send_json(200, {
            "total_count": len(names),
            "secrets": [self.meta(scope, n, scope.secrets[n]) for n in chunk],
        }, [("Link", ", ".join(links))] if links else ())

    def put(self, scope, name):
        st = self.server.state
        body = self.read_json({})
        if not isinstance(body, dict):
            return self.error(400, "Problems parsing JSON")
        if not NAME.match(name) or name.upper().startswith("GITHUB_"):
            return self.error(422, "Secret names can only contain alphanumeric characters ([a-z], [A-Z], [0-9]) or underscores (_), must not start with a number or GITHUB_")
        enc, key_id = body.get("encrypted_value"), body.get("key_id")
        if not isinstance(enc, str) or not isinstance(key_id, str):
            return self.error(422, "Invalid request.", ["encrypted_value and key_id are required strings"])
        if key_id != scope.key_id:
            return self.error(422, "Bad request: key_id does not match the current public key")
        if st.fail_after is not None and st.writes >= st.fail_after:
            st.writes += 1
            return self.error(500, "Server Error")
        try:
            plain = SealedBox(scope.private).decrypt(base64.b64decode(enc, validate=True))
            value = plain.decode("utf-8")
        except Exception:  # noqa: BLE001 - any failure to open is the client's fault
            return self.error(422, "Bad request: encrypted_value could not be decrypted with the key")
        if len(plain) > MAX_VALUE:
            return self.error(422, "Secret value is too large (48 KB maximum)")
        vis, selected = "private", []
        if scope.org:
            vis = body.get("visibility")
            if vis not in ("all", "private", "selected"):
                return self.error(422, "Invalid request.", ["visibility must be one of all, private, selected"])
            selected = body.get("selected_repository_ids") or []
            if vis == "selected" and (not isinstance(selected, list) or not all(isinstance(i, int) for i in selected)):
                return self.error(422, "Invalid request.", ["selected_repository_ids must be integers"])
        st.writes += 1
        t = now()
        key = name.upper()
        old = scope.secrets.get(key)
        scope.secrets[key] = {
            "value": value, "created_at": old["created_at"] if old else t, "updated_at": t,
            "visibility": vis, "selected": selected if vis == "selected" else [],
        }
        if st.rotate_after is not None and st.writes == st.rotate_after:
            for s in st.scopes.values():
                s.new_key()
        if old:
            return self.send_json(204)
        return self.send_json(201, {})

    def state(self):
        st = self.server.state
        with st.lock:
            out = {
                "secrets": [
                    {"scope": sc.label, "name": n, "value": s["value"], "created_at": s["created_at"],
                     "updated_at": s["updated_at"], "visibility": s["visibility"], "selected": s["selected"]}
                    for sc in st.scopes.values() for n, s in sorted(sc.secrets.items())
                ],
                "requests": st.requests,
                "writes": st.writes,
            }
        self.send_json(200, out)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--token", action="append", default=[])
    p.add_argument("--read-only-token", action="append", default=[])
    p.add_argument("--repo", action="append", default=[])
    p.add_argument("--environment", action="append", default=[])
    p.add_argument("--org", action="append", default=[])
    p.add_argument("--preset", action="append", default=[])
    p.add_argument("--fail-after-writes", type=int)
    p.add_argument("--rotate-key-after", type=int)
    args = p.parse_args()
    standin.serve(standin.server(Handler, args.port, State(args)))


if __name__ == "__main__":
    main()
