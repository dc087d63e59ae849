#!/bin/sh
# Waits for the frontend, then creates the namespace (idempotent). The arena registers its own
# search attributes at start (infra/temporal-dev-server.ts ensureSearchAttributes).
set -eu
attempt=0
until temporal operator cluster health --address "$TEMPORAL_ADDRESS" >/dev/null 2>&1; do
  attempt=$((attempt + 1))
  [ "$attempt" -ge 60 ] && { echo "temporal not healthy after $attempt attempts"; exit 1; }
  sleep 2
done
temporal operator namespace describe --namespace "$NAMESPACE" --address "$TEMPORAL_ADDRESS" >/dev/null 2>&1 \
  || temporal operator namespace create --namespace "$NAMESPACE" --retention 30d --address "$TEMPORAL_ADDRESS"
