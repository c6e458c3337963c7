#!/usr/bin/env bash
# `--staged` latency on a 100,000-file repository (issue 18, the pre-commit path).
#
# Usage: LEAKLESS=target/release/leakless bash benches/bench_staged.sh [REPO_DIR]
#
# Builds REPO_DIR once (default /work/scratch/history-scale/staged100k): one commit of 100,000
# files (1,000 directories x 100 files of ~1 kB, written with `git fast-import`, fixed dates),
# checked out, then 10 files in 10 directories changed (2 added lines each) and staged with
# `git add -u`, as a pre-commit hook sees it. Then `benches/interleave.py` (RUNS rounds, default
# 100, after 5 warm-up rounds) times `git diff --cached --name-only` (the floor: what any staged
# scan must at least do) and `leakless scan --staged --quiet .` — and, with LEAKLESS_BEFORE set,
# that binary too — one run of each per round, so load on a shared machine hits all alike; it
# prints mean / p50 / p95 of the wall time, the mean CPU, the p95 differences and the load average.
# HYPERFINE=1 uses hyperfine (`-N`, each command's runs back to back) instead.
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
repo="${1:-/work/scratch/history-scale/staged100k}"
leakless="${LEAKLESS:-$here/target/release/leakless}"
runs="${RUNS:-100}"

if [ ! -d "$repo/.git" ]; then
    rm -rf "$repo.partial"
    git -c init.defaultBranch=main init -q "$repo.partial"
    python3 - "$repo.partial" <<'EOF'
import random, subprocess, sys
repo = sys.argv[1]
r = random.Random(100_000)
words = ("config value token user session key password handler request client cache "
         "buffer state entry index item list node path name data").split()
fi = subprocess.Popen(["git", "fast-import", "--quiet", "--done"], cwd=repo, stdin=subprocess.PIPE,
                      bufsize=1 << 20)
out = fi.stdin
out.write(b"commit refs/heads/main\nauthor A U Thor <author@example.com> 1700000000 +0000\n"
          b"committer A U Thor <author@example.com> 1700000000 +0000\ndata 7\ninitial\n")
for d in range(1000):
    for f in range(100):
        lines = [f"{r.choice(words)}_{r.choice(words)} = {r.randrange(1 << 30)}  # {r.choice(words)}"
                 for _ in range(24)]
        body = ("\n".join(lines) + "\n").encode()
        out.write(b"M 100644 inline d%03d/f%03d.txt\ndata %d\n" % (d, f, len(body)) + body + b"\n")
out.write(b"\ndone\n")
out.close()
sys.exit(fi.wait())
EOF
    git -C "$repo.partial" reset -q --hard main
    for d in 007 123 250 333 404 500 616 777 888 999; do
        printf 'extra_setting = %s\nanother_line = 2\n' "$d" >>"$repo.partial/d$d/f042.txt"
    done
    git -C "$repo.partial" add -u
    mv "$repo.partial" "$repo"
fi

cd "$repo"
if [ -z "${HYPERFINE:-}" ]; then
    cmds=(-- git diff --cached --name-only -- "$leakless" scan --staged --quiet .)
    if [ -n "${LEAKLESS_BEFORE:-}" ]; then
        cmds+=(-- "$LEAKLESS_BEFORE" scan --staged --quiet .)
    fi
    exec python3 "$here/benches/interleave.py" --runs "$runs" --warmup 5 "${cmds[@]}"
fi
json="$(mktemp)"
trap 'rm -f "$json"' EXIT
hyperfine -N -i --warmup 5 --runs "$runs" --export-json "$json" \
    'git diff --cached --name-only' \
    "$leakless scan --staged --quiet ." >&2
python3 - "$json" <<'EOF'
import json, sys
res = json.load(open(sys.argv[1]))["results"]
def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]
rows = []
for r in res:
    t = [x * 1000 for x in r["times"]]
    rows.append((r["command"], sum(t) / len(t), pct(t, 0.5), pct(t, 0.95)))
    print(f"{r['command']}: mean {rows[-1][1]:.1f} ms, p50 {rows[-1][2]:.1f} ms, p95 {rows[-1][3]:.1f} ms")
print(f"p95 difference: {rows[1][3] - rows[0][3]:.1f} ms (issue 18 target: <= 15 ms)")
EOF
