# shellcheck shell=bash
# NetworkPolicy enforcer management. Modes:
#   kube-router  - kube-router's network-policy controller only (--run-firewall; its router and
#                  service proxy off), built from its Go module, as a host process
#   none         - no enforcement (policies are stored but have no effect, as with Flannel)
DEFAULT_ENFORCER="kube-router"

validate_enforcer() {
  case "$1" in
    kube-router|none) ;;
    *) die "unknown enforcer '$1' (expected: kube-router | none)" ;;
  esac
}

stop_enforcer() {
  [[ -f $PIDS/kube-router.pid ]] || return 0
  stop_daemon kube-router 15
  # kube-router leaves KUBE-ROUTER-*/KUBE-NWPLCY-*/KUBE-POD-FW-* chains and ipsets behind.
  "$KUBE_ROUTER_BIN/kube-router" --cleanup-config >>"$LOGS/kube-router.log" 2>&1 || true
  cleanup_iptables "$KUBE_ROUTER_RE"
  cleanup_ipsets "$KUBE_ROUTER_RE"
}

set_enforcer() {
  local mode="$1"
  case "$mode" in
    none)
      stop_enforcer
      ;;
    kube-router)
      if ! is_running kube-router; then
        start_daemon kube-router "$KUBE_ROUTER_BIN/kube-router" --kubeconfig "$KUBECONFIG_ADMIN" \
          --run-firewall=true --run-router=false --run-service-proxy=false \
          --hostname-override "$NODE_NAME" --metrics-port 0 --health-port 20244 --v 1
      fi
      wait_for "kube-router healthy" 60 kube-router curl -sf --max-time 2 http://127.0.0.1:20244/healthz
      ;;
  esac
  echo "$mode" >"$ENFORCER_FILE"
}
