#!/usr/bin/env python3
"""Generates a git/git-shaped history (issue 18's large-history benchmark) with `git fast-import`.

Usage: benches/gen_history_git.py OUT_DIR [--small] [--commits N] [--seed S] [--plant-every N] [--plan-only]

The default scale is shaped like git/git itself: ~82,000 commits (about one in five a merge of
a topic branch), ~160,000 unique blobs and ~5.5 GB of blob content in a tree that grows from 150 to
~3,000 files: C sources and headers at the top level and under `builtin/`, `refs/`, `xdiff/`,
`compat/`; shell test scripts under `t/`; AsciiDoc under `Documentation/`. A few large, hot C
files collect thousands of revisions each (git/git's `diff.c`, `sequencer.c`, ...), which is
where most of the bytes are. The text is dense in the words a secret scanner keys on
(`password`, `token`, `auth`, `key`, `credential`) and in C format strings and escapes, as
git/git's credential and transport code is. `--small` gives a ~3,000-commit history of the same
shape for a quick check (and for callgrind).

Every run with the same arguments produces the same repository (same commit ids): dates,
authors and content come from seeded PRNGs, one per file. Fake secrets are planted (test rule
pack format `tok_[a-z0-9]{16}` and `testpass = "..."`, see tests/data/test-rules.toml), listed
in OUT_DIR/PLANTED.txt as `path rev` lines.

The packed repository stays small although the blob content is gigabytes: every revision is its
predecessor with one or two small hunks changed, and each file's revisions are written to
fast-import newest first and back to back, so fast-import stores the newest revision whole and
each older one as a small delta against the next newer one (as `git repack` lays out a real
repository: recent objects whole, history as deltas, chains up to fast-import's depth of 50).
The repository is built in OUT_DIR.partial and renamed to OUT_DIR when complete, so a half-built
cache is never mistaken for a finished one.
"""

import argparse
import math
import os
import random
import shutil
import subprocess
import sys

IDENT = (
    "credential password token auth key username host path protocol helper config remote url "
    "buf strbuf oid object commit tree blob ref refs index entry cache item list head base "
    "opt opts flags len size count pos nr alloc state result value name data line out err "
    "repo odb pack delta hash sha1 hdr packet transport conn fd pipe child process argv env"
).split()
PASS_WORDS = ("password", "token", "auth", "key", "credential", "secret", "passphrase")
TYPES = ["int", "size_t", "unsigned", "const char *", "struct strbuf *", "struct object_id *",
         "struct credential *", "struct repository *", "void *", "uint32_t", "off_t"]
WORDS = (
    "the a of to is in that it for as with be on by this are or an if from when not which "
    "credential helper password token authentication key store cache remote server client user "
    "must should may will command option value config file repository object commit branch ref "
    "index tree pack protocol transport request response stored prompted returned given read "
    "written ignored supported default"
).split()


def ident(r):
    n = r.randint(1, 3)
    return "_".join(r.choice(IDENT) for _ in range(n))


