#!/usr/bin/env bash
# Installs the dependencies (`npm ci`, which also builds dist/) when node_modules is missing or older
# than package-lock.json, and builds dist/ when it is missing, so that `npm run demo` and `npm test`
# work as the first command in a fresh clone.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
installed=node_modules/.package-lock.json
if [[ ! -f $installed || package-lock.json -nt $installed ]]; then
  echo "ensure-deps: installing the dependencies (npm ci)" >&2
  npm ci --no-audit --no-fund
elif [[ ! -d dist ]]; then
  npm run --silent build
fi
