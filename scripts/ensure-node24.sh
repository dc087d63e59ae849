#!/usr/bin/env bash
# Node 24 LTS, the Node CI runs everything on (scripts/ensure-node.sh): prints the folder holding its `node`.
exec bash "$(dirname "$0")/ensure-node.sh" 24.22.3
