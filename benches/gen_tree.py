#!/usr/bin/env python3
"""Synthetic benchmark tree for leakless: a source-like monorepo with 12 planted fake secrets.

Usage:
    python3 benches/gen_tree.py OUT_DIR [--size-mb 320] [--seed 42] [--force]

Writes a tree of at least --size-mb MiB (default 320: ~200 directories, ~20k files) of
code-looking text: Python, JS/TS, Go, Rust, Java, YAML, JSON, Markdown, TOML, .env.example,
Dockerfiles, shell, HTML, CSS, package-lock.json files and minified .min.js bundles. The text is
deliberately heavy in the words secret scanners key on ("token", "secret", "key", "password",
"api", "auth", "client") and in high-entropy but harmless strings (UUIDs, git SHAs, hex digests,
base64 blobs, sha512 integrity hashes), with placeholders (`${API_TOKEN}`, `<your-key>`)
where a value would be a credential.

Exactly 12 fake secrets are planted; OUT_DIR/PLANTED.txt lists them as `path:line:kind` (path
relative to OUT_DIR, line 1-based, the line where the secret starts).

Everything is derived from --seed (Python stdlib only), so the same seed gives the same tree.
The tree is built in OUT_DIR.partial and renamed to OUT_DIR when complete; PLANTED.txt is
written last, so its presence marks a complete tree.
"""

from __future__ import annotations

import argparse
import zlib
import base64
import os
import re
import shutil
import string
import sys
import time
from random import Random

KIB = 1024
MIB = 1024 * 1024

# --------------------------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------------------------

WORDS = """
user account session request response handler client server config settings cache store queue
worker job task event message payload record item order invoice payment customer profile tenant
project repo build release deploy metric trace span log logger router route endpoint service
registry provider factory manager controller resolver validator parser encoder decoder serializer
buffer stream channel pool conn connection transport retry backoff timeout limit rate window batch
chunk page cursor index schema table column field query filter sort migration snapshot state
context scope policy role permission grant audit webhook callback signature header cookie nonce
hash digest cert tls cipher vault identity principal login signup upload download file blob bucket
object region zone cluster node host port addr url path prefix suffix name label tag version status
result error warning notify email sms template render view model form input output reader writer
lock mutex guard counter gauge histogram sample plugin module option flag feature toggle
""".split()

# Words that make scanners work: weighted in heavily.
SEC_WORDS = """
token secret key password api auth client credential oauth bearer access refresh apikey private
signing passwd pass secret token key api auth client
""".split()

VERBS = """
validate refresh rotate load parse fetch cache encode decode store resolve sign verify redact mask
hash serialize normalize retry emit flush close open handle build register lookup create update
delete list sync merge split apply compute check ensure init reset start stop send receive read
write export import issue revoke exchange renew
""".split()

PHRASES = """
auth token|api key|client secret|session cookie|password hash|signing key|refresh token|bearer
header|request payload|config map|retry budget|access token|oauth client|api client|secret store|
key rotation|token cache|credential provider|client id|webhook signature|tls certificate|private
key path|service account|basic auth header|api gateway|rate limiter|connection pool|user session|
password reset link|auth middleware|token endpoint|secret manager|encryption key id|key ring|
audit log|cursor position|upload buffer|tenant config|feature flag|metrics exporter
""".replace("\n", " ").split("|")
PHRASES = [p.strip() for p in PHRASES]

FIRST_NAMES = "alice bob carol dave erin frank grace heidi ivan judy mallory oscar peggy trent".split()

HOSTS = [
    "api.example.com", "auth.example.com", "docs.example.org", "status.example.net",
    "github.com/acme-corp/platform", "registry.npmjs.org", "pypi.org/simple", "crates.io/crates",
    "login.example.com/oauth2", "storage.example.com/v1", "grafana.internal.example.com",
    "vault.service.consul:8200", "localhost:8080", "127.0.0.1:5432", "sentry.example.io",
    "hooks.example.com/services", "cdn.example.net/assets", "accounts.example.com",
]

PLACEHOLDERS = [
    "${API_TOKEN}", "${CLIENT_SECRET}", "${AUTH_TOKEN}", "${DB_PASSWORD}", "${SECRET_KEY}",
    "<your-key>", "<your-api-key>", "<client-secret>", "<token>", "YOUR_API_KEY",
    "YOUR_CLIENT_SECRET", "changeme", "REPLACE_ME", "xxxx-xxxx-xxxx", "{{ .Values.auth.token }}",
    "%(password)s", "example-token", "dummy-secret", "<redacted>", "TODO", "${{ secrets.API_KEY }}",
    "$(cat /run/secrets/api_key)", "env:API_KEY", "vault:secret/data/app#token",
]

# Names for values that look random but are not credentials (no secret-ish word in them).
DIGEST_NAMES = [
    "checksum", "sha256", "digest", "commit", "revision", "etag", "content_hash", "build_id",
    "trace_id", "request_id", "object_id", "snapshot_id", "fingerprint_sha", "layer_digest",
    "git_sha", "source_rev", "image_digest", "cache_version",
]


def _cap(w: str) -> str:
    return w[:1].upper() + w[1:]


class Vocab:
    """Pre-generated pools, so per-file work is mostly random.choice and str.join."""

    def __init__(self, r: Random) -> None:
        self.r = r
        words = WORDS + SEC_WORDS * 3
        self.snake = []
        self.camel = []
        self.pascal = []
        self.upper = []
        self.kebab = []
        for _ in range(3000):
            n = r.choice((1, 2, 2, 2, 3, 3))
            parts = [r.choice(words) for _ in range(n)]
            self.snake.append("_".join(parts))
            self.camel.append(parts[0] + "".join(_cap(p) for p in parts[1:]))
            self.pascal.append("".join(_cap(p) for p in parts))
            self.upper.append("_".join(p.upper() for p in parts))
            self.kebab.append("-".join(parts))
        secish = ("token", "secret", "key", "pass", "auth", "api", "client", "cred", "access", "private", "signing", "bearer")
        self.sec_snake = [s for s in self.snake if any(w in s for w in secish)]
        # names that carry digests/ids: free of credential-ish words, so a hex value next to them
        # is plausibly harmless
        self.plain_upper = [s for s in self.upper if not any(w.upper() in s for w in secish)]
        self.plain_camel = [c for s, c in zip(self.snake, self.camel) if not any(w in s for w in secish)]
        self.plain_snake = [s for s in self.snake if not any(w in s for w in secish + ("vault",))]
        self.sec_upper = [s.upper() for s in self.sec_snake]
        self.sentences = [self._sentence() for _ in range(3000)]
        self.messages = [self._message() for _ in range(1500)]
        self.hex40 = [self.hexs(40) for _ in range(800)]
        self.hex64 = [self.hexs(64) for _ in range(800)]
        self.hex32 = [self.hexs(32) for _ in range(400)]
        self.uuids = [self.uuid() for _ in range(1500)]
        self.b64 = [base64.b64encode(r.randbytes(r.randint(24, 120))).decode() for _ in range(600)]
        self.urls = [self._url() for _ in range(800)]

    def hexs(self, n: int) -> str:
        return format(self.r.getrandbits(n * 4), f"0{n}x")

    def uuid(self) -> str:
        h = self.hexs(32)
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:32]}"

    def _sentence(self) -> str:
        r = self.r
        t = r.randrange(9)
        v, p, q = r.choice(VERBS), r.choice(PHRASES), r.choice(PHRASES)
        if t == 0:
            s = f"{_cap(v)} the {p} before the {q} is used."
        elif t == 1:
            s = f"TODO({r.choice(FIRST_NAMES)}): {v} the {p} lazily; see {r.choice(self.snake) if self.snake else 'x'}."
        elif t == 2:
            s = f"NOTE: never log the {p}; the {q} is redacted upstream."
        elif t == 3:
            s = f"Returns the {p} for the given {q}, or None when it has expired."
        elif t == 4:
            s = f"FIXME: {v} fails when the {p} contains a trailing newline."
        elif t == 5:
            s = f"The {p} is read from the environment (see .env.example), never hard-coded."
        elif t == 6:
            s = f"{_cap(v)}s the {p} and caches the {q} for {r.choice((30, 60, 300, 900, 3600))}s."
        elif t == 7:
            s = f"Keep the {p} and the {q} in sync with the {r.choice(('secret store', 'vault', 'key ring', 'config map'))}."
        else:
            s = f"Deprecated: use {r.choice(VERBS)}_{r.choice(SEC_WORDS)}() instead of passing the {p} directly."
        return s

    def _message(self) -> str:
        r = self.r
        t = r.randrange(6)
        v, p = r.choice(VERBS), r.choice(PHRASES)
        if t == 0:
            return f"failed to {v} {p}: %s"
        if t == 1:
            return f"{p} is missing or empty"
        if t == 2:
            return f"{v}ing {p} for tenant %s"
        if t == 3:
            return f"invalid {p} (expected {r.randint(16, 64)} bytes)"
        if t == 4:
            return f"{p} expired, refreshing"
        return f"unauthorized: {p} rejected by {r.choice(HOSTS).split('/')[0]}"

    def _url(self) -> str:
        r = self.r
        host = r.choice(HOSTS)
        scheme = "http" if host.startswith(("localhost", "127.")) else "https"
        segs = "/".join(r.choice(self.kebab) for _ in range(r.randint(0, 3)))
        q = f"?{r.choice(self.snake)}={r.randint(1, 999)}" if r.random() < 0.2 else ""
        return f"{scheme}://{host}/{segs}{q}".replace("//?", "/?")

    # -- quick pickers --
    def ident(self) -> str:
        return self.r.choice(self.snake)

    def sec(self) -> str:
        return self.r.choice(self.sec_snake)

    def placeholder(self) -> str:
        return self.r.choice(PLACEHOLDERS)

    def noise_value(self) -> str:
        """A harmless but 'interesting' string value."""
        r = self.r
        t = r.randrange(8)
        if t == 0:
            return r.choice(self.uuids)
        if t == 1:
            return r.choice(self.hex40)
        if t == 2:
            return "sha256:" + r.choice(self.hex64)
        if t == 3:
            return r.choice(self.urls)
        if t == 4:
            return r.choice(self.messages)
        if t == 5:
            return r.choice(self.placeholder_pool())
        if t == 6:
            return r.choice(self.kebab)
        return f"/v{r.randint(1, 3)}/{r.choice(self.kebab)}/{{id}}"

    def placeholder_pool(self) -> list[str]:
        return PLACEHOLDERS


