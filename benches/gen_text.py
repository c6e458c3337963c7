#!/usr/bin/env python3
"""Generates the text inputs of two BENCHMARKS.md sections.

Usage:
  benches/gen_text.py long-lines OUT_DIR [--mb 10] [--seed 1]
      OUT_DIR/split/f.txt: ~MB megabytes of random words in lines, a `tok_` test token (the test
      rule pack's format) every 50 lines; OUT_DIR/one/f.txt: the same bytes as one line (newlines
      turned into spaces). "Long lines" section:
        hyperfine -N --warmup 1 --runs 5 'leakless scan OUT_DIR/one/f.txt -q --no-builtin-rules --rules tests/data/test-rules.toml'
  benches/gen_text.py c-format OUT_DIR [--files 160] [--kb 500] [--seed 1]
      FILES C files of about KB kilobytes, half their lines printf-style calls with `%02x`-like
      escapes. "Archives, decoding, confidence" section (the unescape change):
        hyperfine -N -i --warmup 1 --runs 5 'leakless scan -j2 --no-ignore OUT_DIR -f json -o /dev/null'
"""
import argparse
import os
import random

WORDS = "alpha beta gamma delta order price queue table index value session buffer cache".split()


def long_lines(a, rng):
    lines, size, n = [], 0, 0
    while size < a.mb * 1_000_000:
        n += 1
        if n % 50 == 0:
            line = "token = tok_" + "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(16))
        else:
            line = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 14)))
        lines.append(line)
        size += len(line) + 1
    for sub, text in (("split", "\n".join(lines) + "\n"), ("one", " ".join(lines) + "\n")):
        os.makedirs(os.path.join(a.out, sub), exist_ok=True)
        with open(os.path.join(a.out, sub, "f.txt"), "w") as f:
            f.write(text)


def c_format(a, rng):
    os.makedirs(a.out, exist_ok=True)
    for i in range(a.files):
        out, size = [f"#include <stdio.h>\n/* generated file {i} */\n"], 0
        while size < a.kb * 1000:
            v = rng.choice(WORDS)
            if rng.random() < 0.5:
                line = (f'    snprintf(buf, sizeof buf, "%02x%02x:%4d %s\\n", {v}[0], {v}[1], n, name);\n'
                        if rng.random() < 0.5 else
                        f'    fprintf(stderr, "{v} %2d (%08lx)\\n", n, (unsigned long){v});\n')
            else:
                line = f"    {v}_{rng.randrange(1000)} = {v} + {rng.randrange(100)};\n"
            out.append(line)
            size += len(line)
        with open(os.path.join(a.out, f"gen{i:03}.c"), "w") as f:
            f.write("".join(out))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("kind", choices=["long-lines", "c-format"])
    ap.add_argument("out")
    ap.add_argument("--mb", type=int, default=10)
    ap.add_argument("--files", type=int, default=160)
    ap.add_argument("--kb", type=int, default=500)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    (long_lines if a.kind == "long-lines" else c_format)(a, rng)


if __name__ == "__main__":
    main()
