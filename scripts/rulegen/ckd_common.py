"""Helpers shared by the credentials, keys and databases specs (scripts/rulegen/{credentials,keys,databases}.py).

Why this exists: those three packs hold *container* rules -- a password inside a URL, a connection
string, a config file of a known shape -- whose regexes repeat the same parts (the URL user-info
skeleton, the list of dummy passwords that documentation uses, allowlists) and which need
`[[rules.allowlists]]` and `path`, which rulegen.render does not write. It also reads a pack's
hand-written rules back so a spec can re-emit them beside the generated ones, sorted by id.
"""

import json
import sys
import tomllib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from rulegen import *  # noqa: E402,F401,F403
import rulegen  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]

# Passwords that documentation, tutorials and local docker-compose files use. Matched against the
# captured secret (whole value), case-insensitive.
DUMMY_PASSWORDS = (
    r"(?i)^(?:(?:my|your|the|some|db|pg|app|admin|user|test|dev|default|super|secret|strong|new|old)?"
    r"[_\-.]?(?:pass(?:word|wd|phrase)?|pwd|secret|token)[_\-.]?[0-9]{0,4}|postgres|root|admin[0-9]{0,4}|"
    r"test(?:ing)?[0-9]{0,4}|user(?:name)?[0-9]{0,3}|guest|mysql|mariadb|redis|mongo(?:db)?|rabbitmq|"
    r"sa|changeit|changeme|default|foo|bar|baz|foobar|letmein|qwerty|toor|p@ssw0rd|passw0rd|pa55w0?rd|"
    r"pa\$\$w[o0]rd|hunter2|s3cr3t|tiger|scott|oracle|welcome[0-9]{0,4}|demo|sample|dummy|fake|"
    r"(?:fake|dummy|mock|sample|bogus|invalid|wrong|bad|incorrect|not[_\-]?a?[_\-]?real)[_\-.]?\w{0,16}|"
    r"[0-9]{1,8}|x+|\*+|\.+|:\w+|[a-z]{1,3})$"
)


def dummy_allowlist():
    return {"description": "well-known default or dummy passwords", "regexTarget": "secret",
            "regexes": [DUMMY_PASSWORDS]}


# A password in a URL's user-info, in RFC 3986's userinfo alphabet (unreserved, sub-delims and
# percent-encoded bytes): not starting with a template character (`$`, `{`, `(`, `%s`), 4-128 characters.
URL_PW = (r"""((?:[A-Za-z0-9\-._~!*+,;=&]|%[0-9A-Fa-f]{2})(?:[A-Za-z0-9\-._~!$&()*+,;=]|%[0-9A-Fa-f]{2}){3,127})""")
URL_USER = r"""[^:@/\s"'<>]{0,64}"""
HOST_ANY = r"""[A-Za-z0-9\[_][^\s/@"'<>?#]{0,120}"""
HOST_DOTTED = r"""(?:[A-Za-z0-9\-]{1,63}\.){1,8}[A-Za-z0-9\-]{1,63}(?:[:/?#"'\s]|$)"""


def url_regex(schemes, dotted=False):
    """`scheme://user:PASSWORD@host` for the schemes regex `schemes` (case-insensitive)."""
    host = HOST_DOTTED if dotted else HOST_ANY
    return rf"""(?i)\b(?:{schemes})://{URL_USER}:{URL_PW}@{host}"""


# A password as documentation writes one: up to four words (`secret`, `my-db-pass`, `mySecret`,
# `REDACTED`), maybe percent-encoded, maybe with a few trailing digits, or 8 characters at most.
# A machine-made password (`F6yKnumFBOujxJ4P`, `KAg-HxVRe%40NqxQ`) is not one, whatever the host.
_DOC_WORD = r"(?:[A-Z]?(?:[a-z]|%[0-9A-Fa-f]{2}){2,24}|[A-Z]{2,24})"
DOC_PASSWORD = (r"(?-i:" + _DOC_WORD + r"(?:[_.\-]?" + _DOC_WORD + r"){0,3}[0-9!]{0,6}"
                r"|[^:@/\s\"'<>]{1,8})")


