#!/usr/bin/env bash
# Proves that two leakless binaries report the same findings on a tree: a speed change must not
# change what is found.
#
#   bash benches/same_findings.sh BEFORE_BINARY AFTER_BINARY TREE [extra scan args...]
#
# Runs `scan -j1 --no-ignore TREE -f json` with each binary (default scan otherwise), drops the
# run's `elapsed_ms` and the binaries' own git commit (`tool.commit`), and compares the reports byte for byte (findings, locations, fingerprints,
# skips, errors, counts). Exit 0 and "same findings" when equal; else a unified diff and exit 1.
set -euo pipefail
if [ $# -lt 3 ]; then
    echo "usage: $0 BEFORE_BINARY AFTER_BINARY TREE [scan args...]" >&2
    exit 2
fi
before=$1 after=$2 tree=$3
shift 3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for side in before after; do
    bin=${!side}
    # Exit 1 means findings: expected here.
    "$bin" scan -j1 --no-ignore "$tree" -f json -o "$tmp/$side.json" "$@" || [ $? -eq 1 ]
    python3 - "$tmp/$side.json" >"$tmp/$side.norm" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
doc.get("stats", {}).pop("elapsed_ms", None)
doc.get("tool", {}).pop("commit", None)
print(json.dumps(doc, indent=1, sort_keys=True))
PY
done
if diff -u "$tmp/before.norm" "$tmp/after.norm"; then
    n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["findings"]))' "$tmp/after.json")
    echo "same findings ($n) on $tree"
else
    exit 1
fi