def c_line(r):
    k = r.randrange(24)
    a, b = ident(r), ident(r)
    if k == 0:
        return f"\tif (!strcmp(key, \"{r.choice(PASS_WORDS)}\"))"
    if k == 1:
        return f"\t\tstrbuf_addf(&{a}, \"%s={r.choice(PASS_WORDS)}:%s\\n\", {b}->{ident(r)}, {a});"
    if k == 2:
        return f"\t{a} = xstrdup_or_null({b}->{r.choice(PASS_WORDS)});"
    if k == 3:
        return f"\tfprintf(stderr, \"%s: {r.choice(WORDS)} %02x%02x (%08lx)\\n\", {a}, {b}[0], {b}[1], {r.randrange(4096)});"
    if k == 4:
        return f"static int {a}_{r.choice(PASS_WORDS)}({r.choice(TYPES)} {b}, {r.choice(TYPES)} {ident(r)})"
    if k == 5:
        return "{"
    if k == 6:
        return "}"
    if k == 7:
        return f"\t/* {' '.join(r.choice(WORDS) for _ in range(r.randint(4, 11)))} */"
    if k == 8:
        return f"\tfor (i = 0; i < {a}->nr; i++)"
    if k == 9:
        return f"\t\t{a}[i] = {b}->{ident(r)}[i];"
    if k == 10:
        return f"\treturn error(_(\"could not {r.choice(WORDS)} {r.choice(PASS_WORDS)} for '%s'\"), {a});"
    if k == 11:
        return f"\t{r.choice(TYPES)} {a} = {b}({ident(r)}, {r.randrange(256)});"
    if k == 12:
        return f"\tif ({a} < 0 || {b}->{r.choice(PASS_WORDS)}_len > {r.randrange(1 << 16)})"
    if k == 13:
        return f"\t\tdie(\"{r.choice(WORDS)} {r.choice(PASS_WORDS)}: %s\", strerror(errno));"
    if k == 14:
        return f"\tstrbuf_release(&{a});"
    if k == 15:
        return f"\tgit_config_get_string(\"credential.{ident(r)}\", &{a});"
    if k == 16:
        return f"\t{a}->{r.choice(PASS_WORDS)} = {b};"
    if k == 17:
        return ""
    if k == 18:
        return f"#define {a.upper()}_{r.choice(PASS_WORDS).upper()} {r.randrange(1 << 20)}"
    if k == 19:
        return f"\tpacket_write_fmt(fd, \"{r.choice(PASS_WORDS)}=%s\\n\", {a});"
    if k == 20:
        return f"\tif (!{a}) {{ free({b}); return -1; }}"
    if k == 21:
        return f"\t\t{a} = {b} + {r.randrange(100)};"
    if k == 22:
        return f"\tmemcpy({a}, {b}->hash, the_hash_algo->rawsz);"
    return f"\t{a}({b}, &{ident(r)});"


def sh_line(r):
    k = r.randrange(12)
    a = ident(r)
    if k == 0:
        return f"test_expect_success '{r.choice(WORDS)} {r.choice(PASS_WORDS)} {r.choice(WORDS)}' '"
    if k == 1:
        return "'"
    if k == 2:
        return f"\tgit config credential.{a} \"{r.choice(WORDS)}\" &&"
    if k == 3:
        return f"\techo \"{r.choice(PASS_WORDS)}={r.choice(IDENT)}-{r.choice(IDENT)}\" >>expect &&"
    if k == 4:
        return f"\tcheck fill <<-\\EOF &&"
    if k == 5:
        return f"\t{r.choice(['protocol', 'host', 'username', 'password', 'path'])}={r.choice(IDENT)}"
    if k == 6:
        return "\tEOF"
    if k == 7:
        return f"\tgit {r.choice(['commit', 'push', 'fetch', 'log', 'diff'])} -q --{a.replace('_', '-')} &&"
    if k == 8:
        return "\ttest_cmp expect actual &&"
    if k == 9:
        return f"\tGIT_ASKPASS=\"$PWD/askpass\" git ls-remote \"$HTTPD_URL/auth/{a}\" &&"
    if k == 10:
        return ""
    return f"# {' '.join(r.choice(WORDS) for _ in range(r.randint(4, 10)))}"


def doc_line(r):
    k = r.randrange(8)
    if k == 0:
        return ""
    if k == 1:
        return f"`credential.{ident(r)}`::"
    if k == 2:
        return f"--{ident(r).replace('_', '-')}=<{r.choice(PASS_WORDS)}>::"
    return " ".join(r.choice(WORDS) for _ in range(r.randint(6, 16))).capitalize() + "."


KINDS = {
    # kind: (line generator, median lines at full size, sigma, max lines, pick weight exponent)
    "c": (c_line, 600, 0.9, 6000),
    "h": (c_line, 120, 0.8, 1500),
    "sh": (sh_line, 260, 0.8, 3000),
    "txt": (doc_line, 180, 0.8, 2500),
}
DIRS = [("", "c", 30), ("", "h", 12), ("builtin/", "c", 14), ("refs/", "c", 2), ("xdiff/", "c", 2),
        ("compat/", "c", 3), ("contrib/credential/", "c", 2), ("t/", "sh", 60),
        ("t/helper/", "c", 3), ("Documentation/", "txt", 30), ("Documentation/config/", "txt", 8)]


