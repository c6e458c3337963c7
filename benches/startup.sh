#!/usr/bin/env bash
# Start-up cost of leakless: what a pre-commit run pays before it reads a byte.
#
#   bash benches/startup.sh [BINARY...]        (default: target/release/leakless)
#
# For each binary: instructions (valgrind --tool=callgrind, repeatable on a busy machine) of
# `scan --stdin < /dev/null` (load the built-in rules, build the matcher, scan nothing) and of
# `rules list`; then user CPU per run and peak RSS over RUNS (20) runs of the scan, from
# /usr/bin/time. Needs valgrind and /usr/bin/time (apt-get install valgrind time).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[ $# -gt 0 ] || set -- "$(dirname "$here")/target/release/leakless"
RUNS=${RUNS:-20}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ir() {
    valgrind --tool=callgrind --callgrind-out-file="$tmp/cg" "$@" >/dev/null 2>"$tmp/log" </dev/null || true
    awk '/refs:/ {gsub(",", "", $NF); printf "%.1f M", $NF / 1e6}' "$tmp/log"
}
printf '%-40s %14s %14s %14s %10s\n' binary "scan Ir" "rules list Ir" "user ms/run" "RSS MB"
for bin in "$@"; do
    scan=$(ir "$bin" scan --stdin)
    list=$(ir "$bin" rules list)
    /usr/bin/time -f "%U %M" -o "$tmp/time" bash -c \
        "for i in \$(seq $RUNS); do '$bin' scan --stdin </dev/null >/dev/null 2>&1 || true; done"
    read -r user rss <"$tmp/time"
    printf '%-40s %14s %14s %14s %10s\n' "$bin" "$scan" "$list" \
        "$(awk -v u="$user" -v n="$RUNS" 'BEGIN {printf "%.1f", u * 1000 / n}')" \
        "$(awk -v k="$rss" 'BEGIN {printf "%.1f", k / 1024}')"
done
