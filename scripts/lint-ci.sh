#!/usr/bin/env bash
# npm run lint:ci: actionlint on the GitHub Actions workflows (the shipped smoke test and our own
# unit-test matrix; shellcheck included on their run: steps) and shellcheck on scripts/*.sh, with the
# tools that scripts/install-tools.sh cached.
# Installs nothing itself: run scripts/install-tools.sh once first.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

TOOLS_BIN=$(bash scripts/install-tools.sh --print)
for tool in actionlint shellcheck; do
  [[ -x $TOOLS_BIN/$tool ]] || { echo "lint:ci: $tool is not installed; run scripts/install-tools.sh" >&2; exit 2; }
done

workflows=(scenarios/ci/*.yml .github/workflows/*.yml)
scripts=(scripts/*.sh)
"$TOOLS_BIN/actionlint" -shellcheck "$TOOLS_BIN/shellcheck" "${workflows[@]}"
"$TOOLS_BIN/shellcheck" "${scripts[@]}"
echo "lint:ci: actionlint (${#workflows[@]} workflows) and shellcheck (${#scripts[@]} scripts) found nothing"
