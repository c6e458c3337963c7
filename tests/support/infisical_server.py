#!/usr/bin/env python3
"""A small stand-in for the Infisical REST API, for leakless's `infisical` store tests.

No Infisical server can run on the test machines, so this implements the part of the documented
contract the store (and the official Python SDK, `infisicalsdk`) uses, with Infisical's own status
codes, error bodies and quirks. It was written against the API reference
(https://infisical.com/docs/api-reference) and the server's route definitions
(backend/src/server/routes/v4/secret-router.ts, v2/secret-folder-router.ts, the error handler
plugins/error-handler.ts, services/secret-v2-bridge, services/secret-folder, services/identity-ua):

- POST /api/v1/auth/universal-auth/login {clientId, clientSecret}
      -> {accessToken, expiresIn, accessTokenMaxTTL, tokenType: "Bearer"}; bad pair -> 401.
- Every other route needs `Authorization: Bearer <token>`: none -> 401 "Token missing"; an unknown
  or expired token -> 403 with error "TokenError" (what the server's JWT check answers).
- /api/v4/secrets/{name}: GET (query projectId, environment, secretPath, viewSecretValue),
  POST (create; 400 "Secret already exist"), PATCH (update; 404 when absent), DELETE.
  A missing folder is 404 "Folder with path '...' in environment with slug '...' not found" for
  every one of them; an absent secret is 404 "Secret with name '...' not found".
  Values are normalised as the server does: `val.trim()`, keeping one trailing "\n" if the value
  ended with one (JavaScript trim, so Unicode spaces count). `${KEY}` references must resolve.
  An environment under an approval policy (--approval-env) answers {"approval": {...}} to writes
  and stores nothing.
- /api/v3/secrets/raw/{name}: the same with `workspaceId`, as the official SDKs still call it.
- POST /api/v2/folders {projectId, environment, name, path}: idempotent, creates missing parents
  (current server behaviour); GET /api/v2/folders lists the children of `path`.
- Errors are {reqId, statusCode, message, error}; schema failures are 422 "ValidationFailure"
  with `message` a list of issues, as zod errors are.

Test hooks (not part of Infisical):
  --client ID:SECRET      a universal-auth identity (repeatable)
  --project ID            the project id (repeatable); environments: --envs (dev,staging,prod)
  --approval-env ENV      writes in ENV need approval (repeatable)
  --rate-limit-once       the first request answers 429 with Retry-After: 1
  --fail-after-writes K   the (K+1)-th and later secret writes (create/update/delete) answer 500
  --token-uses N          an access token is good for N authenticated requests, then "expired"
  --preempt-create VALUE  before the first secret create, another writer stores VALUE there
  --preempt-update VALUE  before the first secret update, another writer stores VALUE there
  GET /__state            everything stored, the request log and counters, as JSON (no auth)

Prints `READY <port>` on stdout once listening on 127.0.0.1 (--port, 0 = any free port); logs go
to stderr. Standard library only.
"""

import argparse
import datetime
import re
import secrets as rnd
import threading
import uuid
from urllib.parse import parse_qs, unquote, urlsplit

import standin

# JavaScript's String.prototype.trim() whitespace set (WhiteSpace + LineTerminator).
JS_WHITESPACE = "\t\n\x0b\x0c\r \xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
# The server's secret reference syntax (secret-reference-fns: INTERPOLATION_PATTERN).
REFERENCE = re.compile(r"\$\{([^}]+)\}")
# isValidFolderName: alphanumerics, dashes and underscores.
FOLDER_NAME = re.compile(r"^[a-zA-Z0-9_-]+$")


def js_secret_value(val):
    """The create/update schema transform: trim, but keep one trailing newline."""
    if val.endswith("\n"):
        return val.strip(JS_WHITESPACE) + "\n"
    return val.strip(JS_WHITESPACE)


def norm_path(p):
    """`secretPath` as the routes take it: trimmed, default "/", no trailing slash, leading slash."""
    p = (p or "/").strip(JS_WHITESPACE) or "/"
    if not p.startswith("/"):
        p = "/" + p
    while len(p) > 1 and p.endswith("/"):
        p = p[:-1]
    return p


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class ApiError(standin.ApiError):
    """Infisical's error body: {reqId, statusCode, message, error}."""

    def __init__(self, status, error, message, headers=None):
        body = {"reqId": "req-" + rnd.token_hex(6), "statusCode": status, "message": message, "error": error}
        super().__init__(status, body, headers)


def bad_request(msg):
    return ApiError(400, "BadRequest", msg)


def not_found(msg, name="NotFound"):
    return ApiError(404, name, msg)