def url_host_allowlist():
    """URLs to loopback and placeholder hosts carry sample credentials; so do URLs to the
    documentation domains (RFC 2606 `example`, `test`, `invalid`) when the password is also one
    documentation would write. A random password on `db.example.com` is reported: the host is
    the part people redact before pasting a URL, the password the part they forget."""
    return {"description": "loopback and placeholder hosts, and documentation hosts with a documentation password",
            "regexTarget": "match",
            "regexes": [r"(?i)@(?:localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\]|(?:[\w\-]+\.)*localhost"
                        r"|(?:your|my)[\w\-]*(?:host|server|domain)|host(?:name)?|server)(?:[:/?#,\"'\s]|$)",
                        r"(?i)://[^:@/\s\"'<>]{0,64}:" + DOC_PASSWORD + r"@(?:[\w\-]+\.)*(?:example|test|invalid)"
                        r"(?:\.(?:com|org|net))?(?:[:/?#,\"'\s]|$)",
                        r"(?i)://[^:@/\s\"'<>]{0,64}:" + DOC_PASSWORD + r"@(?:[\w\-]+\.)*(?:test|tests|testing|example)\."]}


def url_text_allowlist():
    """Passwords holding encoded non-ASCII, spaces, brackets or DEL are URL-parser test data."""
    return {"description": "URL-parser test data (encoded UTF-8, spaces, brackets, DEL) and sample passwords that say so", "regexTarget": "secret",
            "regexes": [r"(?i)%(?:[C-F][0-9A-F]|7F|5[BD]|20|00)", r"(?i)pass(?:word|wd)"]}


def password_sample(n=18):
    """A fake password: base62 with a few URL-safe specials and one percent-encoded byte."""
    s = list(b62(n))
    s[3] = rulegen._R.choice("-_.~!*")
    s[n // 2] = rulegen._R.choice(["%21", "%40", "%23", "%2F", "%3A"])
    return "".join(s)


def render(r):
    """rulegen.render plus `[[rules.allowlists]]`."""
    out = rulegen.render(r)
    # secretGroup None: the first group that matched is the secret (rules with alternatives).
    out = out.replace("\nsecretGroup = None", "")
    for a in r.get("allowlists") or []:
        out += "\n[[rules.allowlists]]"
        if a.get("description"):
            out += f"\ndescription = {json.dumps(a['description'])}"
        if a.get("regexTarget"):
            out += f"\nregexTarget = {json.dumps(a['regexTarget'])}"
        for field in ("regexes", "paths"):
            if a.get(field):
                for x in a[field]:
                    assert "'''" not in x
                items = ", ".join(f"'''{x}'''" for x in a[field])
                out += f"\n{field} = [{items}]"
        if a.get("stopwords"):
            out += f"\nstopwords = [{', '.join(json.dumps(s) for s in a['stopwords'])}]"
    return out


def ciphertext_allowlist():
    """Encrypted values are not secrets: SOPS, ansible-vault, Vault transit, Spring Cloud Config, sealed-secrets."""
    return {"description": "ciphertext (SOPS ENC[...], ansible-vault, vault:v1:, {cipher}, sealed-secrets)", "regexTarget": "secret",
            "regexes": [r"^(?:ENC\[(?:AES256_GCM|PGP|KMS)|\$ANSIBLE_VAULT;|vault:v[0-9]{1,3}:|\{cipher\}|!vault|Ag[AB][A-Za-z0-9+/]{200})"]}


def with_allow(r, *allowlists):
    r["allowlists"] = list(r.get("allowlists") or []) + list(allowlists)
    return r


def existing_rules(pack):
    """The hand-written rules of a pack (`scripts/rulegen/hand/<pack>.toml`) as Rule dicts."""
    data = tomllib.loads(Path(rulegen.hand_path(pack)).read_text())
    out = []
    for spec in data.get("rules", []):
        r = rulegen.Rule(
            id=spec["id"], description=spec.get("description"), provider=spec.get("provider"),
            severity=spec.get("severity", "high"), confidence=spec.get("confidence", "high"),
            keywords=spec.get("keywords", []), regex=spec.get("regex"),
            secretGroup=spec.get("secretGroup", 1), entropy=spec.get("entropy"),
            env_var=spec.get("env_var"), rotate=spec.get("rotate"), aliases=spec.get("aliases", []),
            checksum=spec.get("checksum"), window=spec.get("window"), path=spec.get("path"),
            examples=spec.get("examples", []), negative_examples=spec.get("negative_examples", []),
            allowlists=spec.get("allowlists", []))
        out.append(rulegen.reskeleton(r))
    return out


def emit(rules, header):
    ids = [r["id"] for r in rules]
    dup = {i for i in ids if ids.count(i) > 1}
    assert not dup, f"duplicate rule ids: {sorted(dup)}"
    print(header.rstrip())
    print("# Generated by scripts/rulegen; example values are random fakes drawn from each format.")
    for r in sorted(rules, key=lambda r: r["id"]):
        print()
        print(render(r))
