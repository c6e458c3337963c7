#!/usr/bin/env python3
"""A small stand-in for Azure Key Vault secrets and the Microsoft Entra token endpoint, for
leakless's `azure` store tests.

No Key Vault can run on the test machines, so this implements the part of the documented contract
the store (and the official Python SDK, `azure-keyvault-secrets` with `azure-identity`) uses, over
TLS as Key Vault insists on. It was written from the Key Vault REST reference (Secrets, api-version
7.4/7.5: Get Secret, Set Secret, Get Secret Versions, Get Secrets, Delete Secret, "Common
parameters and headers", "Authentication, requests, and responses") and the Microsoft identity
platform's client-credentials flow (OAuth 2.0 token endpoint v2.0):

- POST /{tenant}/oauth2/v2.0/token (form: grant_type=client_credentials, client_id,
  client_secret, scope=https://vault.azure.net/.default) -> {token_type, expires_in,
  ext_expires_in, access_token}; a bad secret -> 401 {"error": "invalid_client",
  "error_description": "AADSTS7000215: ..."}; an unknown tenant -> 400 "invalid_request"
  AADSTS90002; a wrong scope -> 400 "invalid_scope" AADSTS70011.
- GET /{tenant}/v2.0/.well-known/openid-configuration: the tenant discovery document MSAL reads.
- Vault routes need `Authorization: Bearer <token>`: none or unknown -> 401 with
  `WWW-Authenticate: Bearer authorization="https://<host>/<tenant>", resource="https://vault.azure.net"`
  (the challenge the SDK answers) and {"error": {"code": "Unauthorized", "message": "AKV10000..."}}.
  Every vault route needs `api-version` (7.0 .. 7.6, or the dated versions newer SDKs send, such
  as 2025-07-01), else 400 BadParameter. A trailing `/` after the name is accepted, as the SDK
  sends one.
- PUT /secrets/{name} {value, tags?, contentType?} -> a new version (SecretBundle: value, id
  https://<host>/secrets/{name}/{version}, attributes, tags). Names are `[0-9a-zA-Z-]{1,127}` and
  case-insensitive (the first spelling is kept); a deleted (soft-delete) name -> 409 Conflict.
- GET /secrets/{name}[/{version}] -> the bundle; absent -> 404 SecretNotFound.
- GET /secrets/{name}/versions and GET /secrets: pages of `maxresults` (default 25) items with a
  `nextLink` carrying `$skiptoken`, as the service pages.
- DELETE /secrets/{name} -> DeletedSecretBundle; the name is then deleted-but-recoverable.

Test hooks (not part of Key Vault):
  --tenant ID --client ID:SECRET   the service principal (client credentials)
  --token TOKEN                    an access token accepted as is (repeatable)
  --token-uses N                   an issued token is good for N vault requests, then 401
  --throttle-once                  the first vault request answers 429 with Retry-After: 1
  --fail-after-writes K            the (K+1)-th and later PUTs answer 500
  --preempt-write VALUE            just before the first PUT, another writer adds a version VALUE
  --deleted NAME                   NAME starts deleted-but-recoverable (repeatable)
  --forbid-writes                  PUT answers 403 Forbidden (ForbiddenByRbac)
  --page-size N                    list pages hold at most N items whatever `maxresults` asks (the
                                   service may return fewer items than asked, with a nextLink)
  GET /__state on the plain-HTTP state port: everything stored and counters, as JSON

Prints `READY <tls-port> <state-port>` once listening on 127.0.0.1; logs go to stderr and never
hold a value or a token.
"""

import argparse
import json
import re
import ssl
import threading
import time
import uuid
from urllib.parse import parse_qs, urlsplit

import standin

NAME = re.compile(r"^[0-9a-zA-Z-]{1,127}$")
VERSIONS = re.compile(r"^(7\.[0-6](-preview)?|20[12][0-9]-[01][0-9]-[0-3][0-9](-preview)?)$")
RESOURCE = "https://vault.azure.net"


class ApiError(standin.ApiError):
    """Key Vault's error body: {"error": {"code", "message", "innererror"?}}."""

    def __init__(self, status, code, message, inner=None, headers=None):
        body = {"error": {"code": code, "message": message}}
        if inner:
            body["error"]["innererror"] = {"code": inner}
        super().__init__(status, body, headers)


