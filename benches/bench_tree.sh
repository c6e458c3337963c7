#!/usr/bin/env bash
# End-to-end throughput benchmark on the synthetic tree from benches/gen_tree.py.
#
#   bash benches/bench_tree.sh [DATA_DIR]        (default: benches/data/tree, gitignored)
#
# Generates the tree if DATA_DIR does not exist, warms the page cache, then times
#   (a) rg -j2 -c --no-ignore --hidden AKIA DATA_DIR      -- the walk + read floor
#   (b) leakless scan -j2 --no-ignore DATA_DIR -f json    -- the scanner
# with hyperfine (--warmup 1 --runs 5), measures peak RSS with /usr/bin/time -v, checks that
# leakless found the secrets listed in DATA_DIR/PLANTED.txt, and prints a summary table.
#
# Knobs (environment): LEAKLESS (binary, default target/release/leakless), THREADS (2),
# RUNS (5), WARMUP (1), SIZE_MB (320) and SEED (42) for generation, CONFIG (a leakless config
# for the scan, e.g. benches/provider-rules-only.toml for the "provider rules only" rows),
# HYPERFINE_ARGS (extra hyperfine options, e.g. "-N" to run without a shell).
# Needs: python3; rg, hyperfine and /usr/bin/time are used when present:
#   apt-get install ripgrep hyperfine time
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
DATA=${1:-$root/benches/data/tree}
LEAKLESS=${LEAKLESS:-$root/target/release/leakless}
THREADS=${THREADS:-2}
RUNS=${RUNS:-5}
WARMUP=${WARMUP:-1}
SIZE_MB=${SIZE_MB:-320}
SEED=${SEED:-42}
CONFIG=${CONFIG:-}
HYPERFINE_ARGS=${HYPERFINE_ARGS:-}

have() { command -v "$1" >/dev/null 2>&1; }

if [ ! -e "$DATA" ]; then
    echo "== generating $DATA (${SIZE_MB} MiB, seed $SEED)"
    python3 "$here/gen_tree.py" "$DATA" --size-mb "$SIZE_MB" --seed "$SEED"
elif [ ! -f "$DATA/PLANTED.txt" ]; then
    echo "bench_tree: $DATA exists but has no PLANTED.txt (not a complete generated tree)" >&2
    exit 2
fi
DATA=$(cd "$DATA" && pwd)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "== warming the page cache"
find "$DATA" -type f -exec cat {} + >/dev/null

bytes=$(du -sb "$DATA" | cut -f1)
files=$(find "$DATA" -type f | wc -l)
file_bytes=$(find "$DATA" -type f -printf '%s\n' | awk '{s += $1} END {print s + 0}')
echo "== tree: $DATA"
echo "   du -sb: $bytes bytes ($(awk -v b="$bytes" 'BEGIN {printf "%.1f", b / 1048576}') MiB); $files files, $file_bytes bytes of file content"

rg_cmd="rg -j$THREADS -c --no-ignore --hidden AKIA $DATA"
config_args=""
if [ -n "$CONFIG" ]; then
    [ -f "$CONFIG" ] || { echo "bench_tree: CONFIG=$CONFIG is not a file" >&2; exit 2; }
    config_args="--config $(cd "$(dirname "$CONFIG")" && pwd)/$(basename "$CONFIG")"
    echo "== config: $CONFIG"
fi
ll_cmd="$LEAKLESS scan -j$THREADS --no-ignore $DATA $config_args -f json -o /dev/null"

names=()
cmds=()
if have rg; then
    names+=(rg-floor); cmds+=("$rg_cmd")
else
    echo "   (rg not found: apt-get install ripgrep)"
fi
if [ -x "$LEAKLESS" ]; then
    names+=(leakless); cmds+=("$ll_cmd")
else
    echo "   ($LEAKLESS not found: cargo build --release)"