class File:
    __slots__ = ("path", "kind", "target", "weight", "revs", "mark0", "lock", "nlines")

    def __init__(self, path, kind, target, weight):
        self.path, self.kind, self.target, self.weight = path, kind, target, weight
        self.revs = []  # (n_del, n_ins) per revision after the first; rev 0 is creation
        self.mark0 = 0
        self.lock = None  # the topic branch that changed it and is not merged yet
        self.nlines = max(8, target // 3)  # the plan's estimate of the current length


def new_file(r, n, files):
    total = sum(w for _, _, w in DIRS)
    x = r.randrange(total)
    for d, kind, w in DIRS:
        if x < w:
            break
        x -= w
    stem = ident(r).replace("_", "-")
    name = f"t{n:04d}-{stem}.sh" if kind == "sh" else f"{stem}-{n}.{kind}"
    _, median, sigma, cap = KINDS[kind]
    target = int(min(cap, max(20, r.lognormvariate(math.log(median), sigma))))
    # Hot files: big ones are edited most (git/git's diff.c, sequencer.c, ...).
    weight = (target ** 1.1) * r.lognormvariate(0, 1.0)
    files.append(File(d + name, kind, target, weight))


def plan(args):
    """Decides the commit graph and, per file, how many lines each revision deletes and inserts."""
    r = random.Random(args.seed)
    files = []
    for n in range(args.initial_files):
        new_file(r, n, files)
    cum = []
    acc = 0.0
    for f in files:
        acc += f.weight
        cum.append(acc)
    commits = []  # (branch, kind, parents-info, [(file index, rev)])
    topics = {}  # slot -> {"base": commit index, "tip": commit index or None, "files": set}
    next_slot = 0
    master_tip = None
    for c in range(args.commits):
        if c == 0:
            commits.append(("master", None, None, [(i, 0) for i in range(len(files))]))
            master_tip = 0
            continue
        # Merge an open topic that has commits, about one commit in five.
        ready = [s for s, t in topics.items() if t["tip"] is not None]
        if ready and r.random() < args.merge_rate:
            s = min(ready)
            t = topics.pop(s)
            final = {}
            for fi in t["files"]:
                final[fi] = len(files[fi].revs)
                files[fi].lock = None
            commits.append(("master", master_tip, t["tip"], sorted(final.items()), s))
            master_tip = len(commits) - 1
            continue
        if len(topics) < 6 and r.random() < 0.3:
            topics[next_slot] = {"base": master_tip, "tip": None, "files": set()}
            next_slot += 1
        branch = "master"
        if topics and r.random() < 0.6:
            branch = r.choice(sorted(topics))
        changed = {}
        if r.random() < args.add_rate:
            new_file(r, len(files), files)
            acc += files[-1].weight
            cum.append(acc)
            changed[len(files) - 1] = 0
        k = r.choices([1, 2, 3, 4, 5, 6, 8, 12], [45, 25, 12, 7, 4, 3, 2, 2])[0]
        for _ in range(k * 4):
            if len(changed) >= k:
                break
            fi = r.choices(range(len(files)), cum_weights=cum)[0]
            f = files[fi]
            if fi in changed or (f.lock is not None and f.lock != branch):
                continue
            changed[fi] = None
        for fi in list(changed):
            f = files[fi]
            if changed[fi] is None:
                n_ins = r.choice([1, 1, 2, 3, 4, 6, 9, 14, 25])
                n_del = r.randint(0, n_ins)
                f.revs.append((n_del, n_ins))
                if f.nlines >= f.target:
                    n_del = max(n_del, n_ins)
                f.nlines += n_ins - n_del
                changed[fi] = len(f.revs)
            if branch != "master":
                f.lock = branch
                topics[branch]["files"].add(fi)
        ops = sorted(changed.items())
        if branch == "master":
            commits.append(("master", master_tip, None, ops))
            master_tip = len(commits) - 1
        else:
            t = topics[branch]
            commits.append((f"topic{branch % 8}", t["tip"] if t["tip"] is not None else t["base"], None, ops))
            t["tip"] = len(commits) - 1
    return files, commits


class Out:
    def __init__(self, stream):
        self.s = stream

    def data(self, payload: bytes):
        self.s.write(b"data %d\n" % len(payload))
        self.s.write(payload)
        self.s.write(b"\n")


def emit_blobs(args, files, out, planted):
    """Every revision of every file, newest first per file (reverse deltas)."""
    gens = {k: v[0] for k, v in KINDS.items()}
    mark = 1
    total = 0
    nblobs = 0
    for fi, f in enumerate(files):
        f.mark0 = mark
        mark += len(f.revs) + 1
        r = random.Random(args.seed * 1_000_003 + fi)
        gen = gens[f.kind]
        start = max(8, f.target // 3)
        if f.kind == "c":
            lines = [f"#include \"{ident(r)}.h\"", "#include \"credential.h\"", ""]
        elif f.kind == "sh":
            lines = ["#!/bin/sh", "", f"test_description='{' '.join(r.choice(WORDS) for _ in range(6))}'",
                     "", ". ./test-lib.sh", ""]
        else:
            lines = []
        lines += [gen(r) for _ in range(start)]
        # Forward: apply each revision's hunk, remembering how to undo it.
        undo = []
        for rev, (n_del, n_ins) in enumerate(f.revs, 1):
            grow = len(lines) < f.target
            if not grow:
                n_del = max(n_del, n_ins)
            pos = r.randrange(len(lines) + 1)
            removed = lines[pos:pos + n_del]
            ins = [gen(r) for _ in range(n_ins)]
            # Every revision is unique: git/git's hunks always change something.
            ins[0] = ins[0] + f" /* r{rev} */" if f.kind in ("c", "h") else ins[0] + f" # r{rev}"
            if args.plant_every and (fi * 7919 + rev) % args.plant_every == 0:
                tok = "tok_" + "".join(r.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(16))
                ins.append(f"\tstatic const char *api_token = \"{tok}\";" if f.kind != "txt"
                           else f"api_token: {tok}")
                planted.append(f"{f.path} {rev}")
            lines[pos:pos + n_del] = ins
            undo.append((pos, len(ins), removed))
        # Backward: emit newest first.
        for rev in range(len(f.revs), -1, -1):
            payload = ("\n".join(lines) + "\n").encode()
            total += len(payload)
            nblobs += 1
            out.s.write(b"blob\nmark :%d\n" % (f.mark0 + rev))
            out.data(payload)
            if rev > 0:
                pos, n, removed = undo[rev - 1]
                lines[pos:pos + n] = removed
        if fi % 200 == 0:
            print(f"\rblobs: {fi}/{len(files)} files, {nblobs} blobs, {total / 1e9:.2f} GB", end="",
                  file=sys.stderr)
    print(f"\rblobs: {len(files)} files, {nblobs} blobs, {total / 1e9:.2f} GB", file=sys.stderr)
    return mark, total, nblobs


AUTHORS = [("Junio C Hamano", "gitster@example.com"), ("Jeff King", "peff@example.com"),
           ("Johannes Schindelin", "dscho@example.com"), ("Patrick Steinhardt", "ps@example.com"),
           ("Elijah Newren", "newren@example.com"), ("Taylor Blau", "me@example.com"),
           ("Derrick Stolee", "stolee@example.com"), ("René Scharfe", "l.s.r@example.com")]


def emit_commits(args, files, commits, out, mark):
    r = random.Random(args.seed + 17)
    cmark = {}
    when = 1_112_900_000  # April 2005
    merges = 0
    for c, entry in enumerate(commits):
        branch, parent, merge, ops = entry[:4]
        when += r.randint(60, 1800)
        name, email = AUTHORS[r.randrange(len(AUTHORS))]
        cmark[c] = mark
        out.s.write(f"commit refs/heads/{branch}\nmark :{mark}\n".encode())
        out.s.write(f"author {name} <{email}> {when} -0700\ncommitter {name} <{email}> {when} -0700\n".encode())
        if merge is not None:
            merges += 1
            out.data(f"Merge branch 'topic-{entry[4]}'".encode())
        else:
            out.data(f"{ident(r).replace('_', ' ')}: {' '.join(r.choice(WORDS) for _ in range(5))}".encode())
        if parent is not None:
            out.s.write(b"from :%d\n" % cmark[parent])
        if merge is not None:
            out.s.write(b"merge :%d\n" % cmark[merge])
        for fi, rev in ops:
            f = files[fi]
            out.s.write(f"M 100644 :{f.mark0 + rev} {f.path}\n".encode())
        out.s.write(b"\n")
        mark += 1
        if branch == "master" and c % 1000 == 999:
            n = c // 1000
            out.s.write(f"tag v1.{n}\nfrom :{cmark[c]}\ntagger {name} <{email}> {when} -0700\n".encode())
            out.data(f"Git 1.{n}".encode())
        if c % 5000 == 0:
            print(f"\rcommits: {c}/{len(commits)}", end="", file=sys.stderr)
    out.s.write(b"reset refs/heads/maint\nfrom :%d\n\n" % cmark[len(commits) // 2])
    print(f"\rcommits: {len(commits)}, {merges} merges", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--small", action="store_true", help="~3,000 commits of the same shape")
    ap.add_argument("--commits", type=int)
    ap.add_argument("--seed", type=int, default=18)
    ap.add_argument("--plant-every", type=int, help="plant a token in one revision in N (default 9973, --small 401)")
    ap.add_argument("--plan-only", action="store_true", help="print the plan's figures and stop")
    args = ap.parse_args()
    if args.commits is None:
        args.commits = 3000 if args.small else 82000
    scale = args.commits / 82000
    args.initial_files = 150 if not args.small else 60
    args.add_rate = 2850 * scale / args.commits * 1.25
    args.merge_rate = 0.2
    if args.plant_every is None:
        args.plant_every = 9973 if not args.small else 401

    files, commits = plan(args)
    nrevs = sum(len(f.revs) + 1 for f in files)
    est = 0
    for f in files:
        n = max(8, f.target // 3)
        for n_del, n_ins in f.revs:
            est += n
            n += n_ins - (max(n_del, n_ins) if n >= f.target else n_del)
        est += n
    print(f"plan: {len(commits)} commits, {sum(1 for c in commits if c[2] is not None)} merges, "
          f"{len(files)} files, {nrevs} blob revisions, ~{est * 42 / 1e9:.2f} GB "
          f"(max revisions of one file: {max(len(f.revs) for f in files)})", file=sys.stderr)
    if args.plan_only:
        return

    final = os.path.abspath(args.out)
    tmp = final + ".partial"
    if os.path.exists(final):
        sys.exit(f"{final} exists")
    shutil.rmtree(tmp, ignore_errors=True)
    subprocess.run(["git", "-c", "init.defaultBranch=master", "init", "-q", "--bare", tmp], check=True)
    fi = subprocess.Popen(["git", "fast-import", "--quiet", "--done", "--depth=50"], cwd=tmp,
                          stdin=subprocess.PIPE, bufsize=1 << 20)
    out = Out(fi.stdin)
    planted = []
    mark, total, nblobs = emit_blobs(args, files, out, planted)
    emit_commits(args, files, commits, out, mark)
    out.s.write(b"done\n")
    out.s.close()
    if fi.wait() != 0:
        sys.exit("git fast-import failed")
    with open(os.path.join(tmp, "PLANTED.txt"), "w") as p:
        p.write("".join(x + "\n" for x in planted))
    os.rename(tmp, final)
    print(f"{len(commits)} commits, {nblobs} blobs, {total} blob bytes, {len(planted)} planted", file=sys.stderr)


if __name__ == "__main__":
    main()
