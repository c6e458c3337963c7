#!/usr/bin/env python3
"""Packs a built leakless binary into its release archive, as .github/workflows/release.yml does.

    package-release.py pack --binary PATH --target TRIPLE --version vX.Y.Z --out DIR
        writes DIR/leakless-vX.Y.Z-TRIPLE.tar.gz (.zip for Windows targets) holding
        leakless-vX.Y.Z-TRIPLE/{leakless[.exe], README.md, LICENSE, CHANGELOG.md}, and
        DIR/leakless-vX.Y.Z-TRIPLE.tar.gz.sha256 (one `sha256sum` line)
    package-release.py sums DIR
        writes DIR/SHA256SUMS from every archive in DIR (sorted, `sha256sum` format)
    package-release.py notes --version vX.Y.Z [--changelog CHANGELOG.md]
        prints that version's CHANGELOG.md section (else "Unreleased"), for the release notes

Archives are reproducible: entries sorted, fixed mode (0755 binary, 0644 docs), owner 0, mtime
SOURCE_DATE_EPOCH (default: 0). Standard library only, so it runs on every runner as is.
"""
import argparse
import gzip
import hashlib
import io
import os
import re
import sys
import tarfile
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOCS = ("README.md", "LICENSE", "CHANGELOG.md")
ARCHIVE = re.compile(r"^leakless-v[0-9][0-9A-Za-z.+-]*-[0-9A-Za-z_]+(-[0-9A-Za-z_]+)+\.(tar\.gz|zip)$")


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def archive_name(version, target):
    ext = "zip" if "windows" in target else "tar.gz"
    return f"leakless-{version}-{target}.{ext}"


def pack(args):
    if not re.fullmatch(r"v[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?", args.version):
        sys.exit(f"package-release: version must look like v1.2.3, not {args.version!r}")
    if not re.fullmatch(r"[0-9A-Za-z_]+(-[0-9A-Za-z_]+)+", args.target):
        sys.exit(f"package-release: not a target triple: {args.target!r}")
    windows = "windows" in args.target
    exe = "leakless.exe" if windows else "leakless"
    top = f"leakless-{args.version}-{args.target}"
    mtime = int(os.environ.get("SOURCE_DATE_EPOCH", "0"))
    entries = [(exe, open(args.binary, "rb").read(), 0o755)]
    for doc in DOCS:
        entries.append((doc, open(os.path.join(ROOT, doc), "rb").read(), 0o644))
    entries.sort()
    os.makedirs(args.out, exist_ok=True)
    out = os.path.join(args.out, archive_name(args.version, args.target))
    if windows:
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data, mode in entries:
                info = zipfile.ZipInfo(f"{top}/{name}", date_time=(1980, 1, 1, 0, 0, 0))
                info.external_attr = (0o100000 | mode) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                z.writestr(info, data)
    else:
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
            d = tarfile.TarInfo(top)
            d.type, d.mode, d.mtime = tarfile.DIRTYPE, 0o755, mtime
            t.addfile(d)
            for name, data, mode in entries:
                info = tarfile.TarInfo(f"{top}/{name}")
                info.size, info.mode, info.mtime = len(data), mode, mtime
                t.addfile(info, io.BytesIO(data))
        with open(out, "wb") as f:
            # mtime=0 and no file name in the gzip header: the same bytes on every runner.
            with gzip.GzipFile(filename="", mode="wb", fileobj=f, mtime=0, compresslevel=9) as g:
                g.write(buf.getvalue())
    line = f"{sha256(out)}  {os.path.basename(out)}\n"
    with open(out + ".sha256", "w", encoding="ascii", newline="\n") as f:
        f.write(line)
    sys.stdout.write(line)


def sums(args):
    names = sorted(n for n in os.listdir(args.dir) if ARCHIVE.match(n))
    if not names:
        sys.exit(f"package-release: no release archives in {args.dir}")
    lines = "".join(f"{sha256(os.path.join(args.dir, n))}  {n}\n" for n in names)
    with open(os.path.join(args.dir, "SHA256SUMS"), "w", encoding="ascii", newline="\n") as f:
        f.write(lines)
    sys.stdout.write(lines)


def notes(args):
    text = open(args.changelog, encoding="utf-8").read()
    wanted = [args.version.lstrip("v"), args.version, "Unreleased"]
    sections = re.split(r"(?m)^## ", text)
    for want in wanted:
        for sec in sections[1:]:
            head, _, body = sec.partition("\n")
            # "## [1.2.3] - 2026-12-06", "## 1.2.3", "## Unreleased"
            title = head.split()[0].strip("[]") if head.split() else ""
            if title == want:
                if want == "Unreleased":
                    print(f"package-release: warning: no section for {args.version}; using Unreleased", file=sys.stderr)
                sys.stdout.write(body.strip() + "\n")
                return
    sys.exit(f"package-release: no section for {args.version} (nor Unreleased) in {args.changelog}")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("pack")
    a.add_argument("--binary", required=True)
    a.add_argument("--target", required=True)
    a.add_argument("--version", required=True)
    a.add_argument("--out", required=True)
    b = sub.add_parser("sums")
    b.add_argument("dir")
    c = sub.add_parser("notes")
    c.add_argument("--version", required=True)
    c.add_argument("--changelog", default=os.path.join(ROOT, "CHANGELOG.md"))
    args = p.parse_args()
    {"pack": pack, "sums": sums, "notes": notes}[args.cmd](args)


if __name__ == "__main__":
    main()
