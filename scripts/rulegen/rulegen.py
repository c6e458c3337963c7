"""Shared helpers for writing leakless rule packs from providers' documented token formats.

Why this exists: a catalog of hundreds of rules stays consistent only if the parts every rule
repeats -- the "provider name near an ambiguous value" skeleton, the example lines in the dozen
syntaxes real repositories use, the random fake values -- are written once. A pack's spec
(`scripts/rulegen/<pack>.py`) lists rules as data (id, provider, value format, key names) and
this module renders them as gitleaks-format TOML with leakless' fields. Example values are drawn
from the *format* (alphabet, length, prefix) with a seeded generator, never copied from anywhere.

Usage in a spec:

    from rulegen import *
    rules = [
        ctx_rule("acme-api-key", "acme", "Acme API key", name=r"acme[\\w.\\-]{0,20}(?:api[_.\\-]?)?key",
                 key="ACME_API_KEY", value=HEX(32), entropy=3.0,
                 rotate="https://acme.example/settings/keys"),
        prefix_rule("acme-pat", "acme", "Acme personal access token (acme_pat_)",
                    regex=r"\\b(acme_pat_[A-Za-z0-9]{40})\\b", keywords=["acme_pat_"],
                    sample=lambda: "acme_pat_" + b62(40), env_var="ACME_TOKEN", ...),
    ]
    emit(rules, header="# leakless built-in rules: ...")   # prints TOML, rules sorted by id

Run `python3 scripts/rulegen/<pack>.py > rules/<pack>.toml` and then
`leakless rules check rules/<pack>.toml`.
"""

import json
import os
import random
import re
import string
import sys

_R = random.Random(0x1EA41E55)


HAND_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "hand")


def hand_path(pack):
    """Where a spec's hand-written rules live (`scripts/rulegen/hand/<pack>.toml`): not the pack
    itself, because scripts/rulegen/regen.py moves rules between packs by provider."""
    return os.path.join(HAND_DIR, f"{pack}.toml")


def reseed(seed):
    """Reseed the generator (each spec seeds once so its output is stable)."""
    _R.seed(seed)


# ---------------------------------------------------------------- random values from a format
DIGITS = string.digits
LOWER = string.ascii_lowercase
UPPER = string.ascii_uppercase
HEXL = "0123456789abcdef"
HEXU = "0123456789ABCDEF"
B62 = DIGITS + UPPER + LOWER
B64 = B62 + "+/"
B64URL = B62 + "-_"
B32 = UPPER + "234567"


def rand(alphabet, n):
    """`n` characters drawn uniformly from `alphabet`, never a run of 4 equal characters."""
    out = []
    while len(out) < n:
        c = _R.choice(alphabet)
        if len(out) >= 3 and out[-1] == out[-2] == out[-3] == c:
            continue
        out.append(c)
    return "".join(out)


def hexs(n, upper=False):
    return rand(HEXU if upper else HEXL, n)


def b62(n):
    return rand(B62, n)


def b64(n):
    return rand(B64, n)


def b64url(n):
    return rand(B64URL, n)


def alnum_lower(n):
    return rand(DIGITS + LOWER, n)


def alnum_upper(n):
    return rand(DIGITS + UPPER, n)


def digits(n):
    return rand(DIGITS, n)


def uuid4():
    h = hexs(32)
    h = h[:12] + "4" + h[13:16] + _R.choice("89ab") + h[17:]
    return f"{h[0:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


# ------------------------------------------------------- value formats: (regex, sample function)
class Fmt:
    """A value format: the regex that matches exactly one value and a generator of fake values."""

    def __init__(self, regex, sample):
        self.regex = regex
        self.sample = sample


def HEX(n, upper=False):
    return Fmt(f"[0-9A-F]{{{n}}}" if upper else f"[0-9a-f]{{{n}}}", lambda: hexs(n, upper))


def HEXI(n):
    """Hex of either case (values are usually lowercase; the regex accepts both)."""
    return Fmt(f"[0-9a-fA-F]{{{n}}}", lambda: hexs(n))


def ALNUM(n, lo=None):
    """Base62 of exactly n (or lo..n) characters."""
    q = f"{{{n}}}" if lo is None else f"{{{lo},{n}}}"
    return Fmt(f"[A-Za-z0-9]{q}", lambda: b62(n))


def LOWERNUM(n):
    return Fmt(f"[a-z0-9]{{{n}}}", lambda: alnum_lower(n))


def UPPERNUM(n):
    return Fmt(f"[A-Z0-9]{{{n}}}", lambda: alnum_upper(n))


