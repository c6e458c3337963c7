#!/usr/bin/env python3
"""A small stand-in for the Doppler REST API v3, for leakless's `doppler` store tests.

No Doppler server can run on the test machines, so this implements the part of the documented
contract the store (and the official Python SDK, `doppler-sdk`) uses. It was written from the API
reference (https://docs.doppler.com/reference: "Secrets" Retrieve / List / Update, "Configs" List,
"Authentication", "Errors", "Rate limits") and the SDK's models:

- Every route needs `Authorization: Bearer <token>`: none or unknown -> 401
  {"messages": ["Invalid Auth token"], "success": false}.
- GET /v3/me -> the token's description {slug, name, created_at, last_seen_at, token_preview,
  workplace, type}.
- A service token (`dp.st.<config>.<random>`) is scoped to one project and config, which it then
  implies: `project`/`config` may be left out; naming another one -> 403. Other tokens
  (`dp.pt.`, `dp.sa.`) must name both -> else 400.
- GET /v3/configs/config/secret?project&config&name -> {"success", "name", "value": {"raw",
  "computed", "note"}}; absent -> 404 "Could not find requested secret"; unknown project or config
  -> 404 "Could not find requested project" / "... config".
- GET /v3/configs/config/secrets?project&config -> {"success", "secrets": {NAME: {raw, computed,
  note}}} including the managed DOPPLER_PROJECT / DOPPLER_CONFIG / DOPPLER_ENVIRONMENT.
- POST /v3/configs/config/secrets {project, config, secrets: {NAME: value}} or
  {..., change_requests: [{name, value, originalName?, originalValue?}]} -> {"success", "secrets"}.
  Names must be [A-Z0-9_] not starting with a digit, DOPPLER_* is reserved -> 400. A change
  request with `originalValue` applies only if the secret holds it (Doppler's documented check);
  one without `originalName` for a name that exists is refused (our reading of "omit this
  parameter for new secrets") -> 400 naming `originalValue` / "already exists".
- `computed` expands ${NAME} references to other secrets of the config.
- GET /v3/configs?project&page&per_page -> {"configs": [...], "page", "success"} (paged).
- 429 {"messages": ["Rate limit exceeded..."]} with Retry-After when throttled.

Test hooks (not part of Doppler):
  --project NAME                  the project (configs: dev, stg, prd, plus --config)
  --config NAME                   another config of the project (repeatable)
  --token TOKEN                   a personal / service-account token for the project (repeatable)
  --service-token TOKEN:CONFIG    a service token for one config (repeatable)
  --read-only TOKEN               that service token cannot write
  --rate-limit-once               the first request answers 429 with Retry-After: 1
  --fail-after-writes K           the (K+1)-th and later secret writes answer 500
  --preempt-update VALUE          before the first overwrite, another writer stores VALUE there
  --preempt-create VALUE          before the first create, another writer stores VALUE there
  GET /__state                    everything stored and counters, as JSON (no auth)

Prints `READY <port>` once listening on 127.0.0.1; logs go to stderr and never hold a value.
"""

import argparse
import re
import threading
from urllib.parse import parse_qs, urlsplit

import standin

NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")
REF = re.compile(r"\$\{([^}]+)\}")


class ApiError(standin.ApiError):
    """Doppler's error body: {"messages": [...], "success": false}."""

    def __init__(self, status, message, headers=None):
        super().__init__(status, {"messages": [message], "success": False}, headers)


class State:
    def __init__(self, a):
        self.lock = threading.Lock()
        self.project = a.project
        self.configs = {c: {} for c in ["dev", "stg", "prd"] + a.config}
        self.tokens = set(a.token)
        self.service = dict(t.rsplit(":", 1) for t in a.service_token)
        self.read_only = set(a.read_only)
        self.rate_limit = a.rate_limit_once
        self.fail_after_writes = a.fail_after_writes
        self.preempt_update = a.preempt_update
        self.preempt_create = a.preempt_create
        self.writes = 0
        self.rate_limited = 0
        self.requests = []


def computed(secrets, value, depth=0):
    if depth > 8:
        return value
    return REF.sub(lambda m: computed(secrets, secrets.get(m.group(1), ""), depth + 1), value)


def listing(st, config):
    secrets = st.configs[config]
    out = {
        k: {"raw": v, "computed": computed(secrets, v), "note": ""} for k, v in sorted(secrets.items())
    }
    env = {"dev": "dev", "stg": "stg", "prd": "prd"}.get(config, config.split("_")[0])
    for k, v in (("DOPPLER_PROJECT", st.project), ("DOPPLER_CONFIG", config), ("DOPPLER_ENVIRONMENT", env)):
        out[k] = {"raw": v, "computed": v, "note": ""}
    return out


