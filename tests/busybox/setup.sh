#!/bin/sh
# Unpacks Debian's busybox into .busybox at the repository root, without installing it (apt-get download, then
# dpkg-deb -x): the stand-in for Alpine's userland (busybox sh, wget and nc, no curl) in which
# tests/credential-process.test.ts runs the credential_process helper. Run by `npm test` (pretest) and
# `npm run setup:busybox`. Idempotent. Needs apt-get and dpkg-deb (Debian, Ubuntu); runs `apt-get update` first when
# the package lists are empty and it may (root). BUSYBOX=/path/to/busybox skips all this (the tests use that binary).
set -eu
cd "$(dirname "$0")/../.."
dir=.busybox
if [ -n "${BUSYBOX:-}" ] || [ -x "$dir/bin/busybox" ]; then
    exit 0
fi
for tool in apt-get dpkg-deb; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "setup-busybox: $tool not found: on a system without apt, set BUSYBOX to a busybox binary to run the helper's busybox tests" >&2
        exit 1
    fi
done
download=$(mktemp -d)
trap 'rm -rf "$download"' EXIT
# apt's download sandbox (user _apt) must be able to enter the directory.
chmod 755 "$download"
if ! (cd "$download" && apt-get download -q busybox >/dev/null 2>&1); then
    if [ "$(id -u)" -ne 0 ]; then
        echo "setup-busybox: apt-get download busybox failed; run apt-get update (as root) and try again" >&2
        exit 1
    fi
    echo "setup-busybox: refreshing the package lists (apt-get update)"
    apt-get update -qq
    (cd "$download" && apt-get download -q busybox >/dev/null)
fi
rm -rf "$dir.partial"
dpkg-deb -x "$download"/busybox_*.deb "$dir.partial"
"$dir.partial/bin/busybox" true
dpkg-deb -f "$download"/busybox_*.deb Version >"$dir.partial/.installed"
rm -rf "$dir"
mv "$dir.partial" "$dir"
echo "setup-busybox: busybox $(cat "$dir/.installed") unpacked into $dir"
