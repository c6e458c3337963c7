"""Helpers shared by the payments, ai and monitoring pack specs.

Why this exists: the three specs repeat two chores that `rulegen.py` leaves to each pack --
keeping the hand-written rules that predate the generator (read back from scripts/rulegen/hand/<pack>.toml, so
regenerating is idempotent), and the three kinds of negative example every prefix rule needs (a
placeholder, a truncated value, the token's regex quoted in code). Writing them once keeps the
specs to data.
"""

import contextlib
import io
import os
import re
import sys
import tomllib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from rulegen import Rule, emit, hand_path, key_forms, reskeleton  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def hand_written(pack, generated_ids, aliases=None, confidence=None, overrides=None):
    """The rules of `rules/<pack>.toml` that the spec does not generate (the hand-written ones),
    as Rule dicts. `aliases` / `confidence` map rule id -> value for rules that lack them;
    `overrides` maps rule id -> {field: value} the spec sets over the hand-written text."""
    overrides = overrides or {}
    aliases = aliases or {}
    confidence = confidence or {}
    with open(hand_path(pack), "rb") as f:
        doc = tomllib.load(f)
    out = []
    for r in doc.get("rules", []):
        if r["id"] in generated_ids:
            continue
        negs = list(r.get("negative_examples", []))
        if len(negs) < 3:
            negs += [n for n in derived_negatives(r) if n not in negs]
        conf = r.get("confidence") or confidence.get(r["id"])
        if conf is None:
            # A rule that needs the provider's name beside the value is medium; a shape is high.
            conf = "medium" if "(?i:" in r.get("regex", "") else "high"
        out.append(reskeleton(Rule(
            id=r["id"], description=r["description"], provider=r["provider"],
            severity=r.get("severity", "high"), confidence=conf,
            keywords=r.get("keywords", []), regex=r.get("regex"),
            secretGroup=r.get("secretGroup", 1), entropy=r.get("entropy"),
            env_var=r.get("env_var"), rotate=r.get("rotate"),
            aliases=r.get("aliases") or aliases.get(r["id"], []),
            checksum=r.get("checksum"), window=r.get("window"), path=r.get("path"),
            examples=r.get("examples", []), negative_examples=negs,
        )))
        for field, value in overrides.get(r["id"], {}).items():
            if field == "negative_examples":
                out[-1][field] = list(out[-1][field]) + [v for v in value if v not in out[-1][field]]
            else:
                out[-1][field] = value
    return out


def derived_negatives(r):
    """Negative examples derived from a rule's first matching example, for hand-written rules that
    have fewer than three: the secret with its tail replaced by a placeholder run, and a `${ENV}`
    reference in its place. (A truncated secret is no negative for rules with open length ranges.)"""
    try:
        m = next(m for ex in r["examples"] for m in [re.search(r["regex"], ex)] if m)
    except (StopIteration, re.error, KeyError, TypeError):
        return []
    g = r.get("secretGroup") or 0
    secret = m.group(g) or m.group(0)
    ex = m.string
    keep = max(1, len(secret) * 2 // 5)
    env = r.get("env_var") or "SECRET"
    return [
        ex.replace(secret, secret[:keep] + "x" * (len(secret) - keep), 1),
        ex.replace(secret, "${" + env + "}", 1),
    ]


def pnegs(env_var, prefix, sample, *extra):
    """Negative examples for a prefix token: a placeholder, a truncated token, the token's shape
    quoted in a regex in code, plus `extra` look-alikes."""
    tok = sample()
    tail = tok[len(prefix):]
    k = key_forms(env_var)
    return [
        f"{k['SCREAM']}={prefix}{'x' * len(tail)}",
        f"{k['SCREAM']}={prefix}{tail[: max(4, len(tail) // 3)]}",
        f"const {k['camel']}Pattern = /^{re.escape(prefix)}[A-Za-z0-9]{{{len(tail)}}}$/;",
        f"{k['snake']}: <{k['kebab']}>",
    ] + list(extra)


def generate(pack, header, rules, aliases=None, confidence=None, overrides=None):
    """Rewrite `rules/<pack>.toml`: the hand-written rules (scripts/rulegen/hand/<pack>.toml), plus the generated
    ones, sorted by id. (The pack is read before it is written, so this is not a shell redirect.)"""
    ids = {r["id"] for r in rules}
    keep = hand_written(pack, ids, aliases, confidence, overrides)
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        emit(keep + rules, header=header)
    with open(os.path.join(ROOT, "rules", f"{pack}.toml"), "w") as f:
        f.write(buf.getvalue())
    print(f"rules/{pack}.toml: {len(keep)} hand-written + {len(rules)} generated rules",
          file=sys.stderr)
