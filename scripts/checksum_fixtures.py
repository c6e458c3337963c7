#!/usr/bin/env python3
"""Checksum fixtures computed outside leakless: GitHub / npm tokens and near-misses.

GitHub's prefixed tokens (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`) and npm's `npm_` tokens end in
six Base62 digits of a CRC32. This script computes them with Python's `binascii.crc32` (zlib's
CRC-32) and its own Base62 (below, not leakless's), in both alphabets public write-ups use, and
writes `tests/data/checksum-fixtures.tsv`: `token<TAB>valid<TAB>why`. The test
`tests/checksum.rs` asserts leakless's verdict on every line and that this script still writes the
committed file (`--check`).

Usage: python3 scripts/checksum_fixtures.py [--check]
"""
import binascii
import random
import string
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "checksum-fixtures.tsv"
ALNUM = string.ascii_letters + string.digits
# Digits, then upper case, then lower case (GitHub's tokens, as GitHub's 2021 post describes them);
# and digits, lower, upper (the order some implementations use).
UPPER_FIRST = string.digits + string.ascii_uppercase + string.ascii_lowercase
LOWER_FIRST = string.digits + string.ascii_lowercase + string.ascii_uppercase


def b62(n, alphabet, width=6):
    """`n` in Base62, most significant digit first, left-padded with the zero digit."""
    digits = []
    while n:
        n, r = divmod(n, 62)
        digits.append(alphabet[r])
    s = "".join(reversed(digits))
    return s.rjust(width, alphabet[0])


def crc(s):
    return binascii.crc32(s.encode("ascii")) & 0xFFFFFFFF


def readings(prefix, body):
    """Every checksum a scanner may accept: CRC of the body or of prefix+body, either alphabet."""
    return {b62(crc(x), a) for x in (body, prefix + body) for a in (UPPER_FIRST, LOWER_FIRST)}


def main():
    rng = random.Random(20261206)
    rows = []

    def body():
        return "".join(rng.choice(ALNUM) for _ in range(30))

    def add(token, valid, why):
        prefix, rest = token[:4], token[4:]
        # A near-miss must fail every reading, or it is no near-miss.
        assert valid == (rest[30:] in readings(prefix, rest[:30])), (token, why)
        rows.append((token, "1" if valid else "0", why))

    for prefix in ("ghp_", "gho_", "ghu_", "ghs_", "ghr_"):
        for _ in range(3):
            b = body()
            add(prefix + b + b62(crc(b), UPPER_FIRST), True, "CRC32 of the body, digits-upper-lower")
        b = body()
        add(prefix + b + b62(crc(b), LOWER_FIRST), True, "CRC32 of the body, digits-lower-upper")
    for _ in range(3):
        b = body()
        add("npm_" + b + b62(crc("npm_" + b), UPPER_FIRST), True, "CRC32 of prefix and body")
        b = body()
        add("npm_" + b + b62(crc(b), UPPER_FIRST), True, "CRC32 of the body")
    b = body()
    add("npm_" + b + b62(crc("npm_" + b), LOWER_FIRST), True, "CRC32 of prefix and body, digits-lower-upper")

    # A CRC below 62^5 needs the zero-digit padding.
    while True:
        b = body()
        if crc(b) < 62**5:
            add("ghp_" + b + b62(crc(b), UPPER_FIRST), True, "checksum padded with a leading 0")
            break

    # Near-misses: right shape, wrong checksum.
    def near(prefix, make, why):
        for _ in range(100):
            b = body()
            c = make(b)
            if len(c) == 6 and c not in readings(prefix, b):
                add(prefix + b + c, False, why)
                return
        raise SystemExit(f"no near-miss for {why}")

    good = lambda b: b62(crc(b), UPPER_FIRST)  # noqa: E731
    nxt = lambda ch: UPPER_FIRST[(UPPER_FIRST.index(ch) + 1) % 62]  # noqa: E731
    for prefix in ("ghp_", "gho_", "npm_"):
        near(prefix, lambda b: good(b)[:5] + nxt(good(b)[5]), "last checksum digit off by one")
        near(prefix, lambda b: nxt(good(b)[0]) + good(b)[1:], "first checksum digit off by one")
        near(prefix, lambda b: good(b)[::-1], "checksum digits reversed")
        near(prefix, lambda b: b62((crc(b) + 1) & 0xFFFFFFFF, UPPER_FIRST), "CRC32 plus one")
        near(prefix, lambda b: b62(crc(b[:29]), UPPER_FIRST), "CRC32 of 29 body characters")
        near(prefix, lambda b: b62(crc(b + "x"), UPPER_FIRST), "CRC32 of the body and one more character")
        near(prefix, lambda b: b62(binascii.crc_hqx(b.encode(), 0), UPPER_FIRST), "CRC-16 instead of CRC-32")
        near(prefix, lambda b: b62(crc(b) ^ 0xFFFFFFFF, UPPER_FIRST), "CRC32 without the final inversion")
        # The body changed after the checksum was computed (one character).
        b = body()
        c = good(b)
        changed = b[:10] + nxt(b[10]) + b[11:]
        if c not in readings(prefix, changed):
            add(prefix + changed + c, False, "a body character changed")

    text = "".join("\t".join(r) + "\n" for r in rows)
    header = "# token\tvalid\twhy -- written by scripts/checksum_fixtures.py (binascii.crc32); do not edit\n"
    text = header + text
    if "--check" in sys.argv[1:]:
        if OUT.read_text() != text:
            raise SystemExit(f"{OUT} is stale: run python3 scripts/checksum_fixtures.py")
        return
    OUT.write_text(text)
    print(f"wrote {OUT} ({len(rows)} tokens)")


if __name__ == "__main__":
    main()
