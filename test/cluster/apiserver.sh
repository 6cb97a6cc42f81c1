#!/usr/bin/env bash
# Stop or start only the test cluster's kube-apiserver (everything else keeps running), for e2e
# tests of an API outage in the middle of a probe run. Run it under the cluster lock like any
# cluster command; `start` waits until /readyz answers.
#   usage: test/cluster/apiserver.sh stop|start
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$CLUSTER_SRC/lib/apiserver.sh"

need_root
case "${1:-}" in
  stop) stop_daemon kube-apiserver ;;
  start) start_apiserver ;;
  *) die "usage: $0 stop|start" ;;
esac
