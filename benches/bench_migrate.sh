#!/usr/bin/env bash
# The `leakless migrate` benchmark of BENCHMARKS.md: the synthetic tree of bench_tree.sh committed
# as one git repository, then, on a fresh copy each run, a dry run and `migrate --apply` into the
# embedded dotenv store, timed with /usr/bin/time (wall seconds and peak RSS).
#
#   bash benches/bench_migrate.sh [TREE_DIR] [WORK_DIR]
#     TREE_DIR  generated tree (default benches/data/tree; made with gen_tree.py if missing)
#     WORK_DIR  scratch space for the repository and its copies (default /tmp/mbench)
#
# Knobs (environment): LEAKLESS (binary, default target/release/leakless), RUNS (3),
# SIZE_MB (320) and SEED (42) for generation. Needs python3, git, /usr/bin/time.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
TREE=${1:-$root/benches/data/tree}
WORK=${2:-/tmp/mbench}
LEAKLESS=${LEAKLESS:-$root/target/release/leakless}
RUNS=${RUNS:-3}
SIZE_MB=${SIZE_MB:-320}
SEED=${SEED:-42}
LEAKLESS=$(cd "$(dirname "$LEAKLESS")" && pwd)/$(basename "$LEAKLESS")
[ -x "$LEAKLESS" ] || { echo "bench_migrate: $LEAKLESS not found (cargo build --release)" >&2; exit 2; }

[ -e "$TREE" ] || python3 "$here/gen_tree.py" "$TREE" --size-mb "$SIZE_MB" --seed "$SEED"
export GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.invalid
export GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@example.invalid
export GIT_AUTHOR_DATE="1700000000 +0000" GIT_COMMITTER_DATE="1700000000 +0000"

base="$WORK/base"
if [ ! -d "$base/.git" ]; then
    echo "== committing $TREE as $base"
    rm -rf "$base"
    mkdir -p "$WORK"
    cp -r "$TREE" "$base"
    git -C "$base" init -q -b main
    git -C "$base" add -A
    git -C "$base" commit -qm "benchmark tree"
fi
echo "== $(git -C "$base" ls-files | wc -l) tracked files"

timed() { # label, dir, command...
    local label=$1 dir=$2
    shift 2
    (cd "$dir" && /usr/bin/time -f "%e s, %M KiB peak RSS" "$@" >/dev/null 2>"$WORK/time.txt") || true
    printf '   %-28s %s\n' "$label" "$(tail -1 "$WORK/time.txt")"
}

for run in $(seq "$RUNS"); do
    echo "== run $run"
    timed "scan . --format json" "$base" "$LEAKLESS" scan . --format json
    timed "migrate (dry run)" "$base" "$LEAKLESS" migrate --format json
    copy="$WORK/copy"
    rm -rf "$copy"
    cp -a "$base" "$copy"
    timed "migrate --apply" "$copy" "$LEAKLESS" migrate --apply --format json
    code=0
    (cd "$copy" && "$LEAKLESS" migrate --format json >/dev/null 2>&1) || code=$?
    echo "   dry run after --apply: exit code $code (0: nothing left to migrate)"
done
