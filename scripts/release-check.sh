#!/usr/bin/env bash
# The release path, tested on this machine (scripts/test runs it):
#  1. `cargo package --list`: the crate holds its sources, build.rs, every built-in rule pack and
#     the docs, and nothing from tests/, benches/ or fixtures/ (rules are include_str!'d, so a
#     pack missing from the crate would break `cargo install leakless`).
#  2. Builds the host binary with the `dist` profile (what release.yml builds per target; the
#     musl targets need `rustup target add`, which cannot download here, so the host's gnu target
#     stands in), packs it with scripts/package-release.py exactly as release.yml does, writes
#     SHA256SUMS, verifies the archive against it with `sha256sum -c`, unpacks it and runs it:
#     `version` names this commit, `rules check` passes, a planted key is found (exit 1).
# Needs: cargo, git, python3, sha256sum, tar.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== crate contents (cargo package --list)"
list=$(cargo package --list --allow-dirty --offline 2> /dev/null || cargo package --list --allow-dirty)
for f in Cargo.toml Cargo.lock build.rs README.md LICENSE CHANGELOG.md src/main.rs src/lib.rs; do
  grep -qx "$f" <<< "$list" || { echo "release-check: $f is not in the crate" >&2; exit 1; }
done
for pack in rules/*.toml; do
  grep -qx "$pack" <<< "$list" || { echo "release-check: rule pack $pack is not in the crate" >&2; exit 1; }
done
if grep -E '^(tests|benches|fixtures|fuzz|scripts|target)/' <<< "$list"; then
  echo "release-check: the crate would ship test or build data" >&2
  exit 1
fi
# Every file the sources embed with include_str!/include_bytes! (a path relative to the file
# that embeds it) is in the crate.
missing=$(grep -roE 'include_(str|bytes)!\("[^"]+"\)' src | while IFS=: read -r file inc; do
  rel=$(sed -E 's/.*\("([^"]+)"\)/\1/' <<< "$inc")
  python3 -c 'import os,sys; print(os.path.normpath(os.path.join(os.path.dirname(sys.argv[1]), sys.argv[2])))' "$file" "$rel"
done | sort -u | while read -r f; do grep -qx "$f" <<< "$list" || echo "$f"; done)
if [ -n "$missing" ]; then
  echo "release-check: embedded files not in the crate: $missing" >&2
  exit 1
fi
echo "$(wc -l <<< "$list") files, all rule packs included"

host=$(rustc -vV | sed -n 's/^host: //p')
version="v$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)"
# dist is release under another name (Cargo.toml); PROFILE=release reuses a release build.
profile="${PROFILE:-dist}"
echo "== release artifact for the host ($host, profile $profile)"
cargo build --locked --profile "$profile" --bin leakless --quiet
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
SOURCE_DATE_EPOCH=0 python3 scripts/package-release.py pack --binary "target/$profile/leakless" \
  --target "$host" --version "$version" --out "$out/dist"
rm "$out/dist/"*.sha256
python3 scripts/package-release.py sums "$out/dist"
name="leakless-$version-$host.tar.gz"
grep -q "  $name\$" "$out/dist/SHA256SUMS"
(cd "$out/dist" && sha256sum --check --strict SHA256SUMS)
tar -xzf "$out/dist/$name" -C "$out"
bin="$out/leakless-$version-$host/leakless"
for doc in README.md LICENSE CHANGELOG.md; do
  test -s "$out/leakless-$version-$host/$doc"
done
ls -l "$bin"
"$bin" version
commit=$(git rev-parse HEAD 2> /dev/null || echo unknown)
"$bin" version --format json | grep -q "\"commit\": \"$commit\"" || {
  echo "release-check: the binary does not name commit $commit" >&2
  exit 1
}
"$bin" rules check > /dev/null
mkdir "$out/scan"
printf 'aws_access_key_id = "AKIAQ3EGT5MBL7XZPW4N"\n' > "$out/scan/settings.py" # leakless:allow
code=0
"$bin" scan "$out/scan" --quiet > /dev/null || code=$?
if [ "$code" != 1 ]; then
  echo "release-check: the packed binary did not find the planted key (exit $code)" >&2
  exit 1
fi
echo "release artifact OK: $name, $(wc -c < "$bin") bytes"
