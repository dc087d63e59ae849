#!/bin/sh
# Waits for the frontend, creates the namespace (idempotent), then waits until the frontend serves it:
# a new namespace reaches the services' namespace caches only at their next refresh (up to ~10 s), and
# what starts after this job (the arena, which registers its search attributes at start:
# infra/temporal-dev-server.ts ensureSearchAttributes) must find it.
set -eu
wait_for() { # <what> <command...>
  what=$1
  shift
  attempt=0
  until "$@" >/dev/null 2>&1; do
    attempt=$((attempt + 1))
    [ "$attempt" -ge 60 ] && { echo "$what: not ready after $attempt attempts" >&2; exit 1; }
    sleep 2
  done
}
wait_for "temporal at $TEMPORAL_ADDRESS" temporal operator cluster health --address "$TEMPORAL_ADDRESS"
temporal operator namespace describe --namespace "$NAMESPACE" --address "$TEMPORAL_ADDRESS" >/dev/null 2>&1 \
  || temporal operator namespace create --namespace "$NAMESPACE" --retention 30d --address "$TEMPORAL_ADDRESS"
wait_for "namespace $NAMESPACE" temporal operator search-attribute list --namespace "$NAMESPACE" --address "$TEMPORAL_ADDRESS"