def comment_lines(v: Vocab, prefix: str, n: int, indent: str = "") -> str:
    return "".join(f"{indent}{prefix} {v.r.choice(v.sentences)}\n" for _ in range(n))


# --------------------------------------------------------------------------------------------
# Code blocks per language. Each returns a self-contained top-level chunk ending in a blank line.
# --------------------------------------------------------------------------------------------


def py_expr(v: Vocab) -> str:
    r = v.r
    t = r.randrange(10)
    if t == 0:
        return f'os.environ.get("{r.choice(v.sec_upper)}", "")'
    if t == 1:
        return f'"{v.placeholder()}"'
    if t == 2:
        return f'"{r.choice(v.uuids)}"'
    if t == 3:
        return f"self.{v.ident()}.{r.choice(VERBS)}({v.ident()})"
    if t == 4:
        return f'{{"{v.sec()}": {v.ident()}, "{v.ident()}": {r.randint(0, 5000)}}}'
    if t == 5:
        return f'f"{r.choice(v.urls)}?{v.ident()}={{{v.ident()}}}"'
    if t == 6:
        return f"{v.ident()}.get({v.sec()!r}) or {v.ident()}"
    if t == 7:
        return f"{r.choice(v.pascal)}({v.ident()}={v.ident()}, timeout={r.randint(1, 120)})"
    if t == 8:
        return str(r.randint(0, 100000))
    return f"len({v.ident()}) > {r.randint(0, 64)}"


def py_stmt(v: Vocab, ind: str) -> str:
    r = v.r
    t = r.randrange(9)
    if t == 0:
        return f"{ind}{v.ident()} = {py_expr(v)}\n"
    if t == 1:
        return f"{ind}if not {v.sec()}:\n{ind}    raise {r.choice(v.pascal)}Error(\"{r.choice(v.messages)}\")\n"
    if t == 2:
        return f"{ind}for {v.ident()} in {v.ident()}:\n{ind}    {v.ident()}.{r.choice(VERBS)}({v.ident()})\n"
    if t == 3:
        return f"{ind}logger.{r.choice(('debug', 'info', 'warning'))}(\"{r.choice(v.messages)}\", {v.ident()})\n"
    if t == 4:
        return f"{ind}# {r.choice(v.sentences)}\n"
    if t == 5:
        return f"{ind}{v.sec()} = self._{r.choice(VERBS)}_{r.choice(SEC_WORDS)}({v.ident()})\n"
    if t == 6:
        return f"{ind}headers[\"Authorization\"] = f\"Bearer {{{v.sec()}}}\"\n"
    if t == 7:
        return f"{ind}{r.choice(DIGEST_NAMES)} = \"{r.choice(v.hex64 if r.random() < 0.5 else v.hex40)}\"\n"
    return f"{ind}{v.ident()}.{r.choice(VERBS)}({py_expr(v)})\n"


def py_block(v: Vocab) -> str:
    r = v.r
    t = r.randrange(5)
    if t == 0:  # class
        name = r.choice(v.pascal)
        out = [f"class {name}({r.choice(('object', 'BaseModel', 'Protocol', r.choice(v.pascal)))}):\n",
               f'    """{r.choice(v.sentences)}"""\n\n']
        for _ in range(r.randint(1, 3)):
            out.append(f"    {v.sec()}: str = \"{v.placeholder()}\"\n")
        out.append("\n")
        for _ in range(r.randint(2, 4)):
            args = ", ".join(["self"] + [v.ident() for _ in range(r.randint(0, 3))])
            out.append(f"    def {r.choice(VERBS)}_{v.ident()}({args}):\n")
            out.append(f'        """{r.choice(v.sentences)}"""\n')
            out.extend(py_stmt(v, "        ") for _ in range(r.randint(2, 7)))
            out.append(f"        return {py_expr(v)}\n\n")
        return "".join(out) + "\n"
    if t == 1:  # constants / settings
        out = [comment_lines(v, "#", r.randint(1, 2))]
        for _ in range(r.randint(4, 12)):
            k = r.random()
            if k < 0.4:
                out.append(f'{r.choice(v.sec_upper)} = os.environ.get("{r.choice(v.sec_upper)}", "{v.placeholder()}")\n')
            elif k < 0.6:
                out.append(f'{r.choice(v.plain_upper)}_{r.choice(DIGEST_NAMES).upper()} = "{r.choice(v.hex64)}"\n')
            elif k < 0.8:
                out.append(f'{r.choice(v.upper)}_URL = "{r.choice(v.urls)}"\n')
            else:
                out.append(f"{r.choice(v.upper)} = {r.randint(0, 86400)}\n")
        return "".join(out) + "\n\n"
    if t == 2:  # test
        out = [f"def test_{v.ident()}_{r.choice(VERBS)}({v.ident()}, monkeypatch):\n"]
        out.append(f'    monkeypatch.setenv("{r.choice(v.sec_upper)}", "{v.placeholder()}")\n')
        out.extend(py_stmt(v, "    ") for _ in range(r.randint(2, 6)))
        out.append(f'    assert {v.ident()}.{r.choice(DIGEST_NAMES)} == "{r.choice(v.hex40)}"\n')
        out.append(f'    assert {v.ident()}["id"] == "{r.choice(v.uuids)}"\n\n\n')
        return "".join(out)
    # function
    dec = f"@{r.choice(('retry', 'lru_cache', 'app.route', 'require_auth', 'timed'))}({r.choice(('', 'maxsize=128', repr('/' + r.choice(v.kebab))))})\n" if r.random() < 0.4 else ""
    args = ", ".join(v.ident() for _ in range(r.randint(1, 4)))
    out = [dec, f"def {r.choice(VERBS)}_{v.ident()}({args}, *, {v.sec()}=None):\n",
           f'    """{r.choice(v.sentences)}\n\n    {r.choice(v.sentences)}\n    """\n']
    out.extend(py_stmt(v, "    ") for _ in range(r.randint(3, 12)))
    out.append(f"    return {py_expr(v)}\n\n\n")
    return "".join(out)


def py_header(v: Vocab, name: str) -> str:
    r = v.r
    mods = ["os", "json", "logging", "hashlib", "hmac", "base64", "time", "typing", "dataclasses",
            "requests", "httpx", "jwt", "boto3", "pydantic", "sqlalchemy"]
    imps = "".join(f"import {m}\n" for m in sorted(r.sample(mods, r.randint(3, 7))))
    frm = "".join(f"from .{v.ident()} import {r.choice(v.pascal)}, {v.ident()}\n" for _ in range(r.randint(1, 4)))
    return f'"""{name}: {r.choice(v.sentences)}"""\n\n{imps}\n{frm}\nlogger = logging.getLogger(__name__)\n\n\n'


def js_expr(v: Vocab) -> str:
    r = v.r
    t = r.randrange(8)
    if t == 0:
        return f"process.env.{r.choice(v.sec_upper)}"
    if t == 1:
        return f"'{v.placeholder()}'"
    if t == 2:
        return f"await this.{r.choice(v.camel)}.{r.choice(VERBS)}({r.choice(v.camel)})"
    if t == 3:
        return f"{{ {r.choice(v.camel)}: {r.choice(v.camel)}, {r.choice(v.camel)}: '{r.choice(v.uuids)}' }}"
    if t == 4:
        return f"`{r.choice(v.urls)}/${{{r.choice(v.camel)}}}`"
    if t == 5:
        return f"{r.choice(v.camel)}?.{r.choice(v.camel)} ?? {r.randint(0, 1000)}"
    if t == 6:
        return f"new {r.choice(v.pascal)}({{ {r.choice(v.camel)}, timeout: {r.randint(100, 30000)} }})"
    return f"'{r.choice(v.hex40)}'"


def js_stmt(v: Vocab, ind: str, ts: bool) -> str:
    r = v.r
    t = r.randrange(8)
    typ = f": {r.choice(('string', 'number', 'boolean', r.choice(v.pascal)))}" if ts and r.random() < 0.5 else ""
    if t == 0:
        return f"{ind}const {r.choice(v.camel)}{typ} = {js_expr(v)};\n"
    if t == 1:
        return f"{ind}if (!{r.choice(v.camel)}) {{\n{ind}  throw new Error('{r.choice(v.messages)}');\n{ind}}}\n"
    if t == 2:
        return f"{ind}for (const {r.choice(v.camel)} of {r.choice(v.camel)}) {{\n{ind}  {r.choice(v.camel)}.{r.choice(VERBS)}({r.choice(v.camel)});\n{ind}}}\n"
    if t == 3:
        return f"{ind}// {r.choice(v.sentences)}\n"
    if t == 4:
        return f"{ind}headers['Authorization'] = `Bearer ${{{r.choice(v.camel)}Token}}`;\n"
    if t == 5:
        return f"{ind}logger.{r.choice(('debug', 'info', 'warn'))}('{r.choice(v.messages)}', {{ {r.choice(v.camel)} }});\n"
    if t == 6:
        return f"{ind}let {r.choice(v.camel)}Secret{typ} = {js_expr(v)};\n"
    return f"{ind}{r.choice(v.camel)}.{r.choice(VERBS)}({js_expr(v)});\n"


