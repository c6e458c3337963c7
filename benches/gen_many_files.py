#!/usr/bin/env python3
"""Generates the many-file repository of BENCHMARKS.md's pre-commit benchmarks.

Usage: benches/gen_many_files.py OUT_DIR [--dirs 1000] [--files 100] [--kb 1] [--stage 10] [--seed 7]

One commit of DIRS x FILES source-like files of about KB kilobytes each (the defaults give
100,000 files and an ~8 MB index), checked out; then STAGE files in STAGE different directories
get two added lines each and are staged with `git add -u`: the change a pre-commit hook sees.
Deterministic (seeded content, fixed author and dates), so every run makes the same commit.
The files are written with `git fast-import` (fast) and then checked out.

Timed in BENCHMARKS.md with, for example:
  hyperfine -N -w 5 -r 100 'leakless scan --staged --quiet .' 'git diff --cached --quiet'
  hyperfine -N --warmup 5 --runs 100 'leakless hook pre-commit'
(run inside OUT_DIR). benches/gen_history.py makes the long-history repository instead.
"""
import argparse
import os
import random
import subprocess
import sys

WORDS = (
    "account order item price total count index value result buffer state config request "
    "response handler client server session cache queue event message record entry node"
).split()

ENV = {
    "GIT_AUTHOR_NAME": "Bench",
    "GIT_AUTHOR_EMAIL": "bench@example.invalid",
    "GIT_COMMITTER_NAME": "Bench",
    "GIT_COMMITTER_EMAIL": "bench@example.invalid",
    "GIT_AUTHOR_DATE": "1700000000 +0000",
    "GIT_COMMITTER_DATE": "1700000000 +0000",
}


def body(rng, kb):
    lines, size = [], 0
    while size < kb * 1024:
        a, b = rng.choice(WORDS), rng.choice(WORDS)
        line = f"def {a}_{b}_{rng.randrange(10**6)}(x):\n    return x.{a} + {rng.randrange(1000)}\n"
        lines.append(line)
        size += len(line)
    return "".join(lines).encode()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--dirs", type=int, default=1000)
    ap.add_argument("--files", type=int, default=100)
    ap.add_argument("--kb", type=int, default=1)
    ap.add_argument("--stage", type=int, default=10)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    if os.path.exists(a.out):
        sys.exit(f"{a.out} exists")
    rng = random.Random(a.seed)
    env = {**os.environ, **ENV}
    subprocess.run(["git", "init", "-q", "-b", "main", a.out], check=True, env=env)
    fi = subprocess.Popen(["git", "fast-import", "--quiet"], cwd=a.out, stdin=subprocess.PIPE, env=env)
    w = fi.stdin.write
    paths = []
    for d in range(a.dirs):
        for f in range(a.files):
            data = body(rng, a.kb)
            paths.append(f"pkg{d:04}/mod{f:03}.py")
            w(b"blob\nmark :%d\ndata %d\n" % (len(paths), len(data)) + data + b"\n")
    msg = b"many files"
    w(b"commit refs/heads/main\ncommitter Bench <bench@example.invalid> 1700000000 +0000\n")
    w(b"data %d\n%s\n" % (len(msg), msg))
    for i, p in enumerate(paths, 1):
        w(b"M 100644 :%d %s\n" % (i, p.encode()))
    w(b"\n")
    fi.stdin.close()
    if fi.wait() != 0:
        sys.exit("git fast-import failed")
    subprocess.run(["git", "checkout", "-q", "-f", "main"], cwd=a.out, check=True, env=env)
    step = max(1, a.dirs // max(1, a.stage))
    for k in range(min(a.stage, a.dirs)):
        p = os.path.join(a.out, f"pkg{k * step:04}", "mod000.py")
        with open(p, "a", encoding="utf-8") as fh:
            fh.write(f"LIMIT_{k} = {rng.randrange(10**6)}\nNAME_{k} = 'bench'\n")
    subprocess.run(["git", "add", "-u"], cwd=a.out, check=True, env=env)
    print(f"{a.out}: {len(paths)} files committed, {min(a.stage, a.dirs)} staged with 2 added lines each")


if __name__ == "__main__":
    main()
