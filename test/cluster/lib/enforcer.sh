# shellcheck shell=bash
# NetworkPolicy enforcer management. Modes:
#   kube-router            - kube-router's network-policy controller only (--run-firewall; its router
#                            and service proxy off), built from its Go module, as a host process.
#                            Rejects denied connections (iptables chains + ipsets).
#   kube-network-policies  - sigs.k8s.io/kube-network-policies (kind's kindnet embeds it), patched
#                            build (build/kube-network-policies), as a host process. Queues the first
#                            packet of each connection of a policy-selected pod to user space and
#                            drops denied ones (one nft table, inet kube-network-policies).
#   none                   - no enforcement (policies are stored but have no effect, as with Flannel)
# Exactly one enforcer runs at a time; switching removes every trace of the other.
DEFAULT_ENFORCER="kube-router"
ENFORCERS=(kube-router kube-network-policies)

validate_enforcer() {
  case "$1" in
    kube-router|kube-network-policies|none) ;;
    *) die "unknown enforcer '$1' (expected: kube-router | kube-network-policies | none)" ;;
  esac
}

# True when nfqueue QUEUE is bound by a listener.
queue_bound() {
  awk -v q="$1" '$1 == q { found = 1 } END { exit !found }' /proc/net/netfilter/nfnetlink_queue 2>/dev/null
}
# kube-network-policies' tables: the policy verdicts, and the DNS answer cache of the admin tiers.
knp_tables_present() { nft list tables 2>/dev/null | grep -Eqx "table inet ($KNP_NFT_TABLE|$KNP_DNS_NFT_TABLE)"; }
# TABLE holds a rule queueing to QUEUE (which an unpatched build fails to add; nft prints the NFQUEUE
# target as `queue num N`), and the queue is bound.
table_queues_to() {
  queue_bound "$2" && nft list table inet "$1" 2>/dev/null | grep -q "queue num $2"
}
# Both parts loaded: a DNS cache whose table failed to load closes its queue and spins on it.
knp_healthy() {
  table_queues_to "$KNP_NFT_TABLE" "$KNP_QUEUE" && table_queues_to "$KNP_DNS_NFT_TABLE" "$KNP_DNS_QUEUE"
}

stop_kube_router() {
  if [[ -f $PIDS/kube-router.pid ]]; then
    stop_daemon kube-router 15
    "$KUBE_ROUTER_BIN/kube-router" --cleanup-config >>"$LOGS/kube-router.log" 2>&1 || true
  fi
  # kube-router leaves KUBE-ROUTER-*/KUBE-NWPLCY-*/KUBE-POD-FW-* chains and ipsets behind.
  cleanup_iptables "$KUBE_ROUTER_RE"
  cleanup_ipsets "$KUBE_ROUTER_RE"
}

stop_kube_network_policies() {
  # On SIGTERM it deletes its policy table itself (build-time patch); a crashed one leaves it
  # behind, and upstream never deletes the DNS cache's table.
  stop_daemon kube-network-policies 15
  local table
  for table in "$KNP_NFT_TABLE" "$KNP_DNS_NFT_TABLE"; do
    if nft list table inet "$table" >/dev/null 2>&1; then nft delete table inet "$table" 2>/dev/null || warn "could not delete nft table inet $table"; fi
  done
}

# Stops whichever enforcer runs (all but KEEP) and removes its rules.
stop_enforcer() {
  local keep="${1:-}"
  [[ $keep == kube-router ]] || stop_kube_router
  [[ $keep == kube-network-policies ]] || stop_kube_network_policies
}

set_enforcer() {
  local mode="$1"
  stop_enforcer "$mode"
  case "$mode" in
    kube-router)
      if ! is_running kube-router; then
        start_daemon kube-router "$KUBE_ROUTER_BIN/kube-router" --kubeconfig "$KUBECONFIG_ADMIN" \
          --run-firewall=true --run-router=false --run-service-proxy=false \
          --hostname-override "$NODE_NAME" --metrics-port 0 --health-port 20244 --v 1
      fi
      wait_for "kube-router healthy" 60 kube-router curl -sf --max-time 2 http://127.0.0.1:20244/healthz
      ;;
    kube-network-policies)
      # The admin tiers are on: `up` installs the ANP/BANP CRDs before it starts the enforcer.
      if ! is_running kube-network-policies; then
        start_daemon kube-network-policies "$KNP_BIN/kube-network-policies" --kubeconfig "$KUBECONFIG_ADMIN" \
          --hostname-override "$NODE_NAME" --metrics-bind-address 127.0.0.1:20245 --nfqueue-id "$KNP_QUEUE" \
          --admin-network-policy --baseline-admin-network-policy --v 1
      fi
      wait_for "kube-network-policies rules loaded and queues $KNP_QUEUE, $KNP_DNS_QUEUE bound" 60 kube-network-policies knp_healthy
      ;;
  esac
  echo "$mode" >"$ENFORCER_FILE"
}