def js_block(v: Vocab, ts: bool = False) -> str:
    r = v.r
    t = r.randrange(5)
    if t == 0:
        name = r.choice(v.pascal)
        out = [f"/**\n * {r.choice(v.sentences)}\n */\nexport class {name} {{\n"]
        for _ in range(r.randint(1, 3)):
            out.append(f"  {'private ' if ts else ''}{r.choice(v.camel)}{': string' if ts else ''} = '{v.placeholder()}';\n")
        for _ in range(r.randint(2, 4)):
            params = ", ".join(r.choice(v.camel) + (": " + r.choice(("string", "number", r.choice(v.pascal))) if ts else "") for _ in range(r.randint(0, 3)))
            out.append(f"\n  async {r.choice(VERBS)}{r.choice(v.pascal)}({params}){': Promise<' + r.choice(v.pascal) + '>' if ts else ''} {{\n")
            out.extend(js_stmt(v, "    ", ts) for _ in range(r.randint(2, 7)))
            out.append(f"    return {js_expr(v)};\n  }}\n")
        return "".join(out) + "}\n\n"
    if t == 1:
        out = [f"// {r.choice(v.sentences)}\nexport const {r.choice(v.camel)}Config = {{\n"]
        for _ in range(r.randint(4, 12)):
            k = r.random()
            if k < 0.4:
                out.append(f"  {r.choice(v.camel)}: process.env.{r.choice(v.sec_upper)} || '{v.placeholder()}',\n")
            elif k < 0.6:
                out.append(f"  {r.choice(('checksum', 'commitSha', 'etag', 'buildId', 'revision'))}: '{r.choice(v.hex40)}',\n")
            elif k < 0.8:
                out.append(f"  {r.choice(v.camel)}Url: '{r.choice(v.urls)}',\n")
            else:
                out.append(f"  {r.choice(v.camel)}: {r.randint(0, 10000)},\n")
        return "".join(out) + "};\n\n"
    if t == 2 and ts:
        out = [f"export interface {r.choice(v.pascal)} {{\n"]
        for _ in range(r.randint(3, 10)):
            out.append(f"  /** {r.choice(v.sentences)} */\n  {r.choice(v.camel)}{'?' if r.random() < 0.3 else ''}: {r.choice(('string', 'number', 'boolean', 'Date', r.choice(v.pascal), 'string[]'))};\n")
        return "".join(out) + "}\n\n"
    if t == 3:
        out = [f"describe('{r.choice(v.pascal)}', () => {{\n"]
        for _ in range(r.randint(1, 3)):
            out.append(f"  it('{r.choice(VERBS)}s the {r.choice(PHRASES)}', async () => {{\n")
            out.append(f"    process.env.{r.choice(v.sec_upper)} = '{v.placeholder()}';\n")
            out.extend(js_stmt(v, "    ", ts) for _ in range(r.randint(1, 4)))
            out.append(f"    expect({r.choice(v.camel)}.id).toBe('{r.choice(v.uuids)}');\n  }});\n")
        return "".join(out) + "});\n\n"
    params = ", ".join(r.choice(v.camel) + (": " + r.choice(("string", "number", r.choice(v.pascal))) if ts else "") for _ in range(r.randint(1, 4)))
    out = [f"/**\n * {r.choice(v.sentences)}\n * @param {r.choice(v.camel)} {r.choice(v.sentences)}\n */\n",
           f"export {'async ' if r.random() < 0.5 else ''}function {r.choice(VERBS)}{r.choice(v.pascal)}({params}) {{\n"]
    out.extend(js_stmt(v, "  ", ts) for _ in range(r.randint(3, 12)))
    out.append(f"  return {js_expr(v)};\n}}\n\n")
    return "".join(out)


def js_header(v: Vocab, name: str, ts: bool) -> str:
    r = v.r
    pk = ["axios", "express", "jsonwebtoken", "@aws-sdk/client-s3", "zod", "pino", "node:crypto", "react", "lodash", "dotenv"]
    out = [f"// {name}: {r.choice(v.sentences)}\n"]
    for p in sorted(r.sample(pk, r.randint(2, 5))):
        out.append(f"import {r.choice(v.camel)} from '{p}';\n")
    for _ in range(r.randint(1, 3)):
        out.append(f"import {{ {r.choice(v.camel)}, {r.choice(v.pascal)} }} from './{r.choice(v.kebab)}';\n")
    return "".join(out) + "\n"


def go_block(v: Vocab) -> str:
    r = v.r
    t = r.randrange(4)
    if t == 0:
        name = r.choice(v.pascal)
        out = [f"// {name} {r.choice(v.sentences)}\ntype {name} struct {{\n"]
        for _ in range(r.randint(3, 9)):
            f = r.choice(v.pascal)
            out.append(f"\t{f} {r.choice(('string', 'int', 'time.Duration', '[]byte', '*' + r.choice(v.pascal), 'map[string]string'))} `json:\"{r.choice(v.snake)},omitempty\" yaml:\"{r.choice(v.snake)}\"`\n")
        return "".join(out) + "}\n\n"
    if t == 1:
        out = ["const (\n"]
        for _ in range(r.randint(3, 9)):
            k = r.random()
            if k < 0.4:
                out.append(f"\t{r.choice(v.camel)}EnvVar = \"{r.choice(v.sec_upper)}\"\n")
            elif k < 0.7:
                out.append(f"\t{r.choice(v.plain_camel)}Digest = \"{r.choice(v.hex64)}\"\n")
            else:
                out.append(f"\tdefault{r.choice(v.pascal)} = {r.randint(1, 9000)} * time.{r.choice(('Millisecond', 'Second', 'Minute'))}\n")
        return "".join(out) + ")\n\n"
    recv = f"({r.choice('cshm')} *{r.choice(v.pascal)}) " if r.random() < 0.6 else ""
    name = r.choice(VERBS).capitalize() + r.choice(v.pascal)
    params = ", ".join(f"{r.choice(v.camel)} {r.choice(('string', 'context.Context', '[]byte', 'int'))}" for _ in range(r.randint(1, 3)))
    out = [f"// {name} {r.choice(v.sentences)}\nfunc {recv}{name}({params}) ({r.choice(('string', '*' + r.choice(v.pascal), '[]byte'))}, error) {{\n"]
    for _ in range(r.randint(3, 10)):
        s = r.randrange(7)
        if s == 0:
            out.append(f"\t{r.choice(v.camel)} := os.Getenv(\"{r.choice(v.sec_upper)}\")\n")
        elif s == 1:
            out.append(f"\tif err != nil {{\n\t\treturn nil, fmt.Errorf(\"{r.choice(v.messages)}\", err)\n\t}}\n")
        elif s == 2:
            out.append(f"\t// {r.choice(v.sentences)}\n")
        elif s == 3:
            out.append(f"\treq.Header.Set(\"Authorization\", \"Bearer \"+{r.choice(v.camel)}Token)\n")
        elif s == 4:
            out.append(f"\tlog.Printf(\"{r.choice(v.messages)}\", {r.choice(v.camel)})\n")
        elif s == 5:
            out.append(f"\t{r.choice(v.camel)}, err := {r.choice(v.camel)}.{r.choice(VERBS).capitalize()}{r.choice(v.pascal)}(ctx, \"{r.choice(v.urls)}\")\n")
        else:
            out.append(f"\tfor _, {r.choice(v.camel)} := range {r.choice(v.camel)} {{\n\t\t{r.choice(v.camel)}.{r.choice(VERBS).capitalize()}(\"{r.choice(v.uuids)}\")\n\t}}\n")
    ret = r.choice(("nil", '""', r.choice(v.camel)))
    out.append(f"\treturn {ret}, nil\n}}\n\n")
    return "".join(out)


def go_header(v: Vocab, pkg: str) -> str:
    r = v.r
    imps = sorted(r.sample(["context", "crypto/hmac", "crypto/sha256", "encoding/json", "errors", "fmt", "log", "net/http", "os", "strings", "time", "github.com/acme-corp/platform/internal/" + pkg], r.randint(3, 7)))
    return f"// Package {pkg} {r.choice(v.sentences)}\npackage {pkg}\n\nimport (\n" + "".join(f"\t\"{i}\"\n" for i in imps) + ")\n\n"


