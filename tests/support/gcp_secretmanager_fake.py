#!/usr/bin/env python3
"""A small stand-in for Google Cloud Secret Manager (REST v1) and Google's OAuth 2.0 token
endpoint, for leakless's `gcp` store tests.

Secret Manager cannot run locally (Google ships no emulator), so this implements the part of the
documented contract that leakless and the official Python client (`google-cloud-secret-manager`
with `transport="rest"`) use. It was written from the REST reference
(https://cloud.google.com/secret-manager/docs/reference/rest: projects.secrets,
projects.secrets.versions), the data-integrity guide (CRC32C `dataCrc32c`), Google's error model
(https://cloud.google.com/apis/design/errors) and the OAuth 2.0 service-account flow
(https://developers.google.com/identity/protocols/oauth2/service-account, RFC 7523):

- POST /token (form): grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer with an RS256 JWT
  `assertion`, verified with the service account's public key (the `cryptography` package): the
  signature, `kid`, `iss` (the client_email), `aud` (the token_uri), `scope`, and a lifetime of
  at most an hour around now; or grant_type=refresh_token with an authorized user's client id,
  client secret and refresh token. -> {access_token, expires_in, token_type}; errors are
  {"error": "invalid_grant", "error_description": ...} with HTTP 400 (401 "invalid_client").
- Every /v1 route needs `Authorization: Bearer <token>`: none or unknown -> 401 UNAUTHENTICATED;
  a read-only token writing, or an unknown project -> 403 PERMISSION_DENIED.
- GET  /v1/projects/{p}/secrets[?pageSize&pageToken&filter=labels.K=V]   list, paginated
- POST /v1/projects/{p}/secrets?secretId=ID  {replication, labels, annotations}
      ID must match [A-Za-z0-9_-]{1,255}; replication is required; 409 ALREADY_EXISTS.
- GET  /v1/projects/{p}/secrets/{s}          404 NOT_FOUND when absent
- DELETE /v1/projects/{p}/secrets/{s}
- POST /v1/projects/{p}/secrets/{s}:addVersion {payload: {data: base64, dataCrc32c}}
      A checksum that does not match the data is 400 INVALID_ARGUMENT; payloads over 64 KiB too.
      Versions are numbered 1, 2, ... in order of creation.
- GET  /v1/projects/{p}/secrets/{s}/versions[?pageSize&pageToken]   newest first, paginated
- GET  /v1/projects/{p}/secrets/{s}/versions/{v}                    metadata
- GET  /v1/projects/{p}/secrets/{s}/versions/{v|latest}:access     {name, payload{data, dataCrc32c}}
      `latest` is the most recently created version; a DISABLED or DESTROYED one is 400
      FAILED_PRECONDITION; no secret or no version is 404 NOT_FOUND.
- POST /v1/projects/{p}/secrets/{s}/versions/{v}:disable | :enable | :destroy
  Resource names in answers use the project *number*, as Google's do; requests may use the id or
  the number. Errors are {"error": {"code", "message", "status"}}.

Test hooks (not part of Google's API):
  --project ID:NUMBER       a project (repeatable)
  --token TOKEN             a static access token (repeatable); --read-only-token TOKEN likewise
                            (a self-signed JWT of the service account is accepted as a bearer
                            token too, as Google does: the official client library sends one)
  --service-account FILE    generate an RSA key, write a service-account JSON key file whose
                            token_uri is this server's /token
  --authorized-user FILE    write an authorized_user credentials file for this server
  --external-account FILE   write an external_account (workload identity federation) file as
                            google-github-actions/auth does: a URL-sourced OIDC token (GET /oidc
                            with a bearer request token), exchanged at POST /sts/v1/token, then at
                            POST /iamcredentials/v1/projects/-/serviceAccounts/EMAIL:generateAccessToken
  --token-uses N            an issued token is good for N authenticated requests, then "expired"
  --fail-after-writes K     after K accepted versions, every create/addVersion answers 503
  --preempt-add VALUE       just before the first addVersion, another writer adds VALUE there
  --rate-limit-once         the first /v1 request answers 429 RESOURCE_EXHAUSTED
  GET /computeMetadata/v1/instance/service-accounts/default/token and .../project/project-id
                            the GCE metadata server's token and project (Metadata-Flavor: Google)
  GET /__state              everything stored, the request log and counters, the last JWT
                            assertion accepted and the service account's public key, as JSON

Prints `READY <port>` on stdout once listening on 127.0.0.1; logs go to stderr.
"""

