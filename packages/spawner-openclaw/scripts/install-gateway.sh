#!/usr/bin/env bash
# Installs the pinned OpenClaw gateway (package.json: kurultai.openclawVersion) once into $KURULTAI_CACHE/openclaw-<version>,
# outside the workspace's dependencies: it is about 650 MB and only the integration tests and benchmarks run it.
set -euo pipefail
cd "$(dirname "$0")/.."
source ../../scripts/setup.sh
version=$(node -p 'require("./package.json").kurultai.openclawVersion')
kurultai_npm_install_into "$KURULTAI_CACHE/openclaw-$version" "openclaw@$version"
kurultai_node_is_recent || { echo "install-gateway: OpenClaw needs Node >= 24.16, this is $(node --version)" >&2; exit 1; }