def pbgo_body(v: Vocab, size: int) -> str:
    """protoc-gen-go style: a big rawDesc byte array (hex literals) plus generated accessors."""
    r = v.r
    out = ["// Code generated by protoc-gen-go. DO NOT EDIT.\n// versions:\n// \tprotoc-gen-go v1.31.0\n// \tprotoc        v4.24.4\n",
           f"// source: {r.choice(v.snake)}/v1/{r.choice(v.snake)}.proto\n\npackage {r.choice(WORDS)}v1\n\n"]
    n = len(out[0]) + len(out[1])
    while n < size:
        if r.random() < 0.6:
            line = "\t" + ", ".join(f"0x{b:02x}" for b in r.randbytes(16)) + ",\n"
            chunk = "".join("\t" + ", ".join(f"0x{b:02x}" for b in r.randbytes(16)) + ",\n" for _ in range(64))
            chunk = f"var file_{r.choice(v.snake)}_proto_rawDesc = []byte{{\n" + line + chunk + "}\n\n"
        else:
            msg = r.choice(v.pascal)
            f = r.choice(v.pascal)
            chunk = (f"func (x *{msg}) Get{f}() string {{\n\tif x != nil {{\n\t\treturn x.{f}\n\t}}\n\treturn \"\"\n}}\n\n"
                     f"// {msg} {r.choice(v.sentences)}\ntype {msg} struct {{\n\tstate         protoimpl.MessageState\n\tsizeCache     protoimpl.SizeCache\n"
                     f"\t{f} string `protobuf:\"bytes,1,opt,name={r.choice(v.snake)},proto3\" json:\"{r.choice(v.snake)},omitempty\"`\n}}\n\n")
        out.append(chunk)
        n += len(chunk)
    return "".join(out)


def rs_block(v: Vocab) -> str:
    r = v.r
    t = r.randrange(4)
    if t == 0:
        name = r.choice(v.pascal)
        out = [f"/// {r.choice(v.sentences)}\n#[derive(Debug, Clone, Serialize, Deserialize)]\npub struct {name} {{\n"]
        for _ in range(r.randint(2, 8)):
            out.append(f"    /// {r.choice(v.sentences)}\n    pub {v.ident()}: {r.choice(('String', 'u64', 'Option<String>', 'Vec<u8>', 'Duration', r.choice(v.pascal)))},\n")
        return "".join(out) + "}\n\n"
    if t == 1:
        out = []
        for _ in range(r.randint(2, 6)):
            k = r.random()
            if k < 0.5:
                out.append(f"/// {r.choice(v.sentences)}\npub const {r.choice(v.upper)}_ENV: &str = \"{r.choice(v.sec_upper)}\";\n")
            else:
                out.append(f"const {r.choice(v.plain_upper)}_{r.choice(DIGEST_NAMES).upper()}: &str = \"{r.choice(v.hex64)}\";\n")
        return "".join(out) + "\n"
    if t == 2:
        out = ["#[cfg(test)]\nmod tests {\n    use super::*;\n\n"]
        for _ in range(r.randint(1, 3)):
            out.append(f"    #[test]\n    fn {r.choice(VERBS)}_{v.ident()}() {{\n")
            out.append(f"        let {v.sec()} = \"{v.placeholder()}\";\n")
            out.append(f"        assert_eq!({v.ident()}(\"{r.choice(v.uuids)}\").{r.choice(DIGEST_NAMES)}, \"{r.choice(v.hex40)}\");\n    }}\n\n")
        return "".join(out) + "}\n\n"
    params = ", ".join(f"{v.ident()}: {r.choice(('&str', 'u64', '&[u8]', '&' + r.choice(v.pascal)))}" for _ in range(r.randint(1, 3)))
    out = [f"/// {r.choice(v.sentences)}\n///\n/// {r.choice(v.sentences)}\npub fn {r.choice(VERBS)}_{v.ident()}({params}) -> Result<{r.choice(('String', '()', r.choice(v.pascal)))}, Error> {{\n"]
    for _ in range(r.randint(3, 10)):
        s = r.randrange(6)
        if s == 0:
            out.append(f"    let {v.sec()} = std::env::var(\"{r.choice(v.sec_upper)}\").map_err(|_| Error::Missing(\"{r.choice(v.sec_upper)}\"))?;\n")
        elif s == 1:
            out.append(f"    // {r.choice(v.sentences)}\n")
        elif s == 2:
            out.append(f"    let {v.ident()} = {v.ident()}.{r.choice(VERBS)}(&{v.ident()})?;\n")
        elif s == 3:
            out.append(f"    if {v.ident()}.is_empty() {{\n        return Err(Error::Invalid(\"{r.choice(v.messages)}\".into()));\n    }}\n")
        elif s == 4:
            out.append(f"    tracing::debug!({v.ident()} = %{v.ident()}, \"{r.choice(v.messages)}\");\n")
        else:
            out.append(f"    let url = format!(\"{r.choice(v.urls)}/{{}}\", {v.ident()});\n")
    out.append("    Ok(Default::default())\n}\n\n")
    return "".join(out)


def rs_header(v: Vocab, name: str) -> str:
    r = v.r
    uses = sorted(r.sample(["std::collections::HashMap", "std::time::Duration", "serde::{Deserialize, Serialize}", "crate::error::Error", "crate::config::Config", "sha2::{Digest, Sha256}", "std::sync::Arc"], r.randint(2, 5)))
    return f"//! {name}: {r.choice(v.sentences)}\n\n" + "".join(f"use {u};\n" for u in uses) + "\n"


def java_block(v: Vocab) -> str:
    r = v.r
    t = r.randrange(3)
    if t == 0:
        out = []
        for _ in range(r.randint(2, 6)):
            if r.random() < 0.5:
                out.append(f"    /** {r.choice(v.sentences)} */\n    private static final String {r.choice(v.upper)}_ENV = \"{r.choice(v.sec_upper)}\";\n")
            else:
                out.append(f"    private static final String {r.choice(v.plain_upper)}_{r.choice(DIGEST_NAMES).upper()} = \"{r.choice(v.hex40)}\";\n")
        return "".join(out) + "\n"
    if t == 1:
        return (f"    @Value(\"${{{r.choice(v.snake).replace('_', '.')}:{v.placeholder()}}}\")\n    private String {r.choice(v.camel)}Secret;\n\n"
                f"    @Autowired\n    private {r.choice(v.pascal)}Client {r.choice(v.camel)}Client;\n\n")
    params = ", ".join(f"{r.choice(('String', 'long', 'byte[]', r.choice(v.pascal)))} {r.choice(v.camel)}" for _ in range(r.randint(1, 3)))
    out = [f"    /**\n     * {r.choice(v.sentences)}\n     */\n    public {r.choice(('String', 'void', r.choice(v.pascal), 'Optional<' + r.choice(v.pascal) + '>'))} {r.choice(VERBS)}{r.choice(v.pascal)}({params}) throws {r.choice(v.pascal)}Exception {{\n"]
    for _ in range(r.randint(3, 10)):
        s = r.randrange(6)
        if s == 0:
            out.append(f"        String {r.choice(v.camel)}Token = System.getenv(\"{r.choice(v.sec_upper)}\");\n")
        elif s == 1:
            out.append(f"        // {r.choice(v.sentences)}\n")
        elif s == 2:
            out.append(f"        if ({r.choice(v.camel)} == null) {{\n            throw new IllegalStateException(\"{r.choice(v.messages)}\");\n        }}\n")
        elif s == 3:
            out.append(f"        request.setHeader(\"Authorization\", \"Bearer \" + {r.choice(v.camel)}Token);\n")
        elif s == 4:
            out.append(f"        LOG.info(\"{r.choice(v.messages)}\", {r.choice(v.camel)});\n")
        else:
            out.append(f"        {r.choice(v.pascal)} {r.choice(v.camel)} = {r.choice(v.camel)}.{r.choice(VERBS)}(\"{r.choice(v.uuids)}\");\n")
    out.append("    }\n\n")
    return "".join(out)


