#!/usr/bin/env python3
"""Regenerate every rule pack: run each pack's spec, then move each rule to the pack of its
provider's category, and sort every pack by id.

Why this exists: the specs were written by category of *author* (one helper per group of packs),
so a spec sometimes generates rules whose provider belongs elsewhere (the monitoring spec holds
Algolia, Notion, Okta...; the vcs spec holds CircleCI, npm, Snyk...). A newcomer looks for a
provider in one obvious place, the pack of its category, so the packs are what this script writes:
the specs stay where they are and `PACK_OF` below says where each provider lives. Rule ids never
change (users' ignore files and baselines key on them).

Usage:
    python3 scripts/rulegen/regen.py           # rewrite rules/*.toml
    python3 scripts/rulegen/regen.py --check   # exit 1 if a pack differs from what it would write,
                                               # or a provider is found in two category packs

Hand-written rules are read by each spec from scripts/rulegen/hand/<pack>.toml (cloud's from
scripts/rulegen/cloud_hand.toml); rules/generic.toml has no spec and is its own source (its order
is significant and is never sorted).
"""

import collections
import json
import os
import subprocess
import sys
import tomllib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import sort_packs  # noqa: E402

# Spec name -> how it is run: "write" specs rewrite rules/<pack>.toml themselves, "stdout" specs
# print the pack.
SPECS = [
    ("ai", "write", []), ("monitoring", "write", []), ("payments", "write", []),
    ("messaging", "write", ["--write"]), ("vcs", "write", ["--write"]),
    ("cloud", "stdout", []), ("cicd", "stdout", []), ("credentials", "stdout", []),
    ("databases", "stdout", []), ("devtools", "stdout", []), ("iot", "stdout", []),
    ("keys", "stdout", []), ("saas", "stdout", []), ("social", "stdout", []),
    ("secrets-managers", "stdout", []),
]
# Packs with no spec: the file is the source. Nothing is ever moved into them.
SOURCE_PACKS = ["generic"]
# Packs that hold credentials by *container* (a password in a URL, a config file of a known shape,
# a private key block) whatever the provider: `.npmrc` tokens sit in credentials beside `.netrc`,
# while npm's own token formats sit in devtools.
CONTAINER_PACKS = {"credentials", "keys", "generic"}

# Provider -> pack of its category, for providers a spec of another category generates.
PACK_OF = {
    # business SaaS: productivity, project management, identity providers
    "airtable": "saas", "asana": "saas", "dropbox": "saas", "notion": "saas", "figma": "saas",
    "okta": "saas", "auth0": "saas",
    # marketing, CRM and product analytics
    "hubspot": "social", "posthog": "social", "segment": "social", "amplitude": "social",
    # developer platforms, package registries, code quality, feature flags, headless CMS
    "algolia": "devtools", "mapbox": "devtools", "launchdarkly": "devtools", "linear": "devtools",
    "contentful": "devtools", "jfrog": "devtools", "npm": "devtools", "nuget": "devtools",
    "pypi": "devtools", "postman": "devtools", "sonarqube": "devtools", "sourcegraph": "devtools",
    "codecov": "devtools", "snyk": "devtools", "crates-io": "devtools", "rubygems": "devtools",
    "clojars": "devtools", "docker": "devtools",
    # CI/CD
    "azure-devops": "cicd", "circleci": "cicd", "buildkite": "cicd", "travis": "cicd",
    # cloud providers own every product of theirs (Gemini, DashScope, Firebase, Nest)
    "alibaba": "cloud", "firebase": "cloud", "google": "cloud",
}
# Rule id -> pack, where one provider spans two categories.
RULE_PACK = {
    "terraform-cloud-api-token": "cicd",  # hashicorp: Vault/HCP secrets live in secrets-managers
}
# Providers allowed in two category packs (see RULE_PACK).
SPLIT_PROVIDERS = {"hashicorp"}


def run_specs():
    """Run every spec; return {pack: text} of what each wrote."""
    texts = {}
    for name, mode, args in SPECS:
        cmd = [sys.executable, os.path.join(HERE, f"{name}.py")] + args
        pack = os.path.join(ROOT, "rules", f"{name}.toml")
        if mode == "stdout":
            res = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT)
            texts[name] = res.stdout
        else:
            # These specs write rules/<pack>.toml; keep the pack as it was and read what they wrote.
            before = open(pack, encoding="utf-8").read()
            try:
                res = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT)
                texts[name] = open(pack, encoding="utf-8").read()
            finally:
                with open(pack, "w", encoding="utf-8") as f:
                    f.write(before)
        for line in res.stderr.splitlines():
            if line.startswith("reskeleton:"):
                print(f"{name}: {line}", file=sys.stderr)
    for name in SOURCE_PACKS:
        texts[name] = open(os.path.join(ROOT, "rules", f"{name}.toml"), encoding="utf-8").read()
    return texts


def provider_of(block):
    return tomllib.loads(block)["rules"][0]["provider"]


TUNING = tomllib.load(open(os.path.join(HERE, "tuning.toml"), "rb"))