import argparse
import base64
import datetime
import json
import re
import secrets as rnd
import threading
import time
from urllib.parse import parse_qs, unquote, urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

import standin

SECRET_ID = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
LABEL_KEY = re.compile(r"^[a-z][a-z0-9_-]{0,62}$")
LABEL_VALUE = re.compile(r"^[a-z0-9_-]{0,63}$")
ANNOTATION_KEY = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$")
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
MAX_PAYLOAD = 64 * 1024


def _crc32c_table():
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


CRC_TABLE = _crc32c_table()


def crc32c(data):
    """CRC-32C (Castagnoli), as Secret Manager computes it."""
    c = 0xFFFFFFFF
    for b in data:
        c = CRC_TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def now_rfc3339():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def b64url_decode(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


class ApiError(standin.ApiError):
    """Google's error body: {"error": {"code", "message", "status"}}."""

    def __init__(self, code, status, message):
        super().__init__(code, {"error": {"code": code, "message": message, "status": status}})


class State:
    def __init__(self, args):
        self.lock = threading.Lock()
        self.projects = {}  # id -> number
        for p in args.project or ["test-project:123456789012"]:
            pid, _, num = p.partition(":")
            self.projects[pid] = num or "123456789012"
        self.tokens = {t: {"uses": None, "write": True} for t in args.token}
        self.tokens.update({t: {"uses": None, "write": False} for t in args.read_only_token})
        self.token_uses = args.token_uses
        self.fail_after_writes = args.fail_after_writes
        self.preempt_add = args.preempt_add
        self.rate_limit_once = args.rate_limit_once
        self.secrets = {}  # (number, id) -> secret dict with "versions": [version dict]
        self.requests = []
        self.writes = 0
        self.tokens_issued = 0
        self.jwt_grants = 0
        self.refresh_grants = 0
        self.metadata_grants = 0
        self.last_assertion = None
        self.external = None  # {audience, oidc, request_token, email}
        self.federated = set()
        self.sts_grants = 0
        self.impersonations = 0
        self.service_account = None  # {email, key_id, public_key, token_uri}
        self.authorized_user = None  # {client_id, client_secret, refresh_token}

    def project_number(self, p):
        if p in self.projects:
            return self.projects[p]
        if p in self.projects.values():
            return p
        raise ApiError(403, "PERMISSION_DENIED",
                       "Permission denied on resource project %s." % p)


STATE = None


def secret_json(num, sid, s):
    return {
        "name": "projects/%s/secrets/%s" % (num, sid),
        "replication": s["replication"],
        "createTime": s["createTime"],
        "labels": s["labels"],
        "annotations": s["annotations"],
        "etag": '"%s"' % s["etag"],
    }


def version_json(num, sid, v):
    out = {
        "name": "projects/%s/secrets/%s/versions/%d" % (num, sid, v["n"]),
        "createTime": v["createTime"],
        "state": v["state"],
        "replicationStatus": {"automatic": {}},
        "etag": '"%s"' % v["etag"],
        "clientSpecifiedPayloadChecksum": v["clientChecksum"],
    }
    if v["state"] == "DESTROYED":
        out["destroyTime"] = v.get("destroyTime", v["createTime"])
    return out


def paginate(items, query, key):
    try:
        size = int(query.get("pageSize", ["0"])[0] or 0)
        start = int(query.get("pageToken", ["0"])[0] or 0) if query.get("pageToken", [""])[0] else 0
    except ValueError:
        raise ApiError(400, "INVALID_ARGUMENT", "Invalid page size or page token.")
    if size <= 0:
        size = 25
    page, nxt = standin.window(items, start, min(size, 25000))
    out = {key: page, "totalSize": len(items)}
    if nxt is not None:
        out["nextPageToken"] = str(nxt)
    return out


class Handler(standin.JsonHandler):
    content_type = "application/json; charset=UTF-8"

    def server_bug(self, exc):
        return ApiError(500, "INTERNAL", "stand-in bug: %r" % (exc,))

    def route(self, method):
        url = urlsplit(self.path)
        path = unquote(url.path)
        query = parse_qs(url.query)
        raw = self.read_body()
        st = STATE
        if path == "/__state" and method == "GET":
            with st.lock:
                return self.send_json(200, dump_state(st))
        with st.lock:
            st.requests.append("%s %s" % (method, path))
        if path == "/token" and method == "POST":
            return self.token(raw)
        if path.startswith("/computeMetadata/v1/"):
            return self.metadata(method, path)
        if path in ("/oidc", "/sts/v1/token") or path.startswith("/iamcredentials/"):
            return self.federation(method, path, raw)
        if not path.startswith("/v1/"):
            raise ApiError(404, "NOT_FOUND", "The requested URL was not found on this server.")
        with st.lock:
            self.authenticate(method)
            return self.api(method, path[len("/v1/"):], query, raw)

    # --- OAuth 2.0 -------------------------------------------------------------------------

    def token(self, raw):
        st = STATE
        form = {k: v[0] for k, v in parse_qs(raw.decode("ascii", "replace")).items()}
        grant = form.get("grant_type", "")

        def oauth_error(code, err, desc):
            return self.send_json(code, {"error": err, "error_description": desc})

        with st.lock:
            if grant == JWT_BEARER:
                problem = verify_jwt(st, form.get("assertion", ""))
                if problem:
                    return oauth_error(400, "invalid_grant", problem)
                st.jwt_grants += 1
                st.last_assertion = form.get("assertion", "")
            elif grant == "refresh_token":
                au = st.authorized_user
                if not au or form.get("client_id") != au["client_id"] or form.get("client_secret") != au["client_secret"]:
                    return oauth_error(401, "invalid_client", "The OAuth client was not found.")
                if form.get("refresh_token") != au["refresh_token"]:
                    return oauth_error(400, "invalid_grant", "Bad Request")
                st.refresh_grants += 1
            else:
                return oauth_error(400, "unsupported_grant_type", "Invalid grant_type: %s" % grant[:40])
            token = "ya29.fake-" + rnd.token_urlsafe(32)
            st.tokens[token] = {"uses": st.token_uses or None, "write": True}
            st.tokens_issued += 1
        return self.send_json(200, {"access_token": token, "expires_in": 3599, "token_type": "Bearer"})

    def metadata(self, method, path):
        """The two routes of the GCE metadata server leakless uses (Metadata-Flavor required)."""
        st = STATE
        if self.headers.get("Metadata-Flavor") != "Google":
            return self.send_text(403, "Missing Metadata-Flavor:Google header.")
        if method == "GET" and path == "/computeMetadata/v1/project/project-id":
            return self.send_text(200, next(iter(st.projects)))
        if method == "GET" and path == "/computeMetadata/v1/instance/service-accounts/default/token":
            with st.lock:
                token = "ya29.metadata-" + rnd.token_urlsafe(32)
                st.tokens[token] = {"uses": st.token_uses or None, "write": True}
                st.tokens_issued += 1
                st.metadata_grants += 1
            return self.send_json(200, {"access_token": token, "expires_in": 3599, "token_type": "Bearer"})
        return self.send_text(404, "Not found.")

    def federation(self, method, path, raw):
        """Workload identity federation as google-github-actions/auth sets it up: the CI's OIDC
        token endpoint (/oidc, GitHub's ACTIONS_ID_TOKEN_REQUEST_URL), Google's STS token
        exchange (RFC 8693) and IAM Credentials' generateAccessToken."""
        st = STATE
        ext = st.external
        if ext is None:
            raise ApiError(404, "NOT_FOUND", "not configured")
        if path == "/oidc" and method == "GET":
            if self.headers.get("Authorization") != "bearer " + ext["request_token"]:
                return self.send_json(401, {"message": "Bad credentials"})
            return self.send_json(200, {"count": 1, "value": ext["oidc"]})
        if path == "/sts/v1/token" and method == "POST":
            form = {k: v[0] for k, v in parse_qs(raw.decode("ascii", "replace")).items()}
            checks = [
                form.get("grant_type") == "urn:ietf:params:oauth:grant-type:token-exchange",
                form.get("audience") == ext["audience"],
                form.get("subject_token_type") == "urn:ietf:params:oauth:token-type:jwt",
                form.get("requested_token_type") == "urn:ietf:params:oauth:token-type:access_token",
                "https://www.googleapis.com/auth/cloud-platform" in form.get("scope", "").split(),
            ]
            if not all(checks):
                return self.send_json(400, {"error": "invalid_request", "error_description": "Invalid token exchange request."})
            if form.get("subject_token") != ext["oidc"]:
                return self.send_json(400, {"error": "invalid_grant", "error_description": "The given subject token is invalid."})
            with st.lock:
                fed = "ya29.federated-" + rnd.token_urlsafe(24)
                st.federated.add(fed)
                st.sts_grants += 1
            return self.send_json(200, {"access_token": fed, "issued_token_type": "urn:ietf:params:oauth:token-type:access_token",
                                        "token_type": "Bearer", "expires_in": 3600})
        want = "/iamcredentials/v1/projects/-/serviceAccounts/%s:generateAccessToken" % ext["email"]
        if path == want and method == "POST":
            auth = self.headers.get("Authorization", "")
            if auth[len("Bearer "):] not in st.federated:
                raise ApiError(401, "UNAUTHENTICATED", "Request had invalid authentication credentials.")
            body = json.loads(raw or b"{}")
            if "https://www.googleapis.com/auth/cloud-platform" not in body.get("scope", []):
                raise ApiError(400, "INVALID_ARGUMENT", "scope is required")
            with st.lock:
                token = "ya29.impersonated-" + rnd.token_urlsafe(24)
                st.tokens[token] = {"uses": None, "write": True}
                st.impersonations += 1
            expire = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
            return self.send_json(200, {"accessToken": token, "expireTime": expire})
        raise ApiError(404, "NOT_FOUND", "Not found.")

    def send_text(self, code, text):
        data = text.encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/text")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    # --- Secret Manager --------------------------------------------------------------------

    def authenticate(self, method):
        st = STATE
        bearer = self.bearer()
        if bearer is None:
            raise ApiError(401, "UNAUTHENTICATED",
                           "Request is missing required authentication credential. Expected OAuth 2 access token, "
                           "login cookie or other valid authentication credential.")
        tok = st.tokens.get(bearer)
        if tok is None and bearer.count(".") == 2 and verify_jwt(st, bearer, self_signed=True) is None:
            # A self-signed JWT used directly as the bearer token, as Google's client libraries
            # do for service accounts.
            tok = {"uses": None, "write": True}
        if tok is None or tok["uses"] == 0:
            raise ApiError(401, "UNAUTHENTICATED",
                           "Request had invalid authentication credentials. Expected OAuth 2 access token, login "
                           "cookie or other valid authentication credential.")
        if tok["uses"] is not None:
            tok["uses"] -= 1
        if method != "GET" and not tok["write"]:
            raise ApiError(403, "PERMISSION_DENIED",
                           "Permission 'secretmanager.versions.add' denied for resource (or it may not exist).")
        if st.rate_limit_once:
            st.rate_limit_once = False
            raise ApiError(429, "RESOURCE_EXHAUSTED",
                           "Quota exceeded for quota metric 'Access requests' of service 'secretmanager.googleapis.com'.")

    def api(self, method, path, query, raw):
        st = STATE
        m = re.fullmatch(r"projects/([^/]+)/secrets(?:/([^/:]+)(?:/versions(?:/([^/:]+))?)?)?(?::(\w+))?", path)
        if not m:
            raise ApiError(404, "NOT_FOUND", "The requested URL /v1/%s was not found on this server." % path)
        project, sid, ver, verb = m.group(1), m.group(2), m.group(3), m.group(4)
        versions_route = "/versions" in path
        num = st.project_number(project)
        if sid is None:
            if verb:
                raise ApiError(404, "NOT_FOUND", "Unknown method.")
            if method == "GET":
                return self.send_json(200, self.list_secrets(num, query))
            if method == "POST":
                return self.send_json(200, self.create_secret(num, query, raw))
            raise ApiError(405, "METHOD_NOT_ALLOWED", "Method not allowed.")
        key = (num, sid)
        s = st.secrets.get(key)
        name = "projects/%s/secrets/%s" % (num, sid)
        if not versions_route:
            if verb == "addVersion" and method == "POST":
                return self.send_json(200, self.add_version(num, sid, raw))
            if verb:
                raise ApiError(404, "NOT_FOUND", "Unknown method %s." % verb)
            if s is None:
                raise ApiError(404, "NOT_FOUND", "Secret [%s] not found." % name)
            if method == "GET":
                return self.send_json(200, secret_json(num, sid, s))
            if method == "DELETE":
                del st.secrets[key]
                return self.send_json(200, {})
            raise ApiError(405, "METHOD_NOT_ALLOWED", "Method not allowed.")
        if s is None:
            raise ApiError(404, "NOT_FOUND", "Secret [%s] not found or has no versions." % name)
        if ver is None:
            if method != "GET" or verb:
                raise ApiError(405, "METHOD_NOT_ALLOWED", "Method not allowed.")
            items = [version_json(num, sid, v) for v in reversed(s["versions"])]
            return self.send_json(200, paginate(items, query, "versions"))
        if ver == "latest":
            v = s["versions"][-1] if s["versions"] else None
        else:
            v = next((v for v in s["versions"] if str(v["n"]) == ver), None)
        if v is None:
            raise ApiError(404, "NOT_FOUND", "Secret Version [%s/versions/%s] not found." % (name, ver))
        vname = "%s/versions/%d" % (name, v["n"])
        if verb == "access" and method == "GET":
            if v["state"] != "ENABLED":
                raise ApiError(400, "FAILED_PRECONDITION", "Secret Version [%s] is in %s state." % (vname, v["state"]))
            payload = {"dataCrc32c": str(crc32c(v["data"]))}
            if v["data"]:
                payload["data"] = base64.b64encode(v["data"]).decode()
            return self.send_json(200, {"name": vname, "payload": payload})
        if verb in ("disable", "enable", "destroy") and method == "POST":
            if v["state"] == "DESTROYED":
                raise ApiError(400, "FAILED_PRECONDITION", "Secret Version [%s] is in DESTROYED state." % vname)
            v["state"] = {"disable": "DISABLED", "enable": "ENABLED", "destroy": "DESTROYED"}[verb]
            if verb == "destroy":
                v["data"] = b""
                v["destroyTime"] = now_rfc3339()
            v["etag"] = rnd.token_hex(8)
            return self.send_json(200, version_json(num, sid, v))
        if verb is None and method == "GET":
            return self.send_json(200, version_json(num, sid, v))
        raise ApiError(404, "NOT_FOUND", "Unknown method.")

    def list_secrets(self, num, query):
        st = STATE
        items = []
        flt = query.get("filter", [""])[0].strip()
        label = None
        if flt:
            fm = re.fullmatch(r"labels\.([a-z][a-z0-9_-]*)\s*[=:]\s*([a-z0-9_-]*)", flt)
            if not fm:
                raise ApiError(400, "INVALID_ARGUMENT", "The stand-in only filters by labels.KEY=VALUE.")
            label = (fm.group(1), fm.group(2))
        for (n, sid), s in sorted(st.secrets.items(), key=lambda kv: kv[1]["createTime"]):
            if n != num:
                continue
            if label and s["labels"].get(label[0]) != label[1]:
                continue
            items.append(secret_json(n, sid, s))
        return paginate(items, query, "secrets")

    def check_writable(self):
        st = STATE
        if st.fail_after_writes is not None and st.writes >= st.fail_after_writes:
            raise ApiError(503, "UNAVAILABLE", "The service is currently unavailable.")

    def create_secret(self, num, query, raw):
        st = STATE
        sid = query.get("secretId", [""])[0]
        if not SECRET_ID.match(sid):
            raise ApiError(400, "INVALID_ARGUMENT",
                           "Secret ID must be at most 255 characters of letters, digits, '-' and '_'.")
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            raise ApiError(400, "INVALID_ARGUMENT", "Invalid JSON payload received.")
        rep = body.get("replication")
        if not isinstance(rep, dict) or not (
            isinstance(rep.get("automatic"), dict)
            or (isinstance(rep.get("userManaged"), dict) and rep["userManaged"].get("replicas"))
        ):
            raise ApiError(400, "INVALID_ARGUMENT", "Secret.replication is required.")
        labels = body.get("labels") or {}
        for k, v in labels.items():
            if not LABEL_KEY.match(k) or not isinstance(v, str) or not LABEL_VALUE.match(v):
                raise ApiError(400, "INVALID_ARGUMENT", "Invalid label %r." % k)
        annotations = body.get("annotations") or {}
        size = 0
        for k, v in annotations.items():
            if not ANNOTATION_KEY.match(k) or not isinstance(v, str):
                raise ApiError(400, "INVALID_ARGUMENT", "Invalid annotation key %r." % k)
            size += len(k.encode()) + len(v.encode())
        if size > 16384:
            raise ApiError(400, "INVALID_ARGUMENT", "Annotations exceed 16 KiB.")
        self.check_writable()
        if (num, sid) in st.secrets:
            raise ApiError(409, "ALREADY_EXISTS", "Secret [projects/%s/secrets/%s] already exists." % (num, sid))
        s = {"replication": rep, "labels": labels, "annotations": annotations,
             "createTime": now_rfc3339(), "etag": rnd.token_hex(8), "versions": []}
        st.secrets[(num, sid)] = s
        return secret_json(num, sid, s)

    def add_version(self, num, sid, raw):
        st = STATE
        s = st.secrets.get((num, sid))
        if s is None:
            raise ApiError(404, "NOT_FOUND", "Secret [projects/%s/secrets/%s] not found." % (num, sid))
        try:
            body = json.loads(raw or b"{}")
            payload = body.get("payload") or {}
            data = base64.b64decode(payload.get("data", ""), validate=True)
        except ValueError:
            raise ApiError(400, "INVALID_ARGUMENT", "Invalid JSON payload received.")
        if len(data) > MAX_PAYLOAD:
            raise ApiError(400, "INVALID_ARGUMENT", "Secret payload data must be no larger than 64KiB.")
        given = payload.get("dataCrc32c", payload.get("data_crc32c"))
        if given is not None:
            try:
                given = int(given)
            except (TypeError, ValueError):
                raise ApiError(400, "INVALID_ARGUMENT", "Invalid value at 'payload.data_crc32c'.")
            if given != crc32c(data):
                raise ApiError(400, "INVALID_ARGUMENT",
                               "Checksum mismatch: the data_crc32c does not match the payload data.")
        self.check_writable()
        if st.preempt_add is not None:
            other, st.preempt_add = st.preempt_add, None
            new_version(s, other.encode(), False)
        v = new_version(s, data, given is not None)
        st.writes += 1
        return version_json(num, sid, v)


def new_version(s, data, client_checksum):
    v = {"n": len(s["versions"]) + 1, "data": data, "state": "ENABLED", "createTime": now_rfc3339(),
         "etag": rnd.token_hex(8), "clientChecksum": client_checksum}
    s["versions"].append(v)
    return v


def verify_jwt(st, assertion, self_signed=False):
    """None when `assertion` is a valid JWT-bearer grant for the service account (or, with
    `self_signed`, a valid self-signed JWT bearer token: audience the API or a scope), else why."""
    sa = st.service_account
    if sa is None:
        return "No service account is configured."
    parts = assertion.split(".")
    if len(parts) != 3:
        return "Invalid JWT: not three dot-separated parts."
    try:
        header = json.loads(b64url_decode(parts[0]))
        claims = json.loads(b64url_decode(parts[1]))
        signature = b64url_decode(parts[2])
    except ValueError:
        return "Invalid JWT: not base64url JSON."
    if header.get("alg") != "RS256":
        return "Invalid JWT: alg must be RS256."
    if "kid" in header and header["kid"] != sa["key_id"]:
        return "Invalid JWT Signature."
    try:
        sa["public_key"].verify(signature, (parts[0] + "." + parts[1]).encode("ascii"),
                                padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return "Invalid JWT Signature."
    if claims.get("iss") != sa["email"]:
        return "Invalid JWT: iss is not the service account."
    scoped = "https://www.googleapis.com/auth/cloud-platform" in str(claims.get("scope", "")).split()
    if self_signed:
        if claims.get("sub", sa["email"]) != sa["email"]:
            return "Invalid JWT: sub is not the service account."
        if not scoped and claims.get("aud") != "https://secretmanager.googleapis.com/":
            return "Invalid JWT: neither the API audience nor a scope."
    elif claims.get("aud") != sa["token_uri"]:
        return "Invalid JWT: aud must be the token endpoint."
    elif not scoped:
        return "Invalid JWT: the cloud-platform scope is missing."
    now = time.time()
    iat, exp = claims.get("iat"), claims.get("exp")
    if not isinstance(iat, int) or not isinstance(exp, int) or exp - iat > 3600 or iat > now + 300 or exp < now:
        return "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe."
    return None


def dump_state(st):
    secrets = []
    for (num, sid), s in sorted(st.secrets.items()):
        versions = []
        for v in s["versions"]:
            versions.append({
                "n": v["n"], "state": v["state"], "clientChecksum": v["clientChecksum"],
                "value": v["data"].decode("utf-8", "replace"),
                "data": base64.b64encode(v["data"]).decode(),
            })
        secrets.append({"project": num, "id": sid, "labels": s["labels"], "annotations": s["annotations"],
                        "replication": s["replication"], "versions": versions})
    return {"secrets": secrets, "requests": st.requests, "writes": st.writes,
            "tokensIssued": st.tokens_issued, "jwtGrants": st.jwt_grants, "refreshGrants": st.refresh_grants,
            "metadataGrants": st.metadata_grants,
            "stsGrants": st.sts_grants, "impersonations": st.impersonations, "lastAssertion": st.last_assertion,
            "publicKeyPem": st.service_account["public_pem"] if st.service_account else None}


def main():
    global STATE
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--project", action="append", default=[], metavar="ID:NUMBER")
    ap.add_argument("--token", action="append", default=[])
    ap.add_argument("--read-only-token", action="append", default=[])
    ap.add_argument("--service-account", metavar="FILE")
    ap.add_argument("--authorized-user", metavar="FILE")
    ap.add_argument("--external-account", metavar="FILE")
    ap.add_argument("--token-uses", type=int, default=0)
    ap.add_argument("--fail-after-writes", type=int, default=None)
    ap.add_argument("--preempt-add", default=None)
    ap.add_argument("--rate-limit-once", action="store_true")
    args = ap.parse_args()
    STATE = State(args)
    server = standin.server(Handler, args.port)
    port = server.server_address[1]
    token_uri = "http://127.0.0.1:%d/token" % port
    project_id = next(iter(STATE.projects))
    if args.service_account:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        key_id = rnd.token_hex(20)
        email = "leakless-test@%s.iam.gserviceaccount.com" % project_id
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
        public_pem = key.public_key().public_bytes(serialization.Encoding.PEM,
                                                   serialization.PublicFormat.SubjectPublicKeyInfo).decode()
        STATE.service_account = {"email": email, "key_id": key_id, "public_key": key.public_key(),
                                 "public_pem": public_pem, "token_uri": token_uri}
        with open(args.service_account, "w") as f:
            json.dump({"type": "service_account", "project_id": project_id, "private_key_id": key_id,
                       "private_key": pem, "client_email": email, "client_id": "1" * 21,
                       "auth_uri": "https://accounts.google.com/o/oauth2/auth", "token_uri": token_uri,
                       "universe_domain": "googleapis.com"}, f, indent=2)
    if args.authorized_user:
        au = {"client_id": "764086051850-fake.apps.googleusercontent.com",
              "client_secret": "GOCSPX-" + rnd.token_urlsafe(21), "refresh_token": "1//0g" + rnd.token_urlsafe(40)}
        STATE.authorized_user = au
        with open(args.authorized_user, "w") as f:
            json.dump(dict(au, type="authorized_user", token_uri=token_uri), f, indent=2)
    if args.external_account:
        base = "http://127.0.0.1:%d" % port
        number = STATE.projects[project_id]
        ext = {"audience": "//iam.googleapis.com/projects/%s/locations/global/workloadIdentityPools/ci/providers/github" % number,
               "oidc": "eyJhbGciOiJSUzI1NiJ9." + rnd.token_urlsafe(48), "request_token": rnd.token_urlsafe(24),
               "email": "deployer@%s.iam.gserviceaccount.com" % project_id}
        STATE.external = ext
        with open(args.external_account, "w") as f:
            json.dump({"type": "external_account", "audience": ext["audience"],
                       "subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
                       "token_url": base + "/sts/v1/token",
                       "service_account_impersonation_url": base + "/iamcredentials/v1/projects/-/serviceAccounts/%s:generateAccessToken" % ext["email"],
                       "credential_source": {"url": base + "/oidc?audience=" + ext["audience"],
                                             "headers": {"Authorization": "bearer " + ext["request_token"]},
                                             "format": {"type": "json", "subject_token_field_name": "value"}}}, f, indent=2)
    standin.serve(server)


if __name__ == "__main__":
    main()
