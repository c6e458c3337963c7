#!/usr/bin/env bash
# The GitHub Action's install step (action.yml): puts leakless in "$BIN_DIR/bin".
#
# With a release VERSION (vX.Y.Z) and a TARGET for this runner, downloads SHA256SUMS and
# leakless-VERSION-TARGET.(tar.gz|zip) from "$BASE_URL/VERSION/", checks the archive against its
# SHA256SUMS line and unpacks the binary. A checksum that does not match, or an archive that
# SHA256SUMS lists but cannot be fetched, fails the step: nothing unverified is ever run. Only
# when there is no such release (no VERSION, no TARGET for this runner, SHA256SUMS not found or
# without a line for TARGET) does it build instead: `cargo install --path ACTION_PATH` when
# VERSION is empty or the action's own version, else `cargo install leakless --version`.
#
# Env: BIN_DIR, VERSION (may be empty), TARGET (may be empty), BASE_URL, ACTION_PATH.
# Writes `source=release|cargo` to GITHUB_OUTPUT when set.
set -euo pipefail

: "${BIN_DIR:?}" "${BASE_URL:?}" "${ACTION_PATH:?}"
VERSION="${VERSION:-}"
TARGET="${TARGET:-}"
out="${GITHUB_OUTPUT:-/dev/null}"
mkdir -p "$BIN_DIR/bin"

sha256_of() {
  if command -v sha256sum > /dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  else
    shasum -a 256 "$1" | cut -d' ' -f1 # macOS
  fi
}

build_from_source() {
  echo "leakless: $1; building it with cargo install"
  own=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$ACTION_PATH/Cargo.toml" | head -n 1)
  if [ -z "$VERSION" ] || [ "${VERSION#v}" = "$own" ]; then
    cargo install --locked --quiet --root "$BIN_DIR" --path "$ACTION_PATH"
  else
    cargo install --locked --quiet --root "$BIN_DIR" leakless --version "=${VERSION#v}"
  fi
  echo "source=cargo" >> "$out"
}

# curl exit codes that mean "not there" rather than "could not ask": 22 (HTTP >= 400 with
# --fail, e.g. 404 for a tag without a release) and 37 (file:// path that does not exist).
fetch() { # URL FILE -> 0 fetched, 1 absent; exits on any other failure
  local code=0
  curl --fail --silent --show-error --location --retry 3 --proto '=https,file' \
    --output "$2" "$1" || code=$?
  case "$code" in
    0) return 0 ;;
    22 | 37) return 1 ;;
    *) echo "::error title=leakless::cannot download $1 (curl exit $code)"; exit 1 ;;
  esac
}

if [ -z "$VERSION" ]; then
  build_from_source "the action is not pinned to a release tag and no version input is set"
  exit 0
fi
if [ -z "$TARGET" ]; then
  build_from_source "no release binary is built for ${RUNNER_OS:-this OS}/${RUNNER_ARCH:-this architecture}"
  exit 0
fi

ext=tar.gz
case "$TARGET" in *windows*) ext=zip ;; esac
name="leakless-$VERSION-$TARGET.$ext"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
url="${BASE_URL%/}/$VERSION"

if ! fetch "$url/SHA256SUMS" "$tmp/SHA256SUMS"; then
  build_from_source "no release $VERSION at $url"
  exit 0
fi
# `sha256sum` format: 64 hex, two spaces (or space and `*`), the file name.
expected=$(awk -v n="$name" '($2 == n || $2 == "*" n) && $1 ~ /^[0-9a-f]+$/ && length($1) == 64 { print $1; exit }' "$tmp/SHA256SUMS")
if [ -z "$expected" ]; then
  build_from_source "release $VERSION has no $name"
  exit 0
fi
if ! fetch "$url/$name" "$tmp/$name"; then
  echo "::error title=leakless::release $VERSION lists $name in SHA256SUMS but it cannot be downloaded"
  exit 1
fi
actual=$(sha256_of "$tmp/$name")
if [ "$actual" != "$expected" ]; then
  echo "::error title=leakless::checksum mismatch for $name: SHA256SUMS says $expected, the download is $actual; not installing it"
  exit 1
fi
echo "leakless: $name verified against SHA256SUMS ($actual)"

mkdir "$tmp/x"
if [ "$ext" = zip ]; then
  if command -v unzip > /dev/null 2>&1; then
    unzip -q "$tmp/$name" -d "$tmp/x"
  else
    powershell -NoProfile -Command "Expand-Archive -LiteralPath '$tmp/$name' -DestinationPath '$tmp/x'"
  fi
  exe=leakless.exe
else
  tar -xzf "$tmp/$name" -C "$tmp/x"
  exe=leakless
fi
src="$tmp/x/leakless-$VERSION-$TARGET/$exe"
if [ ! -f "$src" ] || [ -L "$src" ]; then
  echo "::error title=leakless::$name does not hold leakless-$VERSION-$TARGET/$exe"
  exit 1
fi
cp "$src" "$BIN_DIR/bin/$exe"
chmod 0755 "$BIN_DIR/bin/$exe"
"$BIN_DIR/bin/$exe" version
echo "source=release" >> "$out"