class Handler(standin.JsonHandler):
    server_version = "DopplerFake/1"

    def route(self, method):
        st = self.server.state
        url = urlsplit(self.path)
        q = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        with st.lock:
            st.requests.append(f"{method} {url.path}")
            if url.path == "/__state" and method == "GET":
                return self.send_json(200, {
                    "configs": st.configs,
                    "writes": st.writes,
                    "rateLimited": st.rate_limited,
                    "requests": st.requests,
                })
            token = self.auth(st)
            if url.path == "/v3/me" and method == "GET":
                service = token in st.service
                return self.send_json(200, {
                    "slug": "tok_" + str(abs(hash(token)) % 10**8), "name": "test token",
                    "created_at": "2026-12-01T00:00:00.000Z", "last_seen_at": None,
                    "token_preview": token[:10] + "…" + token[-4:],
                    "workplace": {"slug": "wp", "name": "Workplace"},
                    "type": "service_token" if service else "personal",
                })
            if st.rate_limit:
                st.rate_limit = False
                st.rate_limited += 1
                raise ApiError(429, "Rate limit exceeded. Please retry after the time in the Retry-After header.", {"Retry-After": "1"})
            body = {}
            if method == "POST":
                body = self.read_json({}, ApiError(400, "Invalid JSON body"))
                if not isinstance(body, dict):
                    raise ApiError(400, "Invalid JSON body")
            if url.path == "/v3/configs" and method == "GET":
                return self.list_configs(st, token, q)
            params = body if method == "POST" else q
            config = self.scope(st, token, params.get("project"), params.get("config"))
            if url.path == "/v3/configs/config/secret" and method == "GET":
                name = q.get("name") or ""
                if name not in st.configs[config]:
                    raise ApiError(404, "Could not find requested secret")
                v = st.configs[config][name]
                return self.send_json(200, {"success": True, "name": name,
                                            "value": {"raw": v, "computed": computed(st.configs[config], v), "note": ""}})
            if url.path == "/v3/configs/config/secrets" and method == "GET":
                return self.send_json(200, {"success": True, "secrets": listing(st, config)})
            if url.path == "/v3/configs/config/secrets" and method == "POST":
                if token in st.read_only:
                    raise ApiError(403, "This token does not have write access")
                return self.update(st, config, body)
            raise ApiError(404, "Not found")

    def auth(self, st):
        token = self.bearer() or ""
        if token not in st.tokens and token not in st.service:
            raise ApiError(401, "Invalid Auth token")
        return token

    def scope(self, st, token, project, config):
        if token in st.service:
            own = st.service[token]
            if (project and project != st.project) or (config and config != own):
                raise ApiError(403, "This token does not have access to requested project or config")
            return own
        if not project:
            raise ApiError(400, "Invalid project: a project is required")
        if not config:
            raise ApiError(400, "Invalid config: a config is required")
        if project != st.project:
            raise ApiError(404, "Could not find requested project")
        if config not in st.configs:
            raise ApiError(404, "Could not find requested config")
        return config

    def list_configs(self, st, token, q):
        if token in st.service:
            raise ApiError(403, "Service tokens cannot list configs")
        if q.get("project") != st.project:
            raise ApiError(404, "Could not find requested project")
        page, per = int(q.get("page") or 1), int(q.get("per_page") or 20)
        chunk, _ = standin.window(sorted(st.configs), (page - 1) * per, per)
        configs = [{"name": c, "project": st.project, "environment": c.split("_")[0], "root": "_" not in c,
                    "locked": False} for c in chunk]
        return self.send_json(200, {"configs": configs, "page": page, "success": True})

    def update(self, st, config, body):
        secrets = st.configs[config]
        has_s, has_c = body.get("secrets") is not None, body.get("change_requests") is not None
        if has_s == has_c:
            raise ApiError(400, "Either secrets or change_requests is required (can't use both)")
        changes = []
        if has_s:
            if not isinstance(body["secrets"], dict):
                raise ApiError(400, "secrets must be an object")
            changes = [{"name": k, "value": v, "originalName": k if k in secrets else None} for k, v in body["secrets"].items()]
        else:
            if not isinstance(body["change_requests"], list):
                raise ApiError(400, "change_requests must be a list")
            changes = body["change_requests"]
        for c in changes:
            name = c.get("name")
            if not isinstance(name, str) or not NAME.match(name):
                raise ApiError(400, "Secret names must contain only uppercase letters, numbers, and underscores, and cannot start with a number")
            if name.startswith("DOPPLER_"):
                raise ApiError(400, "Secret names starting with DOPPLER_ are reserved")
            if c.get("value") is not None and not isinstance(c["value"], str):
                raise ApiError(400, "Secret values must be strings")
        st.writes += 1
        if st.fail_after_writes is not None and st.writes > st.fail_after_writes:
            raise ApiError(500, "Internal server error")
        for c in changes:
            name = c["name"]
            if has_c and c.get("originalName") and st.preempt_update is not None and name in secrets:
                secrets[name], st.preempt_update = st.preempt_update, None
            if has_c and not c.get("originalName") and st.preempt_create is not None and name not in secrets:
                secrets[name], st.preempt_create = st.preempt_create, None
            if has_c and not c.get("originalName") and name in secrets:
                raise ApiError(400, f"Secret {name} already exists")
            if "originalValue" in c and c["originalValue"] is not None and secrets.get(name) != c["originalValue"]:
                raise ApiError(400, f"Secret {name} does not match the provided originalValue")
        for c in changes:
            if c.get("value") is None and c.get("shouldDelete"):
                secrets.pop(c["name"], None)
            elif c.get("value") is not None:
                secrets[c["name"]] = c["value"]
        return self.send_json(200, {"success": True, "secrets": listing(st, config)})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--project", default="shop")
    ap.add_argument("--config", action="append", default=[])
    ap.add_argument("--token", action="append", default=[])
    ap.add_argument("--service-token", action="append", default=[])
    ap.add_argument("--read-only", action="append", default=[])
    ap.add_argument("--rate-limit-once", action="store_true")
    ap.add_argument("--fail-after-writes", type=int, default=None)
    ap.add_argument("--preempt-update", default=None)
    ap.add_argument("--preempt-create", default=None)
    a = ap.parse_args()
    standin.serve(standin.server(Handler, state=State(a)))


if __name__ == "__main__":
    main()