fi
if [ ${#cmds[@]} -eq 0 ]; then
    echo "bench_tree: nothing to time" >&2
    exit 1
fi

# ---- timing: results go to $tmp/times.tsv as "name<TAB>mean<TAB>stddev<TAB>min" (seconds)
if have hyperfine; then
    echo "== hyperfine --warmup $WARMUP --runs $RUNS"
    args=()
    for i in "${!cmds[@]}"; do args+=(-n "${names[$i]}" "${cmds[$i]}"); done
    # -i: leakless exits 1 when it finds secrets (it will: 12 are planted)
    # shellcheck disable=SC2086 # HYPERFINE_ARGS is split on purpose
    hyperfine -i $HYPERFINE_ARGS --warmup "$WARMUP" --runs "$RUNS" --export-json "$tmp/h.json" "${args[@]}"
    python3 - "$tmp/h.json" >"$tmp/times.tsv" <<'EOF'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(f"{r['command']}\t{r['mean']}\t{r['stddev'] or 0}\t{r['min']}")
EOF
else
    echo "== timing without hyperfine (apt-get install hyperfine): $WARMUP warmup + $RUNS runs each"
    for i in "${!cmds[@]}"; do
        for _ in $(seq "$WARMUP"); do ${cmds[$i]} >/dev/null 2>&1 || true; done
        ts=()
        for _ in $(seq "$RUNS"); do
            t0=$(date +%s.%N)
            ${cmds[$i]} >/dev/null 2>&1 || true
            t1=$(date +%s.%N)
            ts+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}')")
        done
        printf '%s\n' "${ts[@]}" | awk -v n="${names[$i]}" '{x[NR] = $1; s += $1; if (NR == 1 || $1 < m) m = $1}
            END {mean = s / NR; for (i = 1; i <= NR; i++) v += (x[i] - mean) ^ 2;
                 printf "%s\t%f\t%f\t%f\n", n, mean, (NR > 1 ? sqrt(v / (NR - 1)) : 0), m}' >>"$tmp/times.tsv"
    done
fi

# ---- peak RSS: results go to $tmp/rss.tsv as "name<TAB>KiB"
if [ -x /usr/bin/time ]; then
    echo "== peak RSS (/usr/bin/time -v)"
    for i in "${!cmds[@]}"; do
        cmd=${cmds[$i]}
        if [ "${names[$i]}" = leakless ]; then
            # keep this run's report to check the planted secrets
            cmd="$LEAKLESS scan -j$THREADS --no-ignore $DATA $config_args -f json -o $tmp/report.json"
        fi
        /usr/bin/time -v $cmd >/dev/null 2>"$tmp/time.txt" || true
        kib=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tmp/time.txt")
        echo "   ${names[$i]}: Maximum resident set size (kbytes): ${kib:-?}"
        printf '%s\t%s\n' "${names[$i]}" "${kib:-}" >>"$tmp/rss.tsv"
    done
else
    echo "   (/usr/bin/time not found: apt-get install time)"
    if [ -x "$LEAKLESS" ]; then
        # shellcheck disable=SC2086 # config_args is split on purpose
        $LEAKLESS scan -j"$THREADS" --no-ignore "$DATA" $config_args -f json -o "$tmp/report.json" || true
    fi
fi
touch "$tmp/rss.tsv"

# ---- planted-secret check
if [ -s "$tmp/report.json" ]; then
    echo "== planted secrets ($DATA/PLANTED.txt)"
    python3 - "$tmp/report.json" "$DATA/PLANTED.txt" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
found = {}
for f in doc.get("findings", []):
    for loc in f.get("locations", []):
        found.setdefault((loc["path"].removeprefix("./"), loc["line"]), []).append(f.get("rule_id", "?"))
hits = 0
planted = set()
for entry in open(sys.argv[2]).read().split():
    path, line, kind = entry.rsplit(":", 2)
    planted.add((path, int(line)))
    rules = found.get((path, int(line)))
    hits += bool(rules)
    print(f"   {'found ' if rules else 'MISSED'} {kind:<24} {path}:{line}" + (f"  [{', '.join(rules)}]" if rules else ""))
extra = sum(len(v) for k, v in found.items() if k not in planted)
print(f"   planted found: {hits}/{len(planted)}; other findings (false positives on this tree): {extra}")
st = doc.get("stats", {})
if st:
    print(f"   leakless stats: files_scanned={st.get('files_scanned')} bytes_scanned={st.get('bytes_scanned')} "
          f"skipped={st.get('skipped')} errors={st.get('errors')}")
EOF
fi

# ---- summary
echo "== summary (tree: $bytes bytes by du -sb, $files files, -j$THREADS)"
python3 - "$tmp/times.tsv" "$tmp/rss.tsv" "$bytes" <<'EOF'
import sys
times = [l.split("\t") for l in open(sys.argv[1]).read().splitlines() if l]
rss = dict(l.split("\t") for l in open(sys.argv[2]).read().splitlines() if l)
nbytes = int(sys.argv[3])
print(f"   {'command':<10} {'mean s':>8} {'± s':>7} {'min s':>8} {'MB/s':>8} {'MiB/s':>8} {'peak RSS MiB':>13}")
for name, mean, sd, mn in times:
    mean, sd, mn = float(mean), float(sd), float(mn)
    r = rss.get(name, "")
    r = f"{int(r) / 1024:.1f}" if r.strip().isdigit() else "-"
    print(f"   {name:<10} {mean:>8.3f} {sd:>7.3f} {mn:>8.3f} {nbytes / mean / 1e6:>8.1f} {nbytes / mean / 1048576:>8.1f} {r:>13}")
if len(times) == 2:
    print(f"   leakless / rg-floor: {float(times[1][1]) / float(times[0][1]):.2f}x")
EOF