class State:
    def __init__(self, args):
        self.lock = threading.Lock()
        self.tenant = args.tenant
        self.clients = dict(c.split(":", 1) for c in args.client)
        self.static_tokens = set(args.token)
        self.issued = {}  # token -> uses left (None = unlimited)
        self.token_uses = args.token_uses
        self.throttle = args.throttle_once
        self.fail_after_writes = args.fail_after_writes
        self.preempt = args.preempt_write
        self.forbid_writes = args.forbid_writes
        self.page_size = args.page_size
        # lower-case name -> {"name": first spelling, "versions": [bundle...], "deleted": bool}
        self.secrets = {}
        for name in args.deleted:
            self.secrets[name.lower()] = {"name": name, "versions": [], "deleted": True}
        self.puts = 0
        self.logins = 0
        self.throttled = 0
        self.requests = []
        self.origin = ""


def now():
    return int(time.time())


def bundle_of(st, entry, version):
    out = {
        "value": version["value"],
        "id": f"{st.origin}/secrets/{entry['name']}/{version['version']}",
        "attributes": {
            "enabled": True,
            "created": version["created"],
            "updated": version["created"],
            "recoveryLevel": "Recoverable+Purgeable",
            "recoverableDays": 90,
        },
        "tags": version["tags"],
    }
    if version.get("contentType") is not None:
        out["contentType"] = version["contentType"]
    return out


def item_of(st, entry, version, with_version):
    sid = f"{st.origin}/secrets/{entry['name']}"
    if with_version:
        sid += "/" + version["version"]
    out = {
        "id": sid,
        "attributes": bundle_of(st, entry, version)["attributes"],
        "tags": version["tags"],
    }
    if version.get("contentType") is not None:
        out["contentType"] = version["contentType"]
    return out


def page(st, items, path, query):
    try:
        size = int(query.get("maxresults", ["25"])[0])
    except ValueError:
        raise ApiError(400, "BadParameter", "maxresults must be an integer")
    if not 1 <= size <= 25:
        raise ApiError(400, "BadParameter", "maxresults must be between 1 and 25")
    skip = int(query.get("$skiptoken", ["0"])[0] or 0)
    size = min(size, st.page_size or size)
    chunk, nxt = standin.window(items, skip, size)
    link = None
    if nxt is not None:
        api = query["api-version"][0]
        link = f"{st.origin}{path}?api-version={api}&$skiptoken={nxt}&maxresults={size}"
    return {"value": chunk, "nextLink": link}