def validation(issues):
    return ApiError(422, "ValidationFailure", issues)


class State:
    def __init__(self, args):
        self.lock = threading.Lock()
        self.clients = {}
        for pair in args.client:
            cid, _, csec = pair.partition(":")
            self.clients[cid] = csec
        self.projects = set(args.project)
        self.envs = [e for e in args.envs.split(",") if e]
        for e in args.approval_env:
            if e not in self.envs:
                self.envs.append(e)
        self.approval_envs = set(args.approval_env)
        self.rate_limit_pending = args.rate_limit_once
        self.fail_after_writes = args.fail_after_writes
        self.token_uses = args.token_uses
        self.preempt_create = args.preempt_create
        self.preempt_update = args.preempt_update
        # (project, env, path) for every folder; "/" exists in each environment.
        self.folders = {}
        for p in self.projects:
            for e in self.envs:
                self.folders[(p, e, "/")] = {"id": str(uuid.uuid4()), "createdAt": now()}
        self.secrets = {}  # (project, env, path, key) -> dict
        self.tokens = {}  # token -> {"uses": n, "clientId": id}
        self.requests = []
        self.writes = 0
        self.logins = 0
        self.rate_limited = 0
        self.approvals = 0

    def snapshot(self):
        return {
            "secrets": [
                {
                    "projectId": p,
                    "environment": e,
                    "secretPath": path,
                    "secretKey": k,
                    "secretValue": s["value"],
                    "version": s["version"],
                }
                for (p, e, path, k), s in sorted(self.secrets.items())
            ],
            "folders": [
                {"projectId": p, "environment": e, "path": path}
                for (p, e, path) in sorted(self.folders)
            ],
            "requests": list(self.requests),
            "writes": self.writes,
            "logins": self.logins,
            "rateLimited": self.rate_limited,
            "approvals": self.approvals,
        }


