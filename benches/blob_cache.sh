#!/usr/bin/env bash
# Bench: incremental re-audits with the cache (blob ids scanned clean + what each commit
# introduced) vs the first audit (issue 16: an unchanged re-audit >= 20x faster; one new commit
# costs about what its blobs cost).
# usage: bash benches/blob_cache.sh REPO   (LEAKLESS_BIN defaults to target/release/leakless)
# REPO e.g. from: python3 benches/gen_history.py /tmp/h --commits 1500 --files 400 --file-kb 6 --seed 16
# REPO is not changed: the runs use a local mirror clone (hard links), and the new commit (one
# file of HEAD with one line appended) is made there.
set -euo pipefail
repo="$1"
bin="${LEAKLESS_BIN:-target/release/leakless}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
git clone -q --mirror "$repo" "$work/repo.git"
export GIT_DIR="$work/repo.git"
t() { local s e; s=$(date +%s%N); "$@" >/dev/null || [ $? -eq 1 ]; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }
scan() { "$bin" scan --history "$work/repo.git" -j2 "$@"; }
full=$(t scan -f json -o "$work/full.json")
first=$(t scan --blob-cache "$work/cache.json" -f json -o "$work/first.json")
again=$(t scan --blob-cache "$work/cache.json" -f json -o "$work/again.json")
# One new commit on HEAD's branch changing one file.
path=$(git ls-tree -r --name-only HEAD | sed -n 1p)
blob=$( { git cat-file blob "HEAD:$path"; echo "// one more line"; } | git hash-object -w --stdin)
export GIT_INDEX_FILE="$work/index"
git read-tree HEAD
git update-index --cacheinfo "100644,$blob,$path"
commit=$(GIT_AUTHOR_DATE='@1800000000 +0000' GIT_COMMITTER_DATE='@1800000000 +0000' \
  git -c user.name=Bench -c user.email=bench@example.com commit-tree "$(git write-tree)" -p HEAD -m "one more")
git update-ref HEAD "$commit"
unset GIT_INDEX_FILE GIT_DIR
one=$(t scan --blob-cache "$work/cache.json" -f json -o "$work/one.json")
onefull=$(t scan -f json -o "$work/onefull.json")
python3 - "$work" "$full" "$first" "$again" "$one" "$onefull" <<'PY'
import json, sys
w, full, first, again, one, onefull = sys.argv[1], *map(int, sys.argv[2:])
r = {n: json.load(open(f"{w}/{n}.json")) for n in ["full", "first", "again", "one", "onefull"]}
same = r["full"]["findings"] == r["first"]["findings"] == r["again"]["findings"]
same_one = r["one"]["findings"] == r["onefull"]["findings"]
bs = lambda n: r[n]["stats"]["git"]["blobs_scanned"]
print(f"no cache {full} ms; first (writes the cache) {first} ms; unchanged re-audit {again} ms; "
      f"speed-up {first / max(again, 1):.1f}x vs first, {full / max(again, 1):.1f}x vs no cache "
      f"({100 * again / max(first, 1):.1f}% of the first); blobs scanned {bs('first')} -> {bs('again')}; "
      f"same findings: {same}")
print(f"one new commit (one file changed): re-audit {one} ms ({one - again:+d} ms vs unchanged), "
      f"blobs scanned {bs('one')}; full scan of the new history {onefull} ms; same findings: {same_one}")
PY
