#!/usr/bin/env bash
# Sourced by the repository's entry scripts. Makes sure Node 24 and pnpm are on PATH and the workspace is installed.
#
# Where the system Node is older than 24.16 (OpenClaw's floor), a Node 24 binary is taken from the npm registry's `node`
# package into a cache outside the repository; the system Node is left as it is. pnpm comes from the registry the same way.
# Cache folder: $KURULTAI_CACHE, default ${XDG_CACHE_HOME:-$HOME/.cache}/kurultai.

KURULTAI_NODE_VERSION=24.21.0
KURULTAI_PNPM_VERSION=10.34.9
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1
KURULTAI_CACHE=${KURULTAI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kurultai}
export KURULTAI_CACHE

kurultai_node_is_recent() {
  command -v node >/dev/null 2>&1 || return 1
  node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>24||(a===24&&b>=16)?0:1)' 2>/dev/null
}

kurultai_npm_install_into() { # DIR PACKAGE@VERSION: a private npm prefix, installed once
  local dir=$1 spec=$2
  if [ ! -e "$dir/.installed" ]; then
    echo "kurultai setup: installing $spec into $dir" >&2
    rm -rf "$dir" && mkdir -p "$dir"
    npm install --silent --no-audit --no-fund --prefix "$dir" "$spec" >&2 || { echo "kurultai setup: could not install $spec" >&2; return 1; }
    touch "$dir/.installed"
  fi
}

kurultai_setup() {
  if ! kurultai_node_is_recent; then
    command -v npm >/dev/null 2>&1 || { echo "kurultai setup: Node 24 is needed, and there is no npm to fetch it with" >&2; return 1; }
    kurultai_npm_install_into "$KURULTAI_CACHE/node-$KURULTAI_NODE_VERSION" "node@$KURULTAI_NODE_VERSION" || return 1
    export PATH="$KURULTAI_CACHE/node-$KURULTAI_NODE_VERSION/node_modules/node/bin:$PATH"
    kurultai_node_is_recent || { echo "kurultai setup: the Node in $KURULTAI_CACHE does not run" >&2; return 1; }
  fi
  if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$KURULTAI_PNPM_VERSION" ]; then
    kurultai_npm_install_into "$KURULTAI_CACHE/pnpm-$KURULTAI_PNPM_VERSION" "pnpm@$KURULTAI_PNPM_VERSION" || return 1
    export PATH="$KURULTAI_CACHE/pnpm-$KURULTAI_PNPM_VERSION/node_modules/.bin:$PATH"
  fi
  local root
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  export PATH="$root/node_modules/.bin:$PATH"
  (cd "$root" && pnpm install --frozen-lockfile --reporter=silent >&2) || { echo "kurultai setup: pnpm install failed" >&2; return 1; }
}
