#!/usr/bin/env bash
# npm run demo: the first run of a fresh clone. Installs the dependencies when they are missing or
# older than package-lock.json (scripts/ensure-deps.sh), then runs scripts/demo.ts on the Node of
# the `node` devDependency. Arguments go to the demo: npm run demo -- --help.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/ensure-deps.sh
PATH="$PWD/node_modules/.bin:$PATH"
exec tsx scripts/demo.ts "$@"