def tune(rid, body):
    """Apply scripts/rulegen/tuning.toml to one rule block (keywords, window, regex lines)."""
    t = TUNING.get(rid)
    if not t:
        return body
    lines = body.split("\n")
    for key, value in t.items():
        if key == "keywords":
            new = "keywords = [" + ", ".join(json.dumps(k) for k in value) + "]"
        elif key == "window":
            new = f"window = {int(value)}"
        elif key == "regex":
            assert "'''" not in value
            new = f"regex = '''{value}'''"
        else:
            raise SystemExit(f"tuning.toml: {rid}: unknown key {key}")
        at = [i for i, l in enumerate(lines) if l.startswith(key + " =")]
        if at:
            lines[at[0]] = new
        else:  # a window after the regex's secretGroup (or the regex)
            anchor = [i for i, l in enumerate(lines) if l.startswith(("secretGroup =", "regex ="))]
            lines.insert(anchor[-1] + 1, new)
    return "\n".join(lines)


VALIDATORS = tomllib.load(open(os.path.join(HERE, "validators.toml"), "rb"))
VALIDATE_OF = {rid: (name, v) for name, v in VALIDATORS.items() for rid in v["rules"]}
# The order keys are written in; `rules` is this file's own bookkeeping.
VALIDATE_KEYS = ["kind", "method", "url", "headers", "basic_auth", "body", "components"]


def toml_value(v):
    """One TOML value (strings, integers, booleans, arrays, inline tables)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{json.dumps(k)} = {toml_value(x)}" for k, x in v.items()) + " }"
    raise SystemExit(f"validators.toml: unsupported value {v!r}")


def validate_table(rid):
    """The `[rules.validate]` tables of rule `rid` (scripts/rulegen/validators.toml), or ''."""
    if rid not in VALIDATE_OF:
        return ""
    name, v = VALIDATE_OF[rid]
    unknown = set(v) - set(VALIDATE_KEYS) - {"rules", "live", "dead"}
    assert not unknown, f"validators.toml [{name}]: unknown keys {sorted(unknown)}"
    out = ["", "[rules.validate]"]
    out += [f"{k} = {toml_value(v[k])}" for k in VALIDATE_KEYS if k in v]
    for cond in ("live", "dead"):
        if cond in v:
            out.append(f"[rules.validate.{cond}]")
            out += [f"{k} = {toml_value(x)}" for k, x in v[cond].items()]
    return "\n".join(out)


def route(texts):
    """Move every rule block to its pack; return {pack: text}."""
    headers, blocks = {}, collections.defaultdict(list)
    for pack, text in texts.items():
        header, bl = sort_packs.split(text)
        headers[pack] = header
        for rid, body in bl:
            dest = RULE_PACK.get(rid)
            if dest is None and pack not in CONTAINER_PACKS:
                dest = PACK_OF.get(provider_of(body))
            dest = dest or pack
            assert dest in texts and dest not in SOURCE_PACKS or dest == pack, (rid, dest)
            blocks[dest].append((rid, tune(rid, body) + validate_table(rid)))
    ids = [rid for bl in blocks.values() for rid, _ in bl]
    missing = sorted(set(VALIDATE_OF) - set(ids))
    assert not missing, f"validators.toml names rules that do not exist: {missing}"
    dup = {i for i in ids if ids.count(i) > 1}
    assert not dup, f"rule ids in two packs: {sorted(dup)}"
    out = {}
    for pack, header in headers.items():
        bl = blocks[pack]
        if "# leakless:order-significant" not in header:
            bl = sorted(bl)
        out[pack] = header + "\n\n" + "\n\n".join(b for _, b in bl) + "\n"
    return out


def split_providers(texts):
    """Providers found in more than one category pack (container packs aside)."""
    where = collections.defaultdict(set)
    for pack, text in texts.items():
        if pack in CONTAINER_PACKS:
            continue
        for r in tomllib.loads(text).get("rules", []):
            where[r["provider"]].add(pack)
    return {p: sorted(s) for p, s in where.items() if len(s) > 1 and p not in SPLIT_PROVIDERS}


def main():
    check = "--check" in sys.argv
    out = route(run_specs())
    bad = split_providers(out)
    for p, packs in sorted(bad.items()):
        print(f"provider {p} is in {', '.join(packs)}: add it to PACK_OF", file=sys.stderr)
    changed = []
    for pack, text in sorted(out.items()):
        path = os.path.join(ROOT, "rules", f"{pack}.toml")
        if open(path, encoding="utf-8").read() != text:
            changed.append(pack)
            if not check:
                with open(path, "w", encoding="utf-8") as f:
                    f.write(text)
    n = sum(len(tomllib.loads(t).get("rules", [])) for t in out.values())
    verb = "would change" if check else "rewrote"
    print(f"{n} rules in {len(out)} packs; {verb}: {', '.join(changed) or 'nothing'}", file=sys.stderr)
    sys.exit(1 if bad or (check and changed) else 0)


if __name__ == "__main__":
    main()
