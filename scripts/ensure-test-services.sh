#!/usr/bin/env bash
# Runs before `npm test` (the "pretest" script): what the tests need on this machine and nothing else.
# A real Postgres on TEST_DATABASE_URL (default 127.0.0.1:5432: started, or installed with apt when
# missing and we may), the Temporal CLI (found, or built with `go install`), and Chromium for the pages.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

sudo_if_needed() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if [ -n "${TEST_DATABASE_URL:-}" ]; then
  step "Postgres: using TEST_DATABASE_URL"
else
  step "Postgres on 127.0.0.1:5432"
  if pg_isready -q -h 127.0.0.1 2>/dev/null; then
    echo "already accepting connections"
  else
    if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
      echo "no Postgres installed: installing it with apt-get"
      sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get update -qq
      sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql
      version="$(ls /etc/postgresql | sort -V | tail -n 1)"
      # The tests connect as postgres without a password (TEST_DATABASE_URL default); fine on a throwaway runner.
      sudo_if_needed sed -i -E 's/^(host|local)(.*)(scram-sha-256|md5|peer)$/\1\2trust/' "/etc/postgresql/$version/main/pg_hba.conf"
      # apt may have started it already, with the old pg_hba.conf.
      sudo_if_needed pg_ctlcluster --skip-systemctl-redirect "$version" main stop 2>/dev/null || true
    fi
    version="$(ls /etc/postgresql | sort -V | tail -n 1)"
    echo "starting cluster $version/main"
    sudo_if_needed pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 && break; sleep 1; done
    pg_isready -h 127.0.0.1
  fi
fi

step "Temporal CLI"
npx tsx scripts/ensure-temporal-cli.ts

step "Chromium (the page and report tests)"
bash scripts/ensure-chromium.sh
