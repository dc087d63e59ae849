#!/usr/bin/env bash
# The browser the page tests (test/web) drive: Debian's Chromium at /usr/bin/chromium, installed with
# apt-get when it is missing (as root, or through sudo). Playwright's own browser downloads are never
# used: they need a host outside the package registries.
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
  echo "chromium: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
  exit 0
fi

sudo_if_needed() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

echo "chromium: not installed; installing the Debian package with apt-get"
sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get update -qq
sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core
"$CHROMIUM" --version
