#!/usr/bin/env python3
"""Generates a large, deterministic, source-like git history with `git fast-import`.

Usage: benches/gen_history.py OUT_DIR [--commits N] [--files F] [--file-kb K] [--seed S]

Defaults (20,000 commits over 400 files of ~24 kB, 2-3 files changed per commit) give well over
1 GB of total unique blob bytes. Every run with the same arguments produces the same repository
(same commit ids): dates, authors and content come from a seeded PRNG. A few secrets are planted
(test rule pack format `tok_[a-z0-9]{16}`) so the scan has findings to report. History has side
branches merged back, lightweight and annotated tags, so more than one ref is enumerated.
"""

import argparse
import os
import random
import subprocess
import sys

WORDS = (
    "user account order item price total count index value result buffer state config "
    "request response handler client server session token cache queue event message "
    "record entry node tree graph path file stream reader writer parser builder"
).split()
TYPES = ["u32", "u64", "usize", "String", "Vec<u8>", "bool", "Option<String>", "HashMap<String, u64>"]


def ident(rng):
    return "_".join(rng.choice(WORDS) for _ in range(rng.randint(1, 3)))


def line(rng):
    k = rng.randrange(10)
    a, b = ident(rng), ident(rng)
    if k == 0:
        return f"    let {a} = {b}.get({rng.randrange(1000)}).unwrap_or_default();"
    if k == 1:
        return f"    if {a}.len() > {rng.randrange(4096)} {{ return Err(Error::TooLarge({a}.len())); }}"
    if k == 2:
        return f"    // {a.replace('_', ' ')} must be checked before the {b.replace('_', ' ')} is used"
    if k == 3:
        return f"    {a}.push({b}.clone());"
    if k == 4:
        return f"pub fn {a}(&self, {b}: {rng.choice(TYPES)}) -> Result<{rng.choice(TYPES)}> {{"
    if k == 5:
        return f"    for {a} in self.{b}.iter() {{ total += {a}.{ident(rng)}; }}"
    if k == 6:
        return f"    log::debug!(\"{a} = {{}} ({b})\", {a});"
    if k == 7:
        return "}"
    if k == 8:
        return f"    let {a}: {rng.choice(TYPES)} = Default::default();"
    return f"    self.{a} = {b}.{ident(rng)}({rng.randrange(100)}, \"{rng.choice(WORDS)}\");"


def block(rng, n):
    return [line(rng) for _ in range(n)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--commits", type=int, default=20000)
    ap.add_argument("--files", type=int, default=400)
    ap.add_argument("--file-kb", type=int, default=24)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    rng = random.Random(args.seed)
    os.makedirs(args.out, exist_ok=True)
    subprocess.run(["git", "-c", "init.defaultBranch=main", "init", "-q", "--bare", args.out], check=True)
    fi = subprocess.Popen(
        ["git", "fast-import", "--quiet", "--done"],
        cwd=args.out,
        stdin=subprocess.PIPE,
        bufsize=1 << 20,
    )
    out = fi.stdin

    lines_per_file = max(8, args.file_kb * 1024 // 60)
    files = {}
    names = []
    for i in range(args.files):
        d = f"src/{WORDS[i % len(WORDS)]}/{WORDS[(i // len(WORDS)) % len(WORDS)]}"
        names.append(f"{d}/mod_{i:04d}.rs")

    def data(payload: bytes):
        out.write(b"data %d\n" % len(payload))
        out.write(payload)
        out.write(b"\n")

    t0 = 1_600_000_000
    mark = 0
    total_blob = 0
    main_tip = None
    side_tip = None
    authors = [("Ada Lovelace", "ada@example.com"), ("Alan Turing", "alan@example.com"),
               ("Grace Hopper", "grace@example.com"), ("Edsger Dijkstra", "edsger@example.com")]
    secrets_planted = 0
    file_mark = {}
    side_changed = set()
    for c in range(args.commits):
        on_side = (c % 200) >= 190  # ten commits on a side branch every 200, then merged
        branch = "refs/heads/side" if on_side else "refs/heads/main"
        changed = []
        if c == 0:
            changed = list(range(len(names)))
        else:
            changed = rng.sample(range(len(names)), rng.randint(2, 3))
        ops = []
        for fidx in changed:
            body = files.get(fidx)
            if body is None:
                body = block(rng, lines_per_file)
            else:
                start = rng.randrange(len(body))
                n = rng.randint(3, 40)
                body = body[:start] + block(rng, n) + body[start + rng.randint(0, n):]
                if len(body) > lines_per_file * 1.3:
                    cut = rng.randrange(len(body) - lines_per_file)
                    body = body[:cut] + body[cut + len(body) - lines_per_file:]
            if c % 997 == 13 and fidx == changed[0]:
                tok = "tok_" + "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(16))
                body = body[:5] + [f'    let api_token = "{tok}";'] + body[5:]
                secrets_planted += 1
            files[fidx] = body
            payload = ("\n".join(body) + "\n").encode()
            total_blob += len(payload)
            mark += 1
            out.write(b"blob\nmark :%d\n" % mark)
            data(payload)
            ops.append((names[fidx], mark))
            file_mark[fidx] = mark
            if on_side:
                side_changed.add(fidx)
        name, email = authors[c % len(authors)]
        when = t0 + c * 3600
        mark += 1
        out.write(f"commit {branch}\nmark :{mark}\n".encode())
        out.write(f"author {name} <{email}> {when} +0000\n".encode())
        out.write(f"committer {name} <{email}> {when} +0000\n".encode())
        data(f"{ident(rng).replace('_', ' ')}: change {c}".encode())
        if on_side and side_tip is None:
            out.write(b"from :%d\n" % main_tip)
        elif not on_side and side_tip is not None:
            out.write(b"from :%d\nmerge :%d\n" % (main_tip, side_tip))
            side_tip = None
            touched = {p for p, _ in ops}
            ops += [(names[f], file_mark[f]) for f in sorted(side_changed) if names[f] not in touched]
            side_changed.clear()
        elif c > 0 and not on_side:
            out.write(b"from :%d\n" % main_tip)
        for path, m in ops:
            out.write(f"M 100644 :{m} {path}\n".encode())
        out.write(b"\n")
        if on_side:
            side_tip = mark
        else:
            main_tip = mark
        if c % 2000 == 1999:
            out.write(f"reset refs/tags/v{c // 2000}\nfrom :{mark}\n\n".encode())
        if c % 5000 == 4999:
            out.write(f"tag r{c // 5000}\nfrom :{mark}\ntagger Ada Lovelace <ada@example.com> {when} +0000\n".encode())
            data(b"release")
        if c % 1000 == 0:
            print(f"\r{c}/{args.commits} commits, {total_blob / 1e6:.0f} MB", end="", file=sys.stderr)
    out.write(b"done\n")
    out.close()
    if fi.wait() != 0:
        sys.exit("git fast-import failed")
    print(f"\n{args.commits} commits, {total_blob} blob bytes written, {secrets_planted} secrets planted",
          file=sys.stderr)


if __name__ == "__main__":
    main()