def B64CHARS(n, lo=None):
    q = f"{{{n}}}" if lo is None else f"{{{lo},{n}}}"
    return Fmt(f"[A-Za-z0-9+/]{q}", lambda: b64(n))


def URLSAFE(n, lo=None):
    q = f"{{{n}}}" if lo is None else f"{{{lo},{n}}}"
    return Fmt(f"[A-Za-z0-9_\\-]{q}", lambda: b64url(n))


def UUID():
    return Fmt("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}", uuid4)


def DIGITS_(n, lo=None):
    q = f"{{{n}}}" if lo is None else f"{{{lo},{n}}}"
    return Fmt(f"[0-9]{q}", lambda: digits(n))


def JWT_FMT(payload_len=90):
    """A JWT (header.payload.signature, base64url) with an HS256 header and a random payload."""
    return Fmt(
        r"eyJ[A-Za-z0-9_\-]{10,400}\.eyJ[A-Za-z0-9_\-]{10,1200}\.[A-Za-z0-9_\-]{20,400}",
        lambda: "eyJhbGciOiJIUzI1NiJ9.eyJ" + b64url(payload_len) + "." + b64url(43),
    )


def PREFIXED(prefix, fmt):
    """A literal prefix (regex-escaped) followed by another format."""
    return Fmt(re.escape(prefix) + fmt.regex, lambda: prefix + fmt.sample())


# ---------------------------------------------------------- the provider-context skeleton
# Between a key that names the provider and the value: the rest of the key, closing quotes
# (escaped ones too: Jupyter notebooks store source lines as JSON strings), an optional type
# annotation (`: &str`, `: string`), then one separator of the syntaxes real repos use --
# `=`, `:=`, `::=`, `?=`, `+=`, `||=` (dotenv, shell, Makefile, Ruby), `=>` (PHP, Ruby), `:` (YAML,
# JSON, headers), `,` (PHP define, constructor pairs), `(` (constructor argument), `>` (XML
# element), `value=` (.NET appSettings `key="X" value="…"`), a Terraform `variable "x" {` block's
# `default =` (after at most three `description`/`type`/`sensitive` lines), the next line's `value:`
# of a Kubernetes `env:` entry (`- name: X` / `  value: "…"`), or whitespace alone
# (Dockerfile `ENV K V`, CLI `--flag V`) -- then opening quotes.
KEY_TAIL = r"[\w.\-]{0,25}"
SEP = (
    r"""[\\"'`\]]{0,3}(?:\s{0,2}:\s{0,2}&?(?:'static\s)?[A-Za-z_][\w<>\[\]]{0,15})?\s{0,3}"""
    r"""(?:[:+?|]{0,2}=>?|:{1,2}|,|\(|>|\s(?:value|val)\s{0,2}=|"""
    r"""\{\s{1,8}(?:(?:description|type|sensitive)\s{0,12}=\s{0,3}[^\n]{0,80}\n\s{1,8}){0,3}default\s{0,12}=|"""
    r"""\r?\n\s{1,12}value:|\s)"""
    r"""\s{0,3}(?:[\\"'`]{0,3}|&quot;)"""
)
END = r"(?:[^0-9A-Za-z_\-]|$)"


# Between the words of a key name in a `name` pattern (`acme` + S + `api` + S + `key`).
S = r"[_.\-]?"


def kforms(*words):
    """The spellings of a multi-word keyword: joined by `_`, `-`, `.` or nothing, lower-case."""
    out = set()
    for sep in ("_", "-", ".", ""):
        out.add(sep.join(words).lower())
    return sorted(out)


def opt(*words):
    """An optional group of alternative key words, each followed by a separator."""
    return "(?:" + "|".join(w + S for w in words) + ")?"


def ctx_regex(name, value_regex, end=END):
    """Provider-context regex: `(?i:name)` (the key), the shared separator, the value (group 1)."""
    return rf"(?i:{name}){KEY_TAIL}{SEP}({value_regex}){end}"


def key_forms(key):
    """The spellings of one SCREAMING_SNAKE key name: snake, camel, dotted, kebab, Pascal."""
    parts = [p for p in key.split("_") if p]
    low = [p.lower() for p in parts]
    camel = low[0] + "".join(p.capitalize() for p in low[1:])
    pascal = "".join(p.capitalize() for p in low)
    return {
        "SCREAM": "_".join(parts).upper(),
        "snake": "_".join(low),
        "camel": camel,
        "pascal": pascal,
        "dotted": ".".join(low),
        "kebab": "-".join(low),
    }


