#!/usr/bin/env bash
# Installs the dependencies (`npm ci`, which also builds dist/) when node_modules is missing or older
# than package-lock.json, and builds dist/ when it is missing, so that `npm run demo` and `npm test`
# work as the first command in a fresh clone.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
installed=node_modules/.package-lock.json
if [[ ! -f $installed || package-lock.json -nt $installed ]]; then
  quiet=()
  # npm runs on the Node on PATH; when that one is older than 22, npm warns about every package
  # that needs a newer one, although they all run on the Node 24 that the install brings.
  if (( $(node -p 'process.versions.node.split(".")[0]') < 22 )); then
    echo "ensure-deps: npm ci (npm runs on Node $(node --version); its engine warnings are hidden, the code runs on the Node 24 it installs)" >&2
    quiet=(--loglevel=error)
  else
    echo "ensure-deps: npm ci" >&2
  fi
  npm ci --no-audit --no-fund "${quiet[@]}"
elif [[ ! -d dist ]]; then
  npm run --silent build
fi