def yaml_body(v: Vocab, size: int) -> str:
    r = v.r
    out = [f"# {r.choice(v.sentences)}\n"]
    n = 0
    t = r.randrange(3)
    if t == 0:  # k8s-ish
        out.append(f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {r.choice(v.kebab)}\n  labels:\n    app: {r.choice(v.kebab)}\n")
    elif t == 1:  # CI-ish
        out.append(f"name: {r.choice(v.kebab)}\non:\n  push:\n    branches: [main]\njobs:\n")
    while n < size:
        lines = []
        top = r.choice(v.snake)
        lines.append(f"{top}:\n")
        for _ in range(r.randint(3, 10)):
            k = r.random()
            key = r.choice(v.snake)
            if k < 0.3:
                lines.append(f"  {v.sec()}: \"{v.placeholder()}\"\n")
            elif k < 0.45:
                lines.append(f"  {key}_url: {r.choice(v.urls)}\n")
            elif k < 0.55:
                lines.append(f"  {r.choice(DIGEST_NAMES)}: {r.choice(v.hex64)}\n")
            elif k < 0.65:
                lines.append(f"  # {r.choice(v.sentences)}\n")
            elif k < 0.75:
                lines.append(f"  {key}:\n    - name: {r.choice(v.upper)}\n      valueFrom:\n        secretKeyRef:\n          name: {r.choice(v.kebab)}\n          key: {r.choice(v.sec_snake)}\n")
            elif k < 0.85:
                lines.append(f"  {key}: {r.choice(('true', 'false', str(r.randint(0, 65535)), r.choice(v.kebab), '30s'))}\n")
            else:
                lines.append(f"  {r.choice(v.plain_snake)}_id: {r.choice(v.uuids)}\n")
        chunk = "".join(lines)
        out.append(chunk)
        n += len(chunk)
    return "".join(out)


def json_value(v: Vocab, depth: int, ind: str) -> str:
    r = v.r
    if depth > 0 and r.random() < 0.35:
        inner = ind + "  "
        items = []
        for _ in range(r.randint(2, 6)):
            items.append(f'{inner}"{r.choice(v.camel)}": {json_value(v, depth - 1, inner)}')
        return "{\n" + ",\n".join(items) + f"\n{ind}}}"
    t = r.randrange(7)
    if t == 0:
        return f'"{v.noise_value()}"'
    if t == 1:
        return str(r.randint(0, 100000))
    if t == 2:
        return r.choice(("true", "false", "null"))
    if t == 3:
        return f'"{r.choice(v.uuids)}"'
    if t == 4:
        return f'"{v.placeholder()}"'
    if t == 5:
        return f'"{r.choice(v.messages)}"'
    return f'"{r.choice(v.b64)}"'


def json_body(v: Vocab, size: int) -> str:
    r = v.r
    items = []
    n = 0
    while n < size:
        k = r.choice(v.camel) if r.random() < 0.7 else r.choice(v.sec_snake)
        s = f'  "{k}": {json_value(v, 3, "  ")}'
        items.append(s)
        n += len(s) + 2
    return "{\n" + ",\n".join(items) + "\n}\n"


def fixture_json_body(v: Vocab, size: int) -> str:
    """A big array of records, like a test fixture or an API dump."""
    r = v.r
    recs = []
    n = 0
    while n < size:
        s = (f'  {{"id": "{r.choice(v.uuids)}", "{r.choice(v.camel)}": "{r.choice(v.kebab)}", '
             f'"email": "{r.choice(FIRST_NAMES)}.{r.randint(1, 9999)}@example.com", '
             f'"createdAt": "20{r.randint(18, 25)}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}T{r.randint(0, 23):02d}:{r.randint(0, 59):02d}:00Z", '
             f'"commit": "{r.choice(v.hex40)}", "{r.choice(v.camel)}": {r.randint(0, 99999)}, '
             f'"tokenType": "{r.choice(("bearer", "refresh", "api", "none"))}", "avatar": "{r.choice(v.b64)}"}}')
        recs.append(s)
        n += len(s) + 2
    return "[\n" + ",\n".join(recs) + "\n]\n"


def lock_body(v: Vocab, size: int, name: str) -> str:
    """npm package-lock.json v3 with sha512 integrity hashes."""
    r = v.r
    out = [f'{{\n  "name": "{name}",\n  "version": "{r.randint(0, 4)}.{r.randint(0, 30)}.{r.randint(0, 20)}",\n  "lockfileVersion": 3,\n  "requires": true,\n  "packages": {{\n',
           f'    "": {{\n      "name": "{name}",\n      "version": "1.0.0",\n      "license": "MIT"\n    }}']
    n = 0
    while n < size:
        pkg = r.choice(v.kebab)
        if r.random() < 0.2:
            pkg = f"@{r.choice(WORDS)}/{pkg}"
        ver = f"{r.randint(0, 12)}.{r.randint(0, 40)}.{r.randint(0, 30)}"
        base = pkg.split("/")[-1]
        integ = base64.b64encode(r.randbytes(64)).decode()
        deps = ""
        if r.random() < 0.4:
            deps = ',\n      "dependencies": {\n' + ",\n".join(f'        "{r.choice(v.kebab)}": "^{r.randint(0, 9)}.{r.randint(0, 20)}.0"' for _ in range(r.randint(1, 5))) + "\n      }"
        s = (f',\n    "node_modules/{pkg}": {{\n      "version": "{ver}",\n'
             f'      "resolved": "https://registry.npmjs.org/{pkg}/-/{base}-{ver}.tgz",\n'
             f'      "integrity": "sha512-{integ}"{"," + chr(10) + "      " + chr(34) + "dev" + chr(34) + ": true" if r.random() < 0.4 else ""}{deps}\n    }}')
        out.append(s)
        n += len(s)
    out.append("\n  }\n}\n")
    return "".join(out)


def minjs_body(v: Vocab, size: int) -> str:
    """A minified bundle: very long lines of dense code."""
    r = v.r
    out = [f"/*! {r.choice(v.kebab)} v{r.randint(1, 9)}.{r.randint(0, 20)}.{r.randint(0, 9)} | (c) acme | MIT License */\n"]
    n = len(out[0])
    letters = string.ascii_letters
    line_budget = r.randint(20 * KIB, 120 * KIB)
    line_len = 0
    pieces = []
    while n < size:
        a, b, c = r.choice(letters), r.choice(letters), r.choice(letters)
        t = r.randrange(6)
        if t == 0:
            s = f"function {a}{b}({c},{a}){{var {b}={c}.{r.choice(v.camel)}||{a}.{r.choice(v.camel)};return {b}?{c}.headers.Authorization=\"Bearer \"+{b}:void 0}}"
        elif t == 1:
            s = f"{a}.{r.choice(v.camel)}=function({b}){{return this.{r.choice(v.camel)}({b},\"{r.choice(v.messages)}\")}}"
        elif t == 2:
            s = f"var {a}{c}={{{r.choice(v.camel)}:\"{r.choice(v.urls)}\",{r.choice(v.camel)}:{r.randint(0, 9999)},{r.choice(v.camel)}:!0,{r.choice(v.camel)}:\"{r.choice(v.placeholder_pool())}\"}}"
        elif t == 3:
            s = f"if(!{a}.{r.choice(v.camel)})throw new Error(\"{r.choice(v.messages)}\")"
        elif t == 4:
            s = f"{b}[\"{r.choice(v.hex32)}\"]=function({a},{c}){{{c}.exports=\"{r.choice(v.b64)}\"}}"
        else:
            s = f"for(var {a}=0,{b}={c}.length;{a}<{b};{a}++){c}[{a}]&&{c}[{a}].{r.choice(v.camel)}(\"{r.choice(v.uuids)}\")"
        pieces.append(s)
        line_len += len(s) + 1
        n += len(s) + 1
        if line_len >= line_budget:
            out.append(";".join(pieces) + ";\n")
            pieces = []
            line_len = 0
            line_budget = r.randint(20 * KIB, 120 * KIB)
    if pieces:
        out.append(";".join(pieces) + ";\n")
    return "".join(out)


def md_block(v: Vocab, pools: dict) -> str:
    r = v.r
    t = r.randrange(6)
    if t == 0:
        return f"## {_cap(r.choice(VERBS))} the {r.choice(PHRASES)}\n\n" + " ".join(r.choice(v.sentences) for _ in range(r.randint(2, 6))) + "\n\n"
    if t == 1:
        lang = r.choice(("python", "js", "go", "rust", "bash", "yaml"))
        key = {"python": "py", "js": "js", "go": "go", "rust": "rs", "bash": "sh", "yaml": "yaml"}[lang]
        return f"```{lang}\n{r.choice(pools[key]).rstrip()}\n```\n\n"
    if t == 2:
        return "".join(f"- `{r.choice(v.upper)}`: {r.choice(v.sentences)}\n" for _ in range(r.randint(3, 8))) + "\n"
    if t == 3:
        rows = "".join(f"| `{r.choice(v.sec_upper)}` | {r.choice(('yes', 'no'))} | `{v.placeholder()}` | {r.choice(v.sentences)} |\n" for _ in range(r.randint(3, 8)))
        return "| Variable | Required | Example | Description |\n| --- | --- | --- | --- |\n" + rows + "\n"
    if t == 4:
        return f"See [{r.choice(PHRASES)}]({r.choice(v.urls)}) and commit `{r.choice(v.hex40)[:12]}` for details. {r.choice(v.sentences)}\n\n"
    return f"> **Warning**\n> {r.choice(v.sentences)} Set `{r.choice(v.sec_upper)}=<your-key>` in `.env`.\n\n"


def sh_block(v: Vocab) -> str:
    r = v.r
    t = r.randrange(4)
    if t == 0:
        return "".join(f": \"${{{r.choice(v.sec_upper)}:?{r.choice(v.messages).replace('%s', 'x')}}}\"\n" if r.random() < 0.3 else f"export {r.choice(v.upper)}=\"${{{r.choice(v.upper)}:-{r.choice(v.kebab)}}}\"\n" for _ in range(r.randint(3, 8))) + "\n"
    if t == 1:
        return (f"# {r.choice(v.sentences)}\n{r.choice(VERBS)}_{v.ident()}() {{\n  local {v.ident()}=\"$1\"\n"
                f"  curl -fsSL -H \"Authorization: Bearer ${{{r.choice(v.sec_upper)}}}\" -H \"X-Request-Id: {r.choice(v.uuids)}\" \\\n    \"{r.choice(v.urls)}\" | jq -r '.{r.choice(v.camel)}'\n}}\n\n")
    if t == 2:
        return (f"if [ -z \"${{{r.choice(v.sec_upper)}:-}}\" ]; then\n  echo \"{r.choice(v.messages).replace('%s', '$1')}\" >&2\n  exit 1\nfi\n"
                f"echo \"{r.choice(DIGEST_NAMES)}={r.choice(v.hex64)}\"\n\n")
    return f"for {v.ident()} in {' '.join(r.choice(v.kebab) for _ in range(r.randint(2, 5)))}; do\n  # {r.choice(v.sentences)}\n  kubectl -n {r.choice(v.kebab)} rollout restart deploy/\"${v.ident()}\"\ndone\n\n"


def html_block(v: Vocab) -> str:
    r = v.r
    t = r.randrange(3)
    if t == 0:
        return (f"  <form class=\"{r.choice(v.kebab)}\" action=\"/{r.choice(v.kebab)}\" method=\"post\">\n"
                f"    <label for=\"{r.choice(v.camel)}\">{_cap(r.choice(PHRASES))}</label>\n"
                f"    <input type=\"password\" name=\"password\" id=\"{r.choice(v.camel)}\" placeholder=\"<your-password>\" autocomplete=\"current-password\">\n"
                f"    <input type=\"hidden\" name=\"csrf_token\" value=\"{{{{ csrf_token }}}}\">\n"
                f"    <button type=\"submit\" data-api-key-id=\"{r.choice(v.uuids)}\">{_cap(r.choice(VERBS))}</button>\n  </form>\n")
    if t == 1:
        return f"  <div class=\"{r.choice(v.kebab)} {r.choice(v.kebab)}\">\n    <!-- {r.choice(v.sentences)} -->\n    <p>{' '.join(r.choice(v.sentences) for _ in range(r.randint(1, 4)))}</p>\n    <a href=\"{r.choice(v.urls)}\">{r.choice(PHRASES)}</a>\n  </div>\n"
    return f"  <script>\n{js_block(v)}  </script>\n"


def css_block(v: Vocab) -> str:
    r = v.r
    sel = ", ".join(f".{r.choice(v.kebab)}{r.choice(('', ':hover', ' > a', '__' + r.choice(WORDS), '--active'))}" for _ in range(r.randint(1, 3)))
    props = "".join(f"  {r.choice(('color', 'background', 'margin', 'padding', 'border', 'font-size', 'display', 'grid-template-columns', 'box-shadow'))}: {r.choice(('#' + v.hexs(6), '0 4px', '1rem', 'flex', 'none', 'var(--' + r.choice(v.kebab) + ')', 'repeat(3, 1fr)'))};\n" for _ in range(r.randint(2, 8)))
    cm = f"/* {r.choice(v.sentences)} */\n" if r.random() < 0.3 else ""
    return f"{cm}{sel} {{\n{props}}}\n\n"


def toml_block(v: Vocab) -> str:
    r = v.r
    out = [f"[{r.choice(v.snake)}{'.' + r.choice(v.snake) if r.random() < 0.4 else ''}]\n"]
    for _ in range(r.randint(2, 8)):
        k = r.random()
        if k < 0.3:
            out.append(f"{v.sec()}_env = \"{r.choice(v.sec_upper)}\"\n")
        elif k < 0.45:
            out.append(f"# {r.choice(v.sentences)}\n")
        elif k < 0.6:
            out.append(f"{r.choice(DIGEST_NAMES)} = \"{r.choice(v.hex64)}\"\n")
        elif k < 0.8:
            out.append(f"{v.ident()} = {r.choice(('true', 'false', str(r.randint(0, 9999)), repr(r.choice(v.urls)).replace(chr(39), chr(34))))}\n")
        else:
            out.append(f"{v.ident()} = [{', '.join(chr(34) + r.choice(v.kebab) + chr(34) for _ in range(r.randint(1, 4)))}]\n")
    return "".join(out) + "\n"


def env_body(v: Vocab, dev: bool) -> str:
    r = v.r
    out = [f"# {r.choice(v.sentences)}\n# Copy to .env and fill in the values; never commit real credentials.\n"]
    for _ in range(r.randint(8, 30)):
        k = r.random()
        if k < 0.45:
            val = r.choice(("", "<your-key>", "changeme", "your-api-key-here", "${VAULT_TOKEN}", "xxxxxxxx", "<client-secret>")) if not dev else r.choice(("dev", "local", "test", ""))
            out.append(f"{r.choice(v.sec_upper)}={val}\n")
        elif k < 0.6:
            out.append(f"{r.choice(v.upper)}_URL={r.choice(v.urls)}\n")
        elif k < 0.7:
            out.append(f"# {r.choice(v.sentences)}\n")
        else:
            out.append(f"{r.choice(v.upper)}={r.choice(('true', 'false', 'debug', 'info', str(r.randint(1, 65535)), r.choice(v.kebab)))}\n")
    return "".join(out)


def dockerfile_body(v: Vocab) -> str:
    r = v.r
    base = r.choice(("python:3.12-slim", "node:20-alpine", "golang:1.22", "rust:1.79-slim", "eclipse-temurin:21-jre", "debian:bookworm-slim"))
    out = [f"# syntax=docker/dockerfile:1\n# {r.choice(v.sentences)}\nFROM {base}@sha256:{r.choice(v.hex64)} AS build\n",
           f"ARG {r.choice(v.sec_upper)}\nARG BUILD_SHA={r.choice(v.hex40)}\nWORKDIR /app\n"]
    for _ in range(r.randint(4, 14)):
        k = r.randrange(5)
        if k == 0:
            out.append(f"RUN --mount=type=secret,id={r.choice(v.sec_snake)} \\\n    {r.choice(v.upper)}=$(cat /run/secrets/{r.choice(v.sec_snake)}) make {r.choice(v.kebab)}\n")
        elif k == 1:
            out.append(f"COPY {r.choice(v.kebab)}/ ./{r.choice(v.kebab)}/\n")
        elif k == 2:
            out.append(f"ENV {r.choice(v.upper)}={r.choice(v.kebab)} \\\n    {r.choice(v.sec_upper)}_FILE=/run/secrets/{r.choice(v.sec_snake)}\n")
        elif k == 3:
            out.append(f"# {r.choice(v.sentences)}\nRUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl && rm -rf /var/lib/apt/lists/*\n")
        else:
            out.append(f"LABEL org.opencontainers.image.revision=\"{r.choice(v.hex40)}\" org.opencontainers.image.source=\"{r.choice(v.urls)}\"\n")
    out.append(f"\nFROM {base}\nCOPY --from=build /app /app\nUSER 65532:65532\nEXPOSE {r.choice((8080, 3000, 8000, 9090))}\nENTRYPOINT [\"/app/{r.choice(v.kebab)}\"]\n")
    return "".join(out)


# --------------------------------------------------------------------------------------------
# Tree layout
# --------------------------------------------------------------------------------------------

# file kinds: (kind, extension) — extension chosen per kind
EXT = {
    "py": ".py", "js": ".js", "ts": ".ts", "go": ".go", "rs": ".rs", "java": ".java",
    "yaml": ".yaml", "yml": ".yml", "json": ".json", "md": ".md", "toml": ".toml", "sh": ".sh",
    "html": ".html", "css": ".css", "minjs": ".min.js", "pbgo": ".pb.go", "fixture": ".json",
}

# per directory role: list of (kind, weight)
ROLE_KINDS = {
    "python": [("py", 80), ("yaml", 4), ("json", 4), ("md", 4), ("toml", 3), ("sh", 3), ("yml", 2)],
    "go": [("go", 82), ("yaml", 5), ("md", 4), ("json", 4), ("sh", 5)],
    "rust": [("rs", 84), ("toml", 6), ("md", 5), ("json", 2), ("yaml", 3)],
    "java": [("java", 85), ("yaml", 7), ("json", 3), ("md", 3), ("sh", 2)],
    "node": [("ts", 50), ("js", 25), ("json", 9), ("md", 4), ("css", 4), ("html", 3), ("yaml", 5)],
    "web": [("html", 25), ("css", 25), ("js", 35), ("json", 8), ("md", 7)],
    "docs": [("md", 90), ("yaml", 6), ("yml", 4)],
    "infra": [("yaml", 60), ("yml", 10), ("sh", 15), ("json", 10), ("md", 5)],
    "scripts": [("sh", 60), ("py", 30), ("md", 10)],
    "testdata": [("json", 45), ("yaml", 35), ("md", 12), ("fixture", 8)],
    "dist": [("minjs", 35), ("js", 65)],
    "nodemod": [("js", 70), ("json", 15), ("md", 10), ("ts", 5)],
}
ROLE_WEIGHT = {"python": 10, "go": 10, "rust": 10, "java": 10, "node": 10, "web": 7, "docs": 6,
               "infra": 6, "scripts": 5, "testdata": 4, "dist": 0.6, "nodemod": 3}
# large-file kinds by role (files of 200 KB - 2 MB)
ROLE_LARGE = {"go": ["pbgo"], "node": ["ts", "json"], "web": ["css"], "testdata": ["fixture"],
              "dist": ["minjs"], "nodemod": ["minjs", "js"], "python": ["py", "fixture"], "java": ["java"],
              "docs": ["md"], "rust": ["rs"]}

FLAVORS = [("python", 6), ("go", 5), ("node", 7), ("rust", 3), ("java", 4), ("web", 3)]


class Plan:
    def __init__(self) -> None:
        self.dirs: list[tuple[str, str]] = []  # (relpath, role)
        self.files: list[list] = []  # [relpath, kind, size, extra]
        self.names: dict[str, set] = {}

    def add_dir(self, path: str, role: str) -> str:
        self.dirs.append((path, role))
        self.names.setdefault(path, set())
        return path

    def add_file(self, d: str, name: str, kind: str, size: int, extra: str = "") -> None:
        taken = self.names.setdefault(d, set())
        base, i = name, 2
        while name in taken:
            stem, dot, ext = base.partition(".")
            name = f"{stem}_{i}{dot}{ext}"
            i += 1
        taken.add(name)
        self.files.append([f"{d}/{name}" if d else name, kind, size, extra])


def file_stem(v: Vocab, kind: str) -> str:
    r = v.r
    if kind == "java":
        return r.choice(v.pascal)
    if kind in ("ts", "js", "css", "html", "minjs"):
        return r.choice(v.kebab) if r.random() < 0.6 else r.choice(v.camel)
    if kind == "md":
        return r.choice(v.kebab)
    return r.choice(v.snake)


def small_size(r: Random) -> int:
    # 2-60 KB, skewed towards the small end (median ~8 KB)
    return int(2 * KIB * 30 ** (r.random() ** 1.6))


def large_size(r: Random) -> int:
    # 200 KB - 2 MB, log-uniform
    return int(200 * KIB * 10 ** r.random())


def build_plan(v: Vocab, target: int) -> Plan:
    r = v.r
    p = Plan()
    scale = target / (320 * MIB)
    n_projects = max(4, round(26 * scale))
    flavors = [f for f, _ in FLAVORS]
    weights = [w for _, w in FLAVORS]
    groups = {"python": "services", "go": "services", "java": "services", "rust": "crates",
              "node": "packages", "web": "apps"}
    used_names = set()
    p.add_dir("", "docs")
    p.add_file("", "README.md", "md", 12 * KIB)
    p.add_file("", ".gitignore", "gitignore", 0)
    for i in range(n_projects):
        fl = flavors[i] if i < len(flavors) else r.choices(flavors, weights)[0]
        name = r.choice(v.kebab)
        while name in used_names:
            name = r.choice(v.kebab)
        used_names.add(name)
        root = p.add_dir(f"{groups[fl]}/{name}", fl)
        p.add_file(root, "README.md", "md", small_size(r))
        p.add_file(root, "Dockerfile", "dockerfile", 0)
        p.add_file(root, ".env.example", "env", 0)
        sub: list[tuple[str, str]] = []
        if fl == "python":
            pkg = name.replace("-", "_")
            sub = [(f"src/{pkg}", fl), (f"src/{pkg}/api", fl), (f"src/{pkg}/core", fl), (f"src/{pkg}/{r.choice(WORDS)}", fl), ("tests", fl), ("config", "infra")]
            p.add_file(root, "pyproject.toml", "toml", 3 * KIB)
        elif fl == "go":
            sub = [(f"cmd/{name}", fl), (f"internal/{r.choice(WORDS)}", fl), (f"internal/{r.choice(WORDS)}", fl), (f"pkg/{r.choice(WORDS)}", fl), ("api/gen", fl), ("deploy", "infra")]
            p.add_file(root, "CHANGELOG.md", "md", small_size(r))
        elif fl == "rust":
            sub = [("src", fl), (f"src/{r.choice(WORDS)}", fl), (f"src/{r.choice(WORDS)}", fl), ("tests", fl), ("benches", fl)]
            p.add_file(root, "Cargo.toml", "toml", 2 * KIB)
        elif fl == "java":
            base = f"src/main/java/com/acme/{name.replace('-', '')}"
            sub = [(base, fl), (f"{base}/{r.choice(WORDS)}", fl), (f"{base}/{r.choice(WORDS)}", fl), (f"src/test/java/com/acme/{name.replace('-', '')}", fl), ("src/main/resources", "infra")]
        elif fl == "node":
            sub = [("src", fl), ("src/lib", fl), (f"src/{r.choice(WORDS)}s", fl), ("test", fl), ("dist", "dist")]
            for _ in range(r.randint(1, 3)):
                sub.append((f"node_modules/{r.choice(v.kebab)}", "nodemod"))
            p.add_file(root, "package.json", "json", 3 * KIB)
            p.add_file(root, "package-lock.json", "lock", large_size(r), name)
        elif fl == "web":
            sub = [("public", fl), ("static/css", fl), ("static/js", fl), ("static/vendor", "dist"), ("templates", fl)]
            p.add_file(root, "package-lock.json", "lock", large_size(r), name)
        if r.random() < 0.4:
            sub.append(("testdata", "testdata"))
        for s, role in sub:
            p.add_dir(f"{root}/{s}", role)
    for s in ["docs", "docs/guides", "docs/api", "docs/adr"]:
        p.add_dir(s, "docs")
    for s in ["infra", "infra/k8s/prod", "infra/k8s/staging", "infra/helm/templates", ".github/workflows"]:
        p.add_dir(s, "infra")
    for s in ["scripts", "scripts/ci"]:
        p.add_dir(s, "scripts")
    # the .env.dev that gets the Infisical secret
    env_dirs = [d for d, role in p.dirs if role in ("python", "go", "node") and d.count("/") == 1]
    p.add_file(r.choice(env_dirs), ".env.dev", "envdev", 0)

    total = sum(f[2] if f[1] not in ("dockerfile", "env", "envdev", "gitignore") else 2 * KIB for f in p.files)
    dir_w = [ROLE_WEIGHT[role] for _, role in p.dirs]
    while total < target:
        d, role = r.choices(p.dirs, dir_w)[0]
        large = ROLE_LARGE.get(role)
        if large and r.random() < 0.004:
            kind = r.choice(large)
            size = large_size(r)
        else:
            kinds = ROLE_KINDS[role]
            kind = r.choices([k for k, _ in kinds], [w for _, w in kinds])[0]
            size = small_size(r) if kind not in ("minjs", "fixture") else large_size(r) // 2
        p.add_file(d, file_stem(v, kind) + EXT[kind], kind, size)
        total += size
    return p


# --------------------------------------------------------------------------------------------
# Secrets
# --------------------------------------------------------------------------------------------

ALNUM = string.ascii_letters + string.digits
URLSAFE = ALNUM + "_-"
B64 = ALNUM + "+/"
STOP = ("example", "test", "fake", "dummy", "sample", "xxxx", "placeholder", "redacted", "changeme", "secret", "token")


def bad_body(s: str) -> bool:
    low = s.lower()
    if any(w in low for w in STOP):
        return True
    run_up = run_down = run_eq = 1
    for a, b in zip(s, s[1:]):
        d = ord(b) - ord(a)
        run_up = run_up + 1 if d == 1 else 1
        run_down = run_down + 1 if d == -1 else 1
        run_eq = run_eq + 1 if d == 0 else 1
        if max(run_up, run_down, run_eq) >= 6:
            return True
    return False


def rand_body(r: Random, alphabet: str, n: int) -> str:
    while True:
        s = "".join(r.choice(alphabet) for _ in range(n))
        if not bad_body(s):
            return s


B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def b62_crc32(body):
    """GitHub's and npm's token checksum: CRC32 of the random part, Base62, padded to 6."""
    n, out = zlib.crc32(body.encode()), ""
    while n:
        out = B62[n % 62] + out
        n //= 62
    return out.rjust(6, "0")


def make_secrets(r: Random) -> dict[str, str]:
    s = {}
    body = rand_body(r, ALNUM, 36)[:30]  # same RNG draw as before; checksum replaces the tail
    s["github-pat"] = "ghp_" + body + b62_crc32(body)
    s["aws-access-key-id"] = "AKIA" + rand_body(r, string.ascii_uppercase + "234567", 16)
    s["stripe-live-secret-key"] = "sk_live_" + rand_body(r, ALNUM, 24)
    s["slack-bot-token"] = f"xoxb-{rand_body(r, string.digits, 11)}-{rand_body(r, string.digits, 12)}-{rand_body(r, ALNUM, 24)}"
    s["gitlab-pat"] = "glpat-" + rand_body(r, URLSAFE, 20)
    s["openai-api-key"] = "sk-proj-" + rand_body(r, URLSAFE, 156)
    s["postgres-url"] = f"postgres://app:{rand_body(r, ALNUM, 16)}@db.internal:5432/app"
    s["infisical-client-secret"] = rand_body(r, "0123456789abcdef", 64)
    s["sendgrid-api-key"] = f"SG.{rand_body(r, URLSAFE, 22)}.{rand_body(r, URLSAFE, 43)}"
    npm_body = rand_body(r, ALNUM, 36)[:30]
    s["npm-token"] = "npm_" + npm_body + b62_crc32(npm_body)
    s["anthropic-api-key"] = "sk-ant-api03-" + rand_body(r, URLSAFE, 93) + "AA"
    s["rsa-private-key"] = "\n".join(rand_body(r, B64, 64) for _ in range(25))
    return s


def plant_snippet(kind: str, secret: str, v: Vocab) -> tuple[str, int]:
    """Returns (text to insert, 0-based line offset of the secret within the text)."""
    r = v.r
    if kind == "github-pat":
        return f"# {r.choice(v.sentences)}\nexport GH_TOKEN=\"{secret}\"\ngh release upload \"$TAG\" dist/*\n\n", 1
    if kind == "aws-access-key-id":
        return f"# {r.choice(v.sentences)}\naws_access_key_id = \"{secret}\"\nREGION = \"eu-west-1\"\n\n", 1
    if kind == "stripe-live-secret-key":
        return f"// {r.choice(v.sentences)}\nconst stripe = require('stripe')('{secret}');\n\n", 1
    if kind == "slack-bot-token":
        return f"slack:\n  channel: \"#deploys\"\n  bot_token: {secret}\n", 2
    if kind == "gitlab-pat":
        return f"// {r.choice(v.sentences)}\nconst gitlabToken = \"{secret}\"\n\n", 1
    if kind == "openai-api-key":
        return f"const openai = new OpenAI({{\n  apiKey: '{secret}',\n}});\n\n", 1
    if kind == "postgres-url":
        return f"/// {r.choice(v.sentences)}\nconst DATABASE_URL: &str = \"{secret}\";\n\n", 1
    if kind == "infisical-client-secret":
        return f"INFISICAL_CLIENT_SECRET={secret}\n", 0
    if kind == "sendgrid-api-key":
        return f"    private static final String SENDGRID_API_KEY = \"{secret}\";\n\n", 0
    if kind == "npm-token":
        return f"ARG NPM_TOKEN={secret}\nRUN echo \"//registry.npmjs.org/:_authToken=${{NPM_TOKEN}}\" > ~/.npmrc\n", 0
    if kind == "anthropic-api-key":
        return f"client = anthropic.Anthropic(\n    api_key=\"{secret}\",\n)\n\n", 1
    if kind == "rsa-private-key":
        return f"cat > deploy_key.pem <<'EOF'\n-----BEGIN RSA PRIVATE KEY-----\n{secret}\n-----END RSA PRIVATE KEY-----\nEOF\nchmod 600 deploy_key.pem\n\n", 1
    raise ValueError(kind)


# secret kind -> file kind it is planted in
PLANT_IN = {
    "github-pat": "sh", "aws-access-key-id": "py", "stripe-live-secret-key": "js", "slack-bot-token": "yaml",
    "gitlab-pat": "go", "openai-api-key": "ts", "postgres-url": "rs", "infisical-client-secret": "envdev",
    "sendgrid-api-key": "java", "npm-token": "dockerfile", "anthropic-api-key": "py", "rsa-private-key": "sh",
}

# Patterns that must match nowhere in the tree except at the planted lines.
CHECK_RE = re.compile(
    r"ghp_[A-Za-z0-9]{36}|AKIA[A-Z2-7]{16}|sk_live_[A-Za-z0-9]{24}|xox[bpa]-\d|glpat-[A-Za-z0-9_-]{20}"
    r"|sk-proj-|sk-ant-|postgres(?:ql)?://[^\s:/]+:[^\s@]+@|INFISICAL_CLIENT_SECRET=[0-9a-f]"
    r"|SG\.[A-Za-z0-9_-]{22}\.|npm_[A-Za-z0-9]{36}|PRIVATE KEY-----"
)


# --------------------------------------------------------------------------------------------
# Content
# --------------------------------------------------------------------------------------------


def fill(header: str, pool: list[str], r: Random, size: int, footer: str = "") -> list[str]:
    parts = [header]
    n = len(header)
    while n < size:
        b = r.choice(pool)
        parts.append(b)
        n += len(b)
    if footer:
        parts.append(footer)
    return parts


def render(kind: str, size: int, extra: str, v: Vocab, pools: dict, path: str) -> list[str]:
    """Returns the file as a list of parts; plants go between parts (never inside one)."""
    r = v.r
    stem = os.path.basename(path).split(".")[0]
    if kind == "py":
        return fill(py_header(v, stem), pools["py"], r, size)
    if kind in ("js", "ts"):
        return fill(js_header(v, stem, kind == "ts"), pools[kind], r, size)
    if kind == "go":
        pkg = os.path.basename(os.path.dirname(path)).replace("-", "")
        return fill(go_header(v, pkg or "main"), pools["go"], r, size)
    if kind == "rs":
        return fill(rs_header(v, stem), pools["rs"], r, size)
    if kind == "java":
        head = (f"package com.acme.{r.choice(WORDS)};\n\nimport java.util.Optional;\nimport org.slf4j.Logger;\n"
                f"import org.springframework.beans.factory.annotation.Value;\n\n/**\n * {r.choice(v.sentences)}\n */\n"
                f"public class {stem} {{\n    private static final Logger LOG = LoggerFactory.getLogger({stem}.class);\n\n")
        return fill(head, pools["java"], r, size, "}\n")
    if kind in ("yaml", "yml"):
        return [yaml_body(v, size)]
    if kind == "json":
        return [json_body(v, size)]
    if kind == "fixture":
        return [fixture_json_body(v, size)]
    if kind == "md":
        return fill(f"# {_cap(stem.replace('-', ' '))}\n\n{r.choice(v.sentences)}\n\n", pools["md"], r, size)
    if kind == "toml":
        return fill(f"# {r.choice(v.sentences)}\n\n", pools["toml"], r, size)
    if kind == "sh":
        return fill(f"#!/usr/bin/env bash\n# {r.choice(v.sentences)}\nset -euo pipefail\n\n", pools["sh"], r, size)
    if kind == "html":
        head = f"<!doctype html>\n<html lang=\"en\">\n<head>\n  <meta charset=\"utf-8\">\n  <title>{_cap(r.choice(PHRASES))}</title>\n  <link rel=\"stylesheet\" href=\"/static/css/{r.choice(v.kebab)}.css\">\n</head>\n<body>\n"
        return fill(head, pools["html"], r, size, "</body>\n</html>\n")
    if kind == "css":
        return fill(f"/* {r.choice(v.sentences)} */\n:root {{\n  --primary: #{v.hexs(6)};\n}}\n\n", pools["css"], r, size)
    if kind == "minjs":
        return [minjs_body(v, size)]
    if kind == "pbgo":
        return [pbgo_body(v, size)]
    if kind == "lock":
        return [lock_body(v, size, extra or stem)]
    if kind == "env":
        return [env_body(v, dev=False)]
    if kind == "envdev":
        return [line for line in env_body(v, dev=True).splitlines(keepends=True)]
    if kind == "dockerfile":
        lines = dockerfile_body(v).splitlines(keepends=True)
        # keep the FROM/ARG header together so a plant lands after it
        return ["".join(lines[:4])] + lines[4:]
    if kind == "gitignore":
        return ["node_modules/\ndist/\n*.min.js\ntestdata/\n__pycache__/\ntarget/\n.DS_Store\n"]
    raise ValueError(kind)


def build_pools(v: Vocab) -> dict[str, list[str]]:
    r = v.r
    pools: dict[str, list[str]] = {}
    pools["py"] = [py_block(v) for _ in range(600)]
    pools["js"] = [js_block(v, ts=False) for _ in range(500)]
    pools["ts"] = [js_block(v, ts=True) for _ in range(500)]
    pools["go"] = [go_block(v) for _ in range(500)]
    pools["rs"] = [rs_block(v) for _ in range(500)]
    pools["java"] = [java_block(v) for _ in range(400)]
    pools["sh"] = [sh_block(v) for _ in range(400)]
    pools["yaml"] = [yaml_body(v, 300) for _ in range(100)]
    pools["md"] = [md_block(v, pools) for _ in range(600)]
    pools["html"] = [html_block(v) for _ in range(300)]
    pools["css"] = [css_block(v) for _ in range(400)]
    pools["toml"] = [toml_block(v) for _ in range(300)]
    del r
    return pools


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir")
    ap.add_argument("--size-mb", type=float, default=320, help="minimum total size in MiB (default 320)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--force", action="store_true", help="replace OUT_DIR if it is a tree made by this script")
    a = ap.parse_args(argv)

    out = os.path.abspath(a.out_dir)
    if os.path.exists(out):
        if not a.force:
            print(f"gen_tree: {out} exists (use --force to replace a generated tree)", file=sys.stderr)
            return 2
        if not os.path.isfile(os.path.join(out, "PLANTED.txt")):
            print(f"gen_tree: refusing to remove {out}: it has no PLANTED.txt", file=sys.stderr)
            return 2
        shutil.rmtree(out)
    tmp = out + ".partial"
    if os.path.exists(tmp):
        shutil.rmtree(tmp)

    t0 = time.monotonic()
    target = int(a.size_mb * MIB)
    r = Random(a.seed)
    v = Vocab(r)
    pools = build_pools(v)
    plan = build_plan(v, target)
    secrets = make_secrets(Random(a.seed * 7919 + 1))

    # choose the files that get the plants
    prng = Random(a.seed * 7919 + 2)
    chosen: dict[int, str] = {}
    for kind in sorted(PLANT_IN):
        fk = PLANT_IN[kind]
        cands = [i for i, f in enumerate(plan.files)
                 if f[1] == fk and i not in chosen and "node_modules/" not in f[0] and "/dist/" not in f[0]
                 and "/vendor/" not in f[0] and "/testdata/" not in f[0] and f[2] < 200 * KIB]
        if not cands:  # tiny trees: make a home for it
            d = prng.choice([d for d, role in plan.dirs if role not in ("dist", "nodemod")])
            plan.add_file(d, f"{kind.replace('-', '_')}{EXT.get(fk, '')}" if fk not in ("dockerfile", "envdev") else ("Dockerfile" if fk == "dockerfile" else ".env.dev"), fk, 8 * KIB)
            cands = [len(plan.files) - 1]
        chosen[prng.choice(cands)] = kind

    os.makedirs(tmp)
    for d, _ in plan.dirs:
        os.makedirs(os.path.join(tmp, d), exist_ok=True)

    manifest = []
    total = 0
    for i, (rel, kind, size, extra) in enumerate(plan.files):
        v.r = Random(a.seed * 1_000_003 + i)  # per-file stream: stable even if the plan grows
        parts = render(kind, size, extra, v, pools, rel)
        if i in chosen:
            sk = chosen[i]
            snippet, off = plant_snippet(sk, secrets[sk], v)
            at = prng.randint(1, max(1, len(parts) - (2 if len(parts) > 2 else 1))) if len(parts) > 1 else 1
            if kind == "java" and at == len(parts):
                at -= 1
            line = sum(p.count("\n") for p in parts[:at]) + 1 + off
            parts.insert(at, snippet)
            manifest.append(f"{rel}:{line}:{sk}")
        text = "".join(parts)
        if i in chosen:  # the manifest line must hold (the start of) the secret
            first = secrets[sk].split("\n")[0] if sk != "rsa-private-key" else "-----BEGIN RSA PRIVATE KEY-----"
            assert first in text.split("\n")[line - 1], (rel, line, sk)
        with open(os.path.join(tmp, rel), "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        total += len(text)

    assert len(manifest) == 12, manifest
    manifest.sort()
    with open(os.path.join(tmp, "PLANTED.txt"), "w", encoding="utf-8") as fh:
        fh.write("".join(m + "\n" for m in manifest))
    os.rename(tmp, out)
    dt = time.monotonic() - t0
    print(f"gen_tree: {len(plan.files)} files in {len(plan.dirs)} dirs, {total / MIB:.1f} MiB, "
          f"12 planted secrets (PLANTED.txt), {dt:.1f}s -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