# Each template renders one line (or block) of a real syntax with key forms `k` and value `v`.
SYNTAXES = [
    ("dotenv", lambda k, v: f"{k['SCREAM']}={v}"),
    ("export", lambda k, v: f"export {k['SCREAM']}=\"{v}\""),
    ("yaml", lambda k, v: f"{k['snake']}: {v}"),
    ("json", lambda k, v: f"{{\"{k['camel']}\": \"{v}\"}}"),
    ("toml", lambda k, v: f"{k['snake']} = \"{v}\""),
    ("properties", lambda k, v: f"{k['dotted']}={v}"),
    ("xml-element", lambda k, v: f"<{k['camel']}>{v}</{k['camel']}>"),
    ("appsettings", lambda k, v: f"<add key=\"{k['SCREAM']}\" value=\"{v}\" />"),
    ("makefile", lambda k, v: f"{k['SCREAM']} := {v}"),
    ("dockerfile", lambda k, v: f"ENV {k['SCREAM']} {v}"),
    ("php-array", lambda k, v: f"    '{k['snake']}' => '{v}',"),
    ("php-define", lambda k, v: f"define('{k['SCREAM']}', '{v}');"),
    ("go", lambda k, v: f"\t{k['camel']} := \"{v}\""),
    ("java", lambda k, v: f"    private static final String {k['SCREAM']} = \"{v}\";"),
    ("kotlin", lambda k, v: f"val {k['camel']} = \"{v}\""),
    ("rust", lambda k, v: f"const {k['SCREAM']}: &str = \"{v}\";"),
    ("python", lambda k, v: f"{k['SCREAM']} = '{v}'"),
    ("js", lambda k, v: f"const {k['camel']} = \"{v}\";"),
    ("ts-object", lambda k, v: f"  {k['camel']}: '{v}',"),
    ("ruby", lambda k, v: f"ENV['{k['SCREAM']}'] ||= '{v}'"),
    ("csharp", lambda k, v: f"var {k['camel']} = \"{v}\";"),
    ("cli-flag", lambda k, v: f"mytool --{k['kebab']} {v}"),
    ("header", lambda k, v: f"-H '{k['kebab']}: {v}'"),
    ("jupyter", lambda k, v: f"\"    \\\"{k['SCREAM']}\\\": \\\"{v}\\\",\\n\","),
]


def ctx_examples(key, sample, count=3, offset=0):
    """`count` example lines for key `key`, each a fresh fake value, in different syntaxes."""
    k = key_forms(key)
    out = []
    for i in range(count):
        _, tpl = SYNTAXES[(offset + i * 7) % len(SYNTAXES)]
        out.append(tpl(k, sample()))
    return out


# ------------------------------------------------------------------------------- rules
class Rule(dict):
    pass


def rule(id, provider, description, regex, keywords, examples, negative_examples, *,
         severity="high", confidence="high", entropy=None, secret_group=1, env_var=None,
         rotate=None, aliases=None, checksum=None, window=None, path=None):
    """A fully specified rule (use when neither helper below fits)."""
    r = Rule(id=id, description=description, provider=provider, severity=severity,
             confidence=confidence, keywords=sorted(set(k.lower() for k in keywords)),
             regex=regex, secretGroup=secret_group, entropy=entropy, env_var=env_var,
             rotate=rotate, aliases=aliases or [], checksum=checksum, window=window, path=path,
             examples=examples, negative_examples=negative_examples)
    return r


_rule_counter = [0]


def ctx_rule(id, provider, description, *, name, key, value, keywords=None, entropy=3.0,
             severity="high", env_var=None, rotate=None, aliases=None, extra_examples=(),
             negatives=(), count=3):
    """A provider-context rule: an ambiguous value (hex, UUID, base62) beside a key naming the
    provider. `name` is the key regex (case-insensitive, e.g. r"acme[\\w.\\-]{0,20}api[_.\\-]?key");
    `key` one real key name (SCREAMING_SNAKE) it must match; `value` a Fmt."""
    _rule_counter[0] += 1
    kw = keywords or [provider.lower()]
    ex = ctx_examples(key, value.sample, count=count, offset=_rule_counter[0]) + list(extra_examples)
    v = value.sample()
    k = key_forms(key)
    neg = [
        f"{k['SCREAM']}=${{{k['SCREAM']}}}",
        f"{k['snake']}: <your-{k['kebab']}>",
        f"{k['SCREAM']}={v[:max(1, len(v) // 2)]}",
        f"{kw[0]} docs mention the value {value.sample()} in passing",
    ] + list(negatives)
    return rule(id, provider, description, ctx_regex(name, value.regex), kw, ex, neg,
                severity=severity, confidence="medium", entropy=entropy,
                env_var=env_var or k["SCREAM"], rotate=rotate, aliases=aliases)


