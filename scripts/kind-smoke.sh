#!/usr/bin/env bash
# The NetworkPolicy smoke test of scenarios/ci/github-actions-netpol-smoke.yml, on a laptop with
# Docker and kind (>= 0.24, whose default CNI enforces NetworkPolicy): create a throwaway cluster,
# load the probe image, deploy the app with its policies, wait for the rollout, probe the
# connections against the expectations, and delete the cluster on exit (also on failure and Ctrl-C).
#
#   scripts/kind-smoke.sh                     # the example app in scenarios/ci/
#   KEEP=1 scripts/kind-smoke.sh              # leave the cluster for inspection
#   APP=k8s/ EXPECT=netpol-expect.yaml NAMESPACE=shop scripts/kind-smoke.sh
#
# Uses its own kubeconfig file, so your current kubectl context is untouched. Runs
# `kubectl netpol` when the plugin is installed, otherwise this checkout's bin/run.js.
# Exit code: the probe's (0 pass, 1 violation or disagreement, 2 bad input or cluster problem,
# 3 unmeasured checks); 2 when a prerequisite is missing.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CLUSTER=${CLUSTER:-netpol-smoke}
APP=${APP:-$ROOT/scenarios/ci/example-app.yaml}
EXPECT=${EXPECT:-$ROOT/scenarios/ci/expectations.yaml}
NAMESPACE=${NAMESPACE:-netpol-demo}
IMAGE=${IMAGE:-nicolaka/netshoot:v0.13}
JUNIT=${JUNIT:-netpol.xml}
KEEP=${KEEP:-0}

say() { printf 'kind-smoke: %s\n' "$*" >&2; }
die() { say "$*"; exit 2; }

for tool in docker kind kubectl; do
  command -v "$tool" >/dev/null || die "$tool is required (see the README section \"Smoke tests in CI\")"
done
docker info >/dev/null 2>&1 || die "cannot reach the Docker daemon"

# kind prints e.g. "kind v0.27.0 go1.23.4 linux/amd64".
kind_version=$(kind version | sed -n 's/^kind v\([0-9]*\)\.\([0-9]*\).*/\1 \2/p')
read -r kind_major kind_minor <<<"${kind_version:-0 0}"
if (( kind_major == 0 && kind_minor < 24 )); then
  die "kind $(kind version | cut -d' ' -f2) is older than v0.24, whose kindnet does not enforce NetworkPolicy"
fi

if kubectl netpol --version >/dev/null 2>&1; then
  netpol() { kubectl netpol "$@"; }
else
  [[ -f $ROOT/dist/commands/probe.js ]] || die "kubectl-netpol is neither installed nor built here (run npm ci in $ROOT)"
  netpol() { node "$ROOT/bin/run.js" "$@"; }
fi

if kind get clusters 2>/dev/null | grep -qx "$CLUSTER"; then
  die "a kind cluster named $CLUSTER exists already; delete it or set CLUSTER=another-name"
fi

KUBECONFIG=$(mktemp "${TMPDIR:-/tmp}/kind-smoke-kubeconfig.XXXXXX")
export KUBECONFIG

# shellcheck disable=SC2317  # reached through the EXIT trap below, which shellcheck does not follow
cleanup() {
  local status=$?
  if [[ $KEEP == 1 ]]; then
    say "keeping cluster $CLUSTER (KUBECONFIG=$KUBECONFIG); remove it with: kind delete cluster --name $CLUSTER"
  else
    say "deleting cluster $CLUSTER"
    kind delete cluster --name "$CLUSTER" >/dev/null 2>&1 || say "could not delete cluster $CLUSTER: kind delete cluster --name $CLUSTER"
    rm -f "$KUBECONFIG"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say "creating cluster $CLUSTER"
kind create cluster --name "$CLUSTER" --kubeconfig "$KUBECONFIG" --wait 120s

say "loading $IMAGE into the nodes"
docker image inspect "$IMAGE" >/dev/null 2>&1 || docker pull "$IMAGE"
kind load docker-image "$IMAGE" --name "$CLUSTER"

say "deploying $APP"
kubectl apply -f "$APP"
kubectl -n "$NAMESPACE" rollout status deployment --timeout=180s

say "probing $NAMESPACE against $EXPECT"
status=0
netpol probe -n "$NAMESPACE" --expect "$EXPECT" --junit "$JUNIT" --image "$IMAGE" || status=$?
say "JUnit report: $JUNIT (probe exit code $status)"
exit "$status"
