# Source this file (`source scripts/env.sh`) to put the project's Node 24 and pnpm on PATH in your shell, after which
# `npx kurultai ...`, `pnpm bench` and the other pnpm scripts run as documented. It sets the workspace up if needed.
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh" && kurultai_setup
