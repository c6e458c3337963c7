#!/usr/bin/env bash
# Bench: an unchanged re-audit with the blob cache vs the first audit (issue 16: >= 20x faster).
# usage: bash benches/blob_cache.sh REPO   (LEAKLESS_BIN defaults to target/release/leakless)
# REPO e.g. from: python3 benches/gen_history.py /tmp/h --commits 1500 --files 400 --file-kb 6 --seed 16
set -euo pipefail
repo="$1"
bin="${LEAKLESS_BIN:-target/release/leakless}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
t() { local s e; s=$(date +%s%N); "$@" >/dev/null || [ $? -eq 1 ]; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }
full=$(t "$bin" scan --history "$repo" -j2 -f json -o "$work/full.json")
first=$(t "$bin" scan --history "$repo" -j2 --blob-cache "$work/cache.json" -f json -o "$work/first.json")
again=$(t "$bin" scan --history "$repo" -j2 --blob-cache "$work/cache.json" -f json -o "$work/again.json")
python3 - "$work" "$full" "$first" "$again" <<'PY'
import json, sys
w, full, first, again = sys.argv[1], *map(int, sys.argv[2:])
a = json.load(open(f"{w}/first.json")); b = json.load(open(f"{w}/again.json"))
same = a["findings"] == b["findings"]
print(f"no cache {full} ms; first (writes the cache) {first} ms; unchanged re-audit {again} ms; "
      f"speed-up {first / max(again, 1):.1f}x vs first, {full / max(again, 1):.1f}x vs no cache; "
      f"blobs scanned {a['stats']['git']['blobs_scanned']} -> {b['stats']['git']['blobs_scanned']}; same findings: {same}")
PY
