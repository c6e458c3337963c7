#!/usr/bin/env bash
# The work budget for rules without keywords and rules from a config (SECURITY.md, issue 12
# part 5), end to end with hyperfine:
#   (a) a hostile keyword-less config rule (`\w+Z|\w`, quadratic without a budget) on one 10 MB
#       line: bounded by the budget (the rule stops and is named in a notice);
#   (c) the test token rule without keywords (runs on every byte, budgeted), lines / one line;
#   (b) an ordinary config rule (tests/data/test-rules.toml, budgeted like every config rule) on
#       ~10 MB of words with a test token every 50 lines, in lines and as one line: what the
#       budgeted search costs where it never runs out.
#
#   bash benches/bench_budget.sh [DATA_DIR]     (default: benches/data/budget, gitignored)
#
# Knobs (environment): LEAKLESS (binary, default target/release/leakless), RUNS (5), WARMUP (1).
# Needs: python3, hyperfine (apt-get install hyperfine).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DATA=${1:-$root/benches/data/budget} LEAKLESS=${LEAKLESS:-$root/target/release/leakless}
RUNS=${RUNS:-5} WARMUP=${WARMUP:-1}

mkdir -p "$DATA/split" "$DATA/one"
python3 - "$DATA" <<'PY'
import os, random, sys
d = sys.argv[1]
rng = random.Random(42)
words = "alpha beta gamma delta config value return function string number token client server".split()
lines = []
size = 0
i = 0
while size < 10_000_000:
    if i % 50 == 0:
        line = "key = tok_" + "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(16))
    else:
        line = " ".join(rng.choice(words) for _ in range(12))
    lines.append(line)
    size += len(line) + 1
    i += 1
open(os.path.join(d, "split/f.txt"), "w").write("\n".join(lines) + "\n")
open(os.path.join(d, "one/f.txt"), "w").write(" ".join(lines) + "\n")
open(os.path.join(d, "aaaa.txt"), "w").write("a" * 10_000_000 + "\n")
open(os.path.join(d, "hostile.toml"), "w").write(
    "[[rules]]\nid = \"no-keywords\"\ndescription = \"quadratic without a budget\"\nregex = '''\\w+Z|\\w'''\n"
)
open(os.path.join(d, "nokw.toml"), "w").write(
    "[[rules]]\nid = \"tok-no-keywords\"\ndescription = \"test token, no keywords\"\nregex = '''\\b(tok_[a-z0-9]{16})\\b'''\n"
)
PY

rules="$root/tests/data/test-rules.toml"
hyperfine -N -i --warmup "$WARMUP" --runs "$RUNS" \
  -n "hostile rule, 10 MB line" "$LEAKLESS scan $DATA/aaaa.txt -q --no-builtin-rules --config $DATA/hostile.toml" \
  -n "test rules, lines" "$LEAKLESS scan $DATA/split/f.txt -q --no-builtin-rules --rules $rules" \
  -n "test rules, one line" "$LEAKLESS scan $DATA/one/f.txt -q --no-builtin-rules --rules $rules" \
  -n "no-keyword rule, lines" "$LEAKLESS scan $DATA/split/f.txt -q --no-builtin-rules --config $DATA/nokw.toml" \
  -n "no-keyword rule, one line" "$LEAKLESS scan $DATA/one/f.txt -q --no-builtin-rules --config $DATA/nokw.toml"
