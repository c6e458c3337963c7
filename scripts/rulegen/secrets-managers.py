"""Spec of rules/secrets-managers.toml: secrets managers and vaults (HashiCorp Vault / Consul / Nomad /
HCP, Doppler, Infisical, 1Password, Bitwarden, Akeyless, Pulumi).

Regenerate every pack with `python3 scripts/rulegen/regen.py`: it runs this spec and moves each
rule to the pack of its provider's category (`PACK_OF` in regen.py).

Why this exists: the pack's rules were all written by hand before scripts/rulegen existed; they are
kept in scripts/rulegen/hand/secrets-managers.toml. This spec reads them back, gives each a
`confidence` (medium when the provider's name must be beside the value, high for a distinctive
token shape) and moves the provider-context ones onto the shared skeleton (`rulegen.reskeleton`),
so they match the syntaxes every other context rule matches.
"""

import tomllib

from ckd_common import emit
import rulegen

HEADER = """# leakless built-in rules: secrets managers and vaults (Infisical, Vault/OpenBao, Doppler, 1Password,
# Akeyless, Consul/Nomad, HCP, Pulumi, Bitwarden).
# Format: gitleaks v8 rules plus leakless fields (provider, severity, confidence, env_var, rotate, examples).
# Example values are randomly generated fakes in the provider's format; none is a real credential.
# Spec: scripts/rulegen/secrets-managers.py (hand-written rules: scripts/rulegen/hand/secrets-managers.toml)."""

with open(rulegen.hand_path("secrets-managers"), "rb") as f:
    doc = tomllib.load(f)
rules = []
for t in doc["rules"]:
    r = rulegen.Rule(
        id=t["id"], description=t["description"], provider=t["provider"],
        severity=t.get("severity", "high"),
        # A rule that needs the provider's name beside the value is medium; a token shape is high.
        confidence=t.get("confidence") or ("medium" if "(?i" in t.get("regex", "") else "high"),
        keywords=t.get("keywords", []), regex=t.get("regex"), secretGroup=t.get("secretGroup", 1),
        entropy=t.get("entropy"), env_var=t.get("env_var"), rotate=t.get("rotate"),
        aliases=t.get("aliases", []), checksum=t.get("checksum"), window=t.get("window"),
        path=t.get("path"), examples=t.get("examples", []),
        negative_examples=t.get("negative_examples", []), allowlists=t.get("allowlists", []))
    rules.append(rulegen.reskeleton(r))

emit(rules, header=HEADER)
