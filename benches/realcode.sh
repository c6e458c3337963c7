#!/usr/bin/env bash
# Precision on real code: scan pinned, popular PyPI and npm packages (plus the crate sources in
# ~/.cargo/registry/src) and list every finding for triage. QUALITY.md records the triage.
#
#   bash benches/realcode.sh [OUT_DIR]     (default: ~/.cache/leakless-realcode; never inside the repo)
#
# Downloads (once) the packages below with `pip download --no-deps --only-binary :all:` and
# `npm pack`, unpacks them under OUT_DIR/unpacked, scans that tree and the cargo registry with
# LEAKLESS (default target/release/leakless) as JSON, and prints per-rule and per-confidence counts
# and one line per finding — path, line, rule, confidence and the *redacted* preview — to triage.
# The packages are public releases; nothing from them is ever committed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
OUT=${1:-${XDG_CACHE_HOME:-$HOME/.cache}/leakless-realcode}
LEAKLESS=${LEAKLESS:-$root/target/release/leakless}

PYPI=(ansible-core==2.19.14 azure-mgmt-network==33.1.0 boto3==1.44.18 botocore==1.44.18 celery==5.7.0
  django==5.2.19 flask==3.1.3 google-api-python-client==2.202.0 jinja2==3.1.6 kubernetes==37.0.3
  langchain-core==1.8.4 openai==3.63.0 requests==2.34.2 scrapy==2.19.0 sphinx==9.0.4 sqlalchemy==2.1.9
  sympy==1.14.0 transformers==5.25.0 werkzeug==3.1.9)
NPM=(@angular/core@21.2.26 aws-sdk@2.1693.0 @aws-sdk/client-s3@3.1178.0 axios@1.21.1 @babel/core@7.29.17
  eslint@10.16.0 express@5.3.0 firebase@13.2.0 lodash@4.18.1 moment@2.31.0 next@16.5.0 prettier@3.10.2
  react-dom@19.3.1 rxjs@7.8.2 @slack/web-api@8.2.0 stripe@23.2.0 three@0.187.0 twilio@6.3.1
  typescript@7.0.2 webpack@5.113.0)

case "$OUT" in "$root"|"$root"/*) echo "realcode: OUT_DIR must be outside the repository" >&2; exit 2;; esac
mkdir -p "$OUT/pypi" "$OUT/npm" "$OUT/unpacked/py" "$OUT/unpacked/npm"
if [ ! -e "$OUT/.downloaded" ]; then
  (cd "$OUT/pypi" && pip download --quiet --no-deps --only-binary :all: "${PYPI[@]}")
  (cd "$OUT/npm" && for p in "${NPM[@]}"; do npm pack --silent "$p" >/dev/null; done)
  for f in "$OUT"/pypi/*.whl; do d="$OUT/unpacked/py/$(basename "$f" .whl)"; mkdir -p "$d"; python3 -m zipfile -e "$f" "$d"; done
  for f in "$OUT"/npm/*.tgz; do d="$OUT/unpacked/npm/$(basename "$f" .tgz)"; mkdir -p "$d"; tar -xzf "$f" -C "$d"; done
  touch "$OUT/.downloaded"
fi

scan() { # name dir
  local rc=0
  "$LEAKLESS" scan "$2" --no-ignore -q -f json -o "$OUT/$1.json" || rc=$?
  [ "$rc" -le 1 ] || { echo "realcode: leakless exited $rc on $2" >&2; exit 2; }
  python3 - "$OUT/$1.json" "$1" <<'PY'
import collections, json, sys
doc = json.load(open(sys.argv[1]))
st = doc["stats"]
mb = st["bytes_scanned"] / 1e6
by_rule = collections.Counter(f["rule_id"] for f in doc["findings"])
by_conf = collections.Counter(f.get("confidence", "-") for f in doc["findings"])
print(f"== {sys.argv[2]}: {st['files_scanned']} files, {mb:.1f} MB, {len(doc['findings'])} findings")
print("   by confidence: " + ", ".join(f"{k} {v}" for k, v in sorted(by_conf.items())))
print("   by rule: " + ", ".join(f"{k} {v}" for k, v in by_rule.most_common()))
for f in doc["findings"]:
    loc = f["locations"][0]
    print(f"   {loc['path']}:{loc['line']}  {f['rule_id']}  {f.get('confidence', '-')}  {f.get('key') or ''}  {f['secret_preview']}")
PY
}
scan packages "$OUT/unpacked"
[ -d "$HOME/.cargo/registry/src" ] && scan crates "$HOME/.cargo/registry/src"
