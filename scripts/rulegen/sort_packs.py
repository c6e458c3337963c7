#!/usr/bin/env python3
"""Sort the `[[rules]]` blocks of rule packs by id, keeping each block's text and the pack's header.

Why: a newcomer finds a provider's rules in one obvious place only if every pack is in one order.
Usage: sort_packs.py rules/*.toml [--check]   (--check: exit 1 if a pack is not sorted)
Packs marked `# leakless:order-significant` (generic.toml) are left alone.
A block runs from its `[[rules]]` line (with the comment lines right above it) to the next block.
"""

import re
import sys


def split(text):
    lines = text.split("\n")
    starts = [i for i, l in enumerate(lines) if l.strip() == "[[rules]]"]
    if not starts:
        return text, []
    # Comments and blank lines directly above a [[rules]] line belong to that block.
    def block_start(i):
        j = i
        while j > 0 and (lines[j - 1].startswith("#") or lines[j - 1].strip() == ""):
            j -= 1
        return j

    heads = [block_start(i) for i in starts]
    header = "\n".join(lines[: heads[0]]).rstrip("\n")
    # The pack header is the comment block at the top; comments right above the first rule that
    # are separated from it by a blank line stay in the header.
    first = lines[heads[0]:starts[0]]
    if "" in first:
        cut = len(first) - 1 - first[::-1].index("")
        header = "\n".join(lines[: heads[0] + cut + 1]).rstrip("\n")
        heads[0] = heads[0] + cut + 1
    blocks = []
    for n, h in enumerate(heads):
        end = heads[n + 1] if n + 1 < len(heads) else len(lines)
        body = "\n".join(lines[h:end]).strip("\n")
        m = re.search(r'^id\s*=\s*"([^"]+)"', body, re.M)
        blocks.append((m.group(1) if m else "", body))
    return header, blocks


def main():
    check = "--check" in sys.argv
    bad = False
    for path in [a for a in sys.argv[1:] if not a.startswith("--")]:
        text = open(path, encoding="utf-8").read()
        if "# leakless:order-significant" in text:
            continue  # e.g. generic.toml: detector rules are tried in file order
        header, blocks = split(text)
        if not blocks:
            continue
        ids = [b[0] for b in blocks]
        if check:
            if ids != sorted(ids):
                print(f"{path}: rules are not sorted by id", file=sys.stderr)
                bad = True
            continue
        out = header + "\n\n" + "\n\n".join(b for _, b in sorted(blocks)) + "\n"
        open(path, "w", encoding="utf-8").write(out)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