class Handler(standin.JsonHandler):
    server_version = "AzureKeyVaultFake/1"

    def route(self, method):
        st = self.server.state
        url = urlsplit(self.path)
        query = parse_qs(url.query, keep_blank_values=True)
        raw = self.read_body()
        with st.lock:
            # A later page (`$skiptoken`) is logged as such, so tests see paging followed.
            st.requests.append(f"{method} {url.path}" + (" (next page)" if "$skiptoken" in query else ""))
            if self.server.is_state_port:
                if url.path == "/__state":
                    return self.send_json(200, self.state_json(st))
                raise ApiError(404, "NotFound", "state port: only GET /__state")
            m = re.fullmatch(r"/([^/]+)/oauth2/v2\.0/token", url.path)
            if m and method == "POST":
                return self.token(st, m.group(1), raw)
            m = re.fullmatch(r"/([^/]+)/v2\.0/\.well-known/openid-configuration", url.path)
            if m and method == "GET":
                return self.discovery(st, m.group(1))
            self.vault(st, method, url.path, query, raw)

    def state_json(self, st):
        return {
            "secrets": {
                k: {
                    "name": v["name"],
                    "deleted": v["deleted"],
                    "versions": [
                        {"version": x["version"], "value": x["value"], "tags": x["tags"]}
                        for x in v["versions"]
                    ],
                }
                for k, v in st.secrets.items()
            },
            "puts": st.puts,
            "logins": st.logins,
            "throttled": st.throttled,
            "requests": st.requests,
        }

    def discovery(self, st, tenant):
        if tenant != st.tenant:
            raise ApiError(400, "invalid_tenant", "AADSTS90002: Tenant not found.")
        base = f"{st.origin}/{tenant}"
        return self.send_json(
            200,
            {
                "token_endpoint": f"{base}/oauth2/v2.0/token",
                "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
                "issuer": f"{base}/v2.0",
                "jwks_uri": f"{base}/discovery/v2.0/keys",
                "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
                "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            },
        )

    def token(self, st, tenant, raw):
        form = {k: v[0] for k, v in parse_qs(raw.decode("utf-8", "replace")).items()}

        def oauth_error(status, error, desc):
            body = {
                "error": error,
                "error_description": f"{desc} Trace ID: {uuid.uuid4()} Correlation ID: {uuid.uuid4()} "
                "Timestamp: 2026-12-06 12:00:00Z",
                "error_codes": [int(desc[6:desc.index(':')])],
            }
            self.send_json(status, body)

        if tenant != st.tenant:
            return oauth_error(400, "invalid_request", f"AADSTS90002: Tenant '{tenant}' not found.")
        if form.get("grant_type") != "client_credentials":
            return oauth_error(400, "unsupported_grant_type", "AADSTS70003: The app requested an unsupported grant type.")
        cid, secret = form.get("client_id"), form.get("client_secret")
        if cid not in st.clients:
            return oauth_error(400, "unauthorized_client", f"AADSTS700016: Application with identifier '{cid}' was not found.")
        if st.clients[cid] != secret:
            return oauth_error(401, "invalid_client", "AADSTS7000215: Invalid client secret provided.")
        if form.get("scope") != RESOURCE + "/.default":
            return oauth_error(400, "invalid_scope", "AADSTS70011: The provided value for the input parameter 'scope' is not valid.")
        token = "eyJ0eXAiOiJKV1QifQ." + uuid.uuid4().hex + uuid.uuid4().hex
        st.issued[token] = st.token_uses or None
        st.logins += 1
        return self.send_json(200, {"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": token})

    def authorize(self, st):
        challenge = {
            "WWW-Authenticate": f'Bearer authorization="{st.origin}/{st.tenant}", resource="{RESOURCE}"'
        }
        token = self.bearer()
        if token is None:
            raise ApiError(401, "Unauthorized", "AKV10000: Request is missing a Bearer or PoP token.", headers=challenge)
        if token in st.static_tokens:
            return
        if token in st.issued:
            left = st.issued[token]
            if left is None:
                return
            if left > 0:
                st.issued[token] = left - 1
                return
        raise ApiError(401, "Unauthorized", "AKV10032: Invalid issuer. The token is expired or not valid.", headers=challenge)

    def vault(self, st, method, path, query, raw):
        if not path.startswith("/secrets"):
            raise ApiError(404, "NotFound", "Not found")
        self.authorize(st)
        if st.throttle:
            st.throttle = False
            st.throttled += 1
            raise ApiError(
                429,
                "Throttled",
                "Request was not processed because too many requests were received. Reason: VaultRequestTypeLimitReached",
                headers={"Retry-After": "1"},
            )
        api = query.get("api-version", [""])[0]
        if not VERSIONS.match(api):
            raise ApiError(400, "BadParameter", "The specified version (%s) is not recognized." % api if api else "The 'api-version' query parameter is missing.")
        parts = [p for p in path.split("/")[2:] if p]
        if path in ("/secrets", "/secrets/") and method == "GET":
            items = [
                item_of(st, e, e["versions"][-1], False)
                for _, e in sorted(st.secrets.items())
                if not e["deleted"] and e["versions"]
            ]
            return self.send_json(200, page(st, items, "/secrets", query))
        if not parts or not NAME.match(parts[0]):
            raise ApiError(400, "BadParameter", "The request URI contains an invalid name: %s" % (parts[0] if parts else ""))
        name = parts[0]
        entry = st.secrets.get(name.lower())
        live = entry if entry and not entry["deleted"] and entry["versions"] else None

        def not_found():
            return ApiError(404, "SecretNotFound", f"A secret with (name/id) {name} was not found in this key vault. "
                            "If you recently deleted this secret you may be able to recover it using the correct recovery command.")

        if len(parts) == 1 and method == "PUT":
            return self.put(st, name, entry, raw)
        if len(parts) == 1 and method == "GET":
            if not live:
                raise not_found()
            return self.send_json(200, bundle_of(st, live, live["versions"][-1]))
        if len(parts) == 1 and method == "DELETE":
            if not live:
                raise not_found()
            live["deleted"] = True
            b = bundle_of(st, live, live["versions"][-1])
            b.update({"recoveryId": f"{st.origin}/deletedsecrets/{live['name']}", "deletedDate": now(), "scheduledPurgeDate": now() + 90 * 86400})
            return self.send_json(200, b)
        if len(parts) == 2 and parts[1] == "versions" and method == "GET":
            if not live:
                raise not_found()
            items = [item_of(st, live, v, True) for v in live["versions"]]
            return self.send_json(200, page(st, items, f"/secrets/{live['name']}/versions", query))
        if len(parts) == 2 and method == "GET":
            if not live:
                raise not_found()
            for v in live["versions"]:
                if v["version"] == parts[1].lower():
                    return self.send_json(200, bundle_of(st, live, v))
            raise not_found()
        raise ApiError(405, "MethodNotAllowed", "The requested resource does not support this method.")

    def put(self, st, name, entry, raw):
        if st.forbid_writes:
            raise ApiError(403, "Forbidden", "Caller is not authorized to perform action on resource.", inner="ForbiddenByRbac")
        try:
            body = json.loads(raw or b"null")
        except ValueError:
            raise ApiError(400, "BadParameter", "The request body is not valid JSON.")
        if not isinstance(body, dict) or not isinstance(body.get("value"), str):
            raise ApiError(400, "BadParameter", "Property value is required and must be a string.")
        tags = body.get("tags") or {}
        if not isinstance(tags, dict) or len(tags) > 15 or any(
            not isinstance(v, str) or len(k) > 512 or len(v) > 256 for k, v in tags.items()
        ):
            raise ApiError(400, "BadParameter", "Tags must be at most 15 string pairs (names 512, values 256 characters).")
        if len(body["value"].encode()) > 25 * 1024:
            raise ApiError(400, "BadParameter", "Secret value exceeds 25 KB.")
        if entry and entry["deleted"]:
            raise ApiError(409, "Conflict", f"Secret {name} is currently in a deleted but recoverable state, and its name cannot be reused; "
                           "in this state, the secret can only be recovered or purged.", inner="ObjectIsDeletedButRecoverable")
        st.puts += 1
        if st.fail_after_writes is not None and st.puts > st.fail_after_writes:
            raise ApiError(500, "InternalServerError", "An unexpected error occurred.")
        if entry is None:
            entry = {"name": name, "versions": [], "deleted": False}
            st.secrets[name.lower()] = entry
        if st.preempt is not None:
            value, st.preempt = st.preempt, None
            entry["versions"].append({"version": uuid.uuid4().hex, "value": value, "tags": {}, "created": now()})
        version = {"version": uuid.uuid4().hex, "value": body["value"], "tags": tags, "created": now(), "contentType": body.get("contentType")}
        entry["versions"].append(version)
        return self.send_json(200, bundle_of(st, entry, version))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--host", default="127.0.0.1", help="the host name in ids and links")
    ap.add_argument("--tenant", default="00000000-0000-0000-0000-000000000000")
    ap.add_argument("--client", action="append", default=[])
    ap.add_argument("--token", action="append", default=[])
    ap.add_argument("--token-uses", type=int, default=0)
    ap.add_argument("--throttle-once", action="store_true")
    ap.add_argument("--fail-after-writes", type=int, default=None)
    ap.add_argument("--preempt-write", default=None)
    ap.add_argument("--deleted", action="append", default=[])
    ap.add_argument("--forbid-writes", action="store_true")
    ap.add_argument("--page-size", type=int, default=0)
    args = ap.parse_args()
    state = State(args)

    tls = standin.server(Handler, state=state)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.cert, args.key)
    tls.socket = ctx.wrap_socket(tls.socket, server_side=True)
    tls.is_state_port = False
    plain = standin.server(Handler, state=state)
    plain.is_state_port = True
    state.origin = f"https://{args.host}:{tls.server_address[1]}"
    standin.serve(tls, plain)


if __name__ == "__main__":
    main()