def prefix_rule(id, provider, description, *, regex, keywords, sample, env_var, rotate=None,
                entropy=3.0, severity="high", aliases=None, contexts=("dotenv", "yaml", "js"),
                negatives=(), checksum=None, secret_group=1):
    """A rule for a token with a distinctive prefix/shape (high confidence). `sample()` makes a fake
    token; examples place fresh ones in `contexts` syntaxes under the `env_var` key."""
    k = key_forms(env_var)
    table = dict(SYNTAXES)
    ex = [table[c](k, sample()) for c in contexts]
    return rule(id, provider, description, regex, keywords, ex, list(negatives),
                severity=severity, confidence="high", entropy=entropy, env_var=env_var,
                rotate=rotate, aliases=aliases, checksum=checksum, secret_group=secret_group)


def _s(x):
    return json.dumps(x, ensure_ascii=True)


def render(r):
    lines = ["[[rules]]", f"id = {_s(r['id'])}", f"description = {_s(r['description'])}",
             f"provider = {_s(r['provider'])}"]
    if r.get("aliases"):
        lines.append(f"aliases = [{', '.join(_s(a) for a in r['aliases'])}]")
    lines.append(f"severity = {_s(r['severity'])}")
    lines.append(f"confidence = {_s(r['confidence'])}")
    lines.append(f"keywords = [{', '.join(_s(k) for k in r['keywords'])}]")
    if r.get("path"):
        assert "'''" not in r["path"]
        lines.append(f"path = '''{r['path']}'''")
    if r.get("regex"):
        assert "'''" not in r["regex"]
        lines.append(f"regex = '''{r['regex']}'''")
        lines.append(f"secretGroup = {r['secretGroup']}")
    if r.get("entropy") is not None:
        lines.append(f"entropy = {r['entropy']}")
    if r.get("checksum"):
        lines.append(f"checksum = {_s(r['checksum'])}")
    if r.get("window"):
        lines.append(f"window = {r['window']}")
    if r.get("env_var"):
        lines.append(f"env_var = {_s(r['env_var'])}")
    if r.get("rotate"):
        lines.append(f"rotate = {_s(r['rotate'])}")
    lines.append("examples = [")
    lines += [f"    {_s(e)}," for e in r["examples"]]
    lines.append("]")
    lines.append("negative_examples = [")
    lines += [f"    {_s(e)}," for e in r["negative_examples"]]
    lines.append("]")
    return "\n".join(lines)


def emit(rules, header):
    """Print a whole pack: the header comment, then every rule sorted by id."""
    ids = [r["id"] for r in rules]
    dup = {i for i in ids if ids.count(i) > 1}
    assert not dup, f"duplicate rule ids: {sorted(dup)}"
    print(header.rstrip())
    print("# Generated by scripts/rulegen; example values are random fakes drawn from each format.")
    for r in sorted(rules, key=lambda r: r["id"]):
        print()
        print(render(r))


# ------------------------------------------- hand-written context rules onto the shared skeleton
# The provider-context rules written by hand before this module existed end their key part with
# one of these separators: `=`, `:=`, `=>`, `:` around optional single quotes. They miss the
# syntaxes SEP handles (.NET appSettings, `: string =` annotations, Jupyter-escaped JSON, Ruby
# `||=`, Terraform `default =`). `reskeleton` swaps the old separator for SEP, keeping the key
# part, the value part, the id and the examples, and adds examples in those syntaxes.
OLD_SEPS = [
    r"""["']?\s{0,4}(?:=|:=|=>|:)\s{0,4}["']?""",
    r"""["']?\s{0,4}(?::=|=>|=|:)\s{0,4}["']?""",
    r"""["'`]?\s{0,3}(?:=|:=|=>|:|\s)\s{0,3}["'`]?""",
    r"""["'`]?\s{0,3}(?:=|:=|=>|:)\s{0,3}["'`]?""",
    r"""["'`]?\s{0,3}(?:=|:=|=>|:|\()\s{0,3}["'`]?""",
]

