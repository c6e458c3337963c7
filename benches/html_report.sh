#!/usr/bin/env bash
# Bench: the HTML audit report of 25,000 findings (issue 16: opens in < 2 s, < 10 MB).
# Generates a merged report of 25,000 findings across 120 repositories (300 authors, 6 years of
# commit dates), renders it with `leakless report -f html`, prints the file size, and opens it
# 3 times in headless Chromium (tests/support/html_check.js: time from navigation until the
# findings table has rendered, and until that frame is painted). Needs what scripts/test installs
# (chromium, playwright-core). To compare two builds' reports alternately (medians), see
# benches/html_open.js.
#
# usage: bash benches/html_report.sh [FINDINGS]   (LEAKLESS_BIN defaults to target/release/leakless)
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-25000}"
bin="${LEAKLESS_BIN:-target/release/leakless}"
tools="${LEAKLESS_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/leakless-test-tools}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 - "$n" > "$work/all.json" <<'PY'
import json, random, sys
random.seed(16)
n = int(sys.argv[1])
providers = ["aws", "github", "slack", "stripe", "openai", "gcp", "azure", "postgresql", "generic", "vault"]
sev = ["critical", "high", "medium", "low"]
repos = [f"repo-{i:03}" for i in range(120)]
authors = [f"Dev {i}" for i in range(300)]
findings = []
for i in range(n):
    p = providers[i % len(providers)]
    repo = random.choice(repos)
    y, m, d = random.randint(2019, 2024), random.randint(1, 12), random.randint(1, 28)
    findings.append({
        "rule_id": f"{p}-token-{i % 4}", "description": f"{p} credential", "severity": sev[i % 4],
        "confidence": ["high", "medium", "low"][i % 3], "provider": p, "env_var": None,
        "rotate": f"https://example.com/{p}/rotate", "fingerprint": f"{i:032x}",
        "secret_preview": "abcd…", "entropy": 4.2, "in_head": i % 3 == 0,
        "locations": [{"path": f"services/svc{i % 50}/config/{'deep/' * (i % 3)}settings{i % 7}.yaml", "line": i % 400 + 1,
                       "column": 5, "end_line": i % 400 + 1, "end_column": 45, "repository": repo,
                       "commit": {"id": f"{i * 2654435761 % (1 << 64):040x}", "author_name": random.choice(authors),
                                  "author_email": "dev@example.com", "date": f"{y}-{m:02}-{d:02}T10:00:00+00:00",
                                  "summary": "add config"}}],
        "repositories": [repo],
    })
doc = {"schema_version": 1, "tool": {"name": "leakless", "version": "0"}, "findings": findings,
       "errors": [], "skipped": [], "stale": [],
       "stats": {"files_scanned": n * 3, "bytes_scanned": n * 3000, "elapsed_ms": 1, "findings": n, "errors": 0,
                 "skipped": 0, "suppressed_by_baseline": 0, "suppressed_by_ignore_file": 0},
       "repositories": [{"name": r, "findings": 0} for r in repos]}
json.dump(doc, sys.stdout)
PY
start=$(date +%s%N)
"$bin" report "$work/all.json" -f html -o "$work/audit.html" || [ $? -eq 1 ]
end=$(date +%s%N)
echo "findings: $n; render: $(( (end - start) / 1000000 )) ms; HTML size: $(stat -c %s "$work/audit.html") bytes"
for i in 1 2 3; do
  LEAKLESS_CHROMIUM="$(command -v chromium)" LEAKLESS_NODE_MODULES="$tools/npm/node_modules" HOME="$work" \
    node tests/support/html_check.js "$work/audit.html" "$work" "svc7" |
    python3 -c 'import json,sys; d=json.load(sys.stdin); print("open %d: %d ms until the table rendered, %d ms until painted; %s; console errors: %d; filter svc7 -> %d rows" % ('"$i"', d["openMs"], d["paintedMs"], d["countText"], len(d["console"]) + len(d["pageErrors"]), d["filteredRows"]))'
done