class Handler(standin.JsonHandler):
    server_version = "infisical-mock/1"

    def route(self, method):
        st = self.server.state
        url = urlsplit(self.path)
        path = url.path
        query = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        if path == "/__state" and method == "GET":
            with st.lock:
                return self.send_json(200, st.snapshot())
        with st.lock:
            st.requests.append("%s %s" % (method, path))
            if st.rate_limit_pending:
                st.rate_limit_pending = False
                st.rate_limited += 1
                raise ApiError(
                    429,
                    "RateLimitExceeded",
                    "Rate limit exceeded. Please try again in 1 seconds",
                    {"Retry-After": "1"},
                )
            body = self.read_json(None, bad_request("Body is not valid JSON"))
            status, out = self.api(st, method, path, query, body)
        return self.send_json(status, out)

    # -- routing ---------------------------------------------------------------------------------

    def api(self, st, method, path, query, body):
        if path == "/api/status" and method == "GET":
            return 200, {"date": now(), "message": "Ok"}
        if path == "/api/v1/auth/universal-auth/login" and method == "POST":
            return self.login(st, body or {})
        self.authenticate(st)
        m = re.fullmatch(r"/api/v4/secrets/([^/]+)", path)
        if m:
            return self.secret_op(st, method, unquote(m.group(1)), query, body or {}, "projectId")
        m = re.fullmatch(r"/api/v3/secrets/raw/([^/]+)", path)
        if m:
            return self.secret_op(st, method, unquote(m.group(1)), query, body or {}, "workspaceId")
        if path in ("/api/v2/folders", "/api/v2/folders/"):
            if method == "POST":
                return self.create_folder(st, body or {})
            if method == "GET":
                return self.list_folders(st, query)
        raise ApiError(404, "Not Found", "Route %s:%s not found" % (method, path))

    def login(self, st, body):
        cid, csec = body.get("clientId"), body.get("clientSecret")
        issues = [
            {"code": "invalid_type", "expected": "string", "received": "undefined", "path": [f],
             "message": "Required"}
            for f, v in (("clientId", cid), ("clientSecret", csec)) if not isinstance(v, str)
        ]
        if issues:
            raise validation(issues)
        if cid not in st.clients or not rnd.compare_digest(st.clients[cid], csec):
            raise ApiError(401, "UnauthorizedError", "Invalid credentials")
        token = "eyJhbGciOiJIUzI1NiJ9.mock." + rnd.token_urlsafe(24)
        st.tokens[token] = {"uses": 0, "clientId": cid}
        st.logins += 1
        return 200, {
            "accessToken": token,
            "expiresIn": 7200,
            "accessTokenMaxTTL": 7200,
            "tokenType": "Bearer",
        }

    def authenticate(self, st):
        token = self.bearer()
        if not token:
            raise ApiError(401, "UnauthorizedError", "Token missing")
        tok = st.tokens.get(token)
        if tok is None:
            raise ApiError(403, "TokenError", "invalid signature")
        tok["uses"] += 1
        if st.token_uses and tok["uses"] > st.token_uses:
            raise ApiError(403, "TokenError", "Your token has expired. Please re-authenticate.")

    # -- secrets ---------------------------------------------------------------------------------

    def secret_op(self, st, method, name, query, body, project_field):
        src = query if method == "GET" else body
        project = src.get(project_field) or src.get("projectId") or src.get("workspaceId")
        env = src.get("environment")
        issues = []
        if not isinstance(project, str) or not project.strip():
            issues.append({"code": "invalid_type", "path": [project_field], "message": "Required"})
        if not isinstance(env, str) or not env.strip():
            if method != "GET":
                issues.append({"code": "invalid_type", "path": ["environment"], "message": "Required"})
        if method in ("POST",) and not isinstance(body.get("secretValue"), str):
            issues.append({"code": "invalid_type", "path": ["secretValue"], "message": "Required"})
        if method == "PATCH" and "secretValue" in body and not isinstance(body["secretValue"], str):
            issues.append({"code": "invalid_type", "path": ["secretValue"], "message": "Expected string"})
        if method in ("POST", "PATCH") and body.get("type", "shared") not in ("shared", "personal"):
            issues.append({"code": "invalid_enum_value", "path": ["type"], "message": "Invalid enum value"})
        if issues:
            raise validation(issues)
        if method == "GET" and not env:
            raise bad_request("Missing environment")
        project, env = project.strip(), env.strip()
        spath = norm_path(src.get("secretPath"))
        if project not in st.projects:
            raise not_found("Project with ID '%s' not found during bot lookup." % project)
        if (project, env, spath) not in st.folders:
            raise not_found(
                "Folder with path '%s' in environment with slug '%s' not found" % (spath, env),
                {"GET": "GetSecretByName", "POST": "CreateSecret", "PATCH": "UpdateSecret",
                 "DELETE": "DeleteSecret"}[method],
            )
        key = (project, env, spath, name)
        if method == "GET":
            s = st.secrets.get(key)
            if s is None:
                raise not_found("Secret with name '%s' not found" % name)
            view = query.get("viewSecretValue", "true") != "false"
            return 200, {"secret": self.shape(key, s, hidden=not view)}

        if env in st.approval_envs:
            st.approvals += 1
            return 200, {"approval": self.approval(st, key)}
        st.writes += 1
        if st.fail_after_writes is not None and st.writes > st.fail_after_writes:
            raise ApiError(500, "InternalServerError", "Something went wrong")

        if method == "POST":
            if st.preempt_create is not None:
                value, st.preempt_create = st.preempt_create, None
                st.secrets[key] = self.new_secret(value)
            if key in st.secrets:
                raise bad_request("Secret already exist")
            value = js_secret_value(body["secretValue"])
            self.check_references(st, project, env, spath, value)
            st.secrets[key] = self.new_secret(value, body.get("secretComment") or "")
            return 200, {"secret": self.shape(key, st.secrets[key])}
        if method == "PATCH":
            s = st.secrets.get(key)
            if s is None:
                raise not_found("Secret with name %s not found" % name)
            if st.preempt_update is not None:
                value, st.preempt_update = st.preempt_update, None
                s["value"], s["version"], s["updatedAt"] = value, s["version"] + 1, now()
            if "secretValue" in body:
                value = js_secret_value(body["secretValue"])
                self.check_references(st, project, env, spath, value)
                s["value"] = value
            s["version"] += 1
            s["updatedAt"] = now()
            out = self.shape(key, s)
            return 200, {"secret": out}
        if method == "DELETE":
            s = st.secrets.pop(key, None)
            if s is None:
                raise not_found("Secret with name %s not found" % name)
            return 200, {"secret": self.shape(key, s)}
        raise ApiError(404, "Not Found", "Route not found")

    @staticmethod
    def new_secret(value, comment=""):
        t = now()
        return {"id": str(uuid.uuid4()), "value": value, "comment": comment, "version": 1,
                "createdAt": t, "updatedAt": t}

    @staticmethod
    def shape(key, s, hidden=False):
        project, env, spath, name = key
        return {
            "id": s["id"],
            "_id": s["id"],
            "workspace": project,
            "environment": env,
            "version": s["version"],
            "type": "shared",
            "secretKey": name,
            "secretValue": "<hidden-by-infisical>" if hidden else s["value"],
            "secretValueHidden": hidden,
            "secretComment": s["comment"],
            "secretReminderNote": None,
            "secretReminderRepeatDays": None,
            "skipMultilineEncoding": False,
            "createdAt": s["createdAt"],
            "updatedAt": s["updatedAt"],
            "actor": None,
            "isRotatedSecret": False,
            "rotationId": None,
            "secretPath": spath,
            "tags": [],
            "secretMetadata": [],
        }

    @staticmethod
    def approval(st, key):
        project, env, spath, name = key
        t = now()
        return {
            "id": str(uuid.uuid4()),
            "policyId": str(uuid.uuid4()),
            "hasMerged": False,
            "status": "open",
            "conflicts": [],
            "slug": rnd.token_hex(4),
            "folderId": st.folders[(project, env, spath)]["id"],
            "createdAt": t,
            "updatedAt": t,
            "isReplicated": False,
            "committerUserId": None,
            "statusChangedByUserId": None,
            "bypassReason": None,
        }

    @staticmethod
    def check_references(st, project, env, spath, value):
        missing = []
        for ref in REFERENCE.findall(value):
            parts = ref.split(".")
            if len(parts) == 1:
                rkey = (project, env, spath, parts[0])
            else:
                renv, rest = parts[0], parts[1:]
                rkey = (project, renv, norm_path("/".join(rest[:-1])), rest[-1])
            if rkey not in st.secrets:
                missing.append(parts[-1])
        if missing:
            raise bad_request("Referenced secret(s) not found: %s" % ",".join(missing))

    # -- folders ---------------------------------------------------------------------------------

    def create_folder(self, st, body):
        project, env, name = body.get("projectId"), body.get("environment"), body.get("name")
        issues = [
            {"code": "invalid_type", "path": [f], "message": "Required"}
            for f, v in (("projectId", project), ("environment", env), ("name", name))
            if not isinstance(v, str)
        ]
        if not issues and not FOLDER_NAME.match(name.strip()):
            issues.append({"code": "custom", "path": ["name"], "message":
                           "Invalid folder name. Only alphanumeric characters, dashes, and underscores are allowed."})
        if issues:
            raise validation(issues)
        project, env, name = project.strip(), env.strip(), name.strip()
        parent = norm_path(body.get("path"))
        if project not in st.projects:
            raise not_found("Project with ID '%s' not found" % project)
        if env not in st.envs:
            raise not_found(
                "Environment with slug '%s' in project with ID '%s' not found" % (env, project))
        # Idempotent, and missing parents are created (secret-folder-service createFolder).
        segments = [s for s in parent.split("/") if s] + [name]
        cur = ""
        for seg in segments:
            cur = cur + "/" + seg
            st.folders.setdefault((project, env, cur), {"id": str(uuid.uuid4()), "createdAt": now()})
        f = st.folders[(project, env, cur)]
        return 200, {"folder": {
            "id": f["id"], "name": name, "createdAt": f["createdAt"], "updatedAt": f["createdAt"],
            "envId": env, "version": 1, "parentId": None, "isReserved": False,
            "description": body.get("description"), "lastSecretModified": None, "path": cur,
        }}

    def list_folders(self, st, query):
        project, env = query.get("projectId"), query.get("environment")
        if not project or not env:
            raise validation([{"code": "invalid_type", "path": ["projectId"], "message": "Required"}])
        base = norm_path(query.get("path"))
        out = []
        for (p, e, path), f in sorted(st.folders.items()):
            if p != project or e != env or path == "/":
                continue
            parent, _, name = path.rpartition("/")
            if (parent or "/") == base:
                out.append({"id": f["id"], "name": name, "createdAt": f["createdAt"],
                            "updatedAt": f["createdAt"], "envId": env, "version": 1,
                            "parentId": None, "isReserved": False, "description": None,
                            "lastSecretModified": None})
        return 200, {"folders": out}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--client", action="append", default=[], metavar="ID:SECRET")
    ap.add_argument("--project", action="append", default=[])
    ap.add_argument("--envs", default="dev,staging,prod")
    ap.add_argument("--approval-env", action="append", default=[])
    ap.add_argument("--rate-limit-once", action="store_true")
    ap.add_argument("--fail-after-writes", type=int, default=None)
    ap.add_argument("--token-uses", type=int, default=0)
    ap.add_argument("--preempt-create", default=None)
    ap.add_argument("--preempt-update", default=None)
    args = ap.parse_args()

    standin.serve(standin.server(Handler, args.port, State(args)))


if __name__ == "__main__":
    main()