RESKELETON_SYNTAXES = [
    ("appsettings", lambda k, v: f"<add key=\"{k['SCREAM']}\" value=\"{v}\" />"),
    ("ts-annotation", lambda k, v: f"export const {k['camel']}: string = \"{v}\";"),
    ("ruby", lambda k, v: f"ENV['{k['SCREAM']}'] ||= '{v}'"),
    ("jupyter", lambda k, v: f"\"    os.environ[\\\"{k['SCREAM']}\\\"] = \\\"{v}\\\"\\n\","),
    ("terraform", lambda k, v: f"variable \"{k['snake']}\" {{\n  default = \"{v}\"\n}}"),
    ("k8s-env", lambda k, v: f"        - name: {k['SCREAM']}\n          value: \"{v}\""),
]


def _like(value, rng, own=True):
    """A fresh fake of the same shape as `value`: each digit, lower- or upper-case letter replaced
    by a random one of its class -- drawn from the characters of that class the value itself uses
    when it uses several (so hex stays hex, base32 stays base32) -- everything else kept."""
    pools = {}
    for cls in (DIGITS, LOWER, UPPER):
        seen = sorted({c for c in value if c in cls})
        pools[cls] = "".join(seen) if own and len(seen) >= 3 else cls
    out = []
    for c in value:
        for cls in (DIGITS, LOWER, UPPER):
            if c in cls:
                out.append(rng.choice(pools[cls]))
                break
        else:
            out.append(c)
    return "".join(out)


def _entropy(s):
    from collections import Counter
    import math
    n = len(s)
    return -sum(c / n * math.log2(c / n) for c in Counter(s).values()) if n else 0.0


# Earlier versions of SEP, as rules read back from scripts/rulegen/hand/ may still spell them out:
# reskeleton upgrades them to the current SEP so every context rule shares one skeleton.
PREVIOUS_SEPS = [
    SEP.replace(r"""\r?\n\s{1,12}value:|""", ""),  # before Kubernetes env entries
    SEP.replace(r"""\r?\n\s{1,12}value:|""", "").replace(
        r"""\{\s{1,8}(?:(?:description|type|sensitive)\s{0,12}=\s{0,3}[^\n]{0,80}\n\s{1,8}){0,3}default\s{0,12}=|""",
        ""),  # before Terraform variable blocks
]


def reskeleton(r):
    """Move a hand-written provider-context rule onto SEP (in place; a no-op for a rule that does
    not end its key with one of OLD_SEPS, so re-running a spec is idempotent). The new examples'
    values are drawn from the first example's value with a generator seeded by the rule id, so the
    output is stable and the shared generator's stream is untouched."""
    rx = r.get("regex") or ""
    for prev in PREVIOUS_SEPS:
        if prev in rx and SEP not in rx:
            r["regex"] = rx = rx.replace(prev, SEP)
    hits = [s for s in OLD_SEPS if rx.count(s) == 1]
    if len(hits) != 1 or r.get("confidence") == "high" or not r.get("env_var"):
        return r
    new_rx = rx.replace(hits[0], SEP)
    g = r.get("secretGroup") or 0
    value = None
    for ex in r.get("examples", []):
        m = re.search(rx, ex)
        if m and m.group(g):
            value = m.group(g)
            break
    if value is None:
        return r
    rng = random.Random(r["id"])
    k = key_forms(r["env_var"])
    added = []
    for name, tpl in RESKELETON_SYNTAXES:
        # Keep a literal prefix of the value (`sk-`, `EAAA`, `00`) when the rule needs one.
        # Whole classes first, then the value's own characters (hex, base32); a fake must pass
        # the rule's entropy floor and hold one of its keywords, as `rules check` requires.
        found = None
        for own, keep in [(o, n) for o in (False, True) for n in range(0, 13)]:
            for _ in range(4):
                fake = value[:keep] + _like(value[keep:], rng, own)
                line = tpl(k, fake)
                m = re.search(new_rx, line)
                if (m and m.group(g) == fake and _entropy(fake) >= (r.get("entropy") or 0) + 0.1
                        and any(kw.lower() in line.lower() for kw in r.get("keywords", []))):
                    found = line
                    break
            if found:
                break
        if found:
            added.append(found)
    if not added:
        # The key regex does not accept the rule's own env_var spelled in these syntaxes:
        # leave the rule as it was rather than convert it without examples to show for it.
        print(f"reskeleton: {r['id']}: left as written (no example in the new syntaxes matches)",
              file=sys.stderr)
        return r
    r["regex"] = new_rx
    r["examples"] = list(r.get("examples", [])) + [a for a in added if a not in r.get("examples", [])]
    return r
