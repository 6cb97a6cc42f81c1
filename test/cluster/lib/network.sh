# shellcheck shell=bash
# Host networking for the test cluster: the pod bridge (which also carries the
# node IP), sysctls, a guard chain that keeps pod traffic on this machine, and
# the matching teardown that removes every rule/chain/set the cluster created.

SYSCTLS=(net.ipv4.ip_forward net.bridge.bridge-nf-call-iptables
  net.ipv4.neigh.default.gc_thresh1 net.ipv4.neigh.default.gc_thresh2 net.ipv4.neigh.default.gc_thresh3)
# The bridge CNI puts every pod on one L2 segment, so each pod resolves every pod it talks to by
# ARP, and the kernel keeps one neighbour table for all network namespaces of the node (default
# hard limit 1,024 entries): the 30-namespace probe bench overflows it. Routed CNIs (kindnet,
# real clusters) resolve only the gateway. Values in entries: gc_thresh1 gc_thresh2 gc_thresh3.
NEIGH_THRESHOLDS=(4096 16384 32768)
SYSCTL_SAVE="$NETPOL_CLUSTER_DIR/sysctl.orig"
# Chain-name prefixes owned by the cluster (kubelet, kube-proxy, CNI plugins,
# the enforcers, this harness).
CHAIN_PREFIX_RE='^(KUBE-|CNI-|NETPOL-|kube-router)'
# Chains and ipsets of kube-router's network-policy controller only.
KUBE_ROUTER_RE='^(KUBE-ROUTER-|KUBE-NWPLCY-|KUBE-POD-FW-|KUBE-SRC-|KUBE-DST-|kube-router)'

setup_network() {
  local s
  # Saves each sysctl's value before the cluster first changes it (also when a newer harness
  # changes more of them on a cluster that is already up).
  for s in "${SYSCTLS[@]}"; do
    grep -q "^$s=" "$SYSCTL_SAVE" 2>/dev/null || echo "$s=$(sysctl -n "$s")" >>"$SYSCTL_SAVE"
  done
  sysctl -qw net.ipv4.ip_forward=1 net.bridge.bridge-nf-call-iptables=1 \
    net.ipv4.neigh.default.gc_thresh1="${NEIGH_THRESHOLDS[0]}" \
    net.ipv4.neigh.default.gc_thresh2="${NEIGH_THRESHOLDS[1]}" \
    net.ipv4.neigh.default.gc_thresh3="${NEIGH_THRESHOLDS[2]}"

  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link add "$BRIDGE" type bridge
  fi
  local addrs; addrs="$(ip -o -4 addr show dev "$BRIDGE")"
  [[ $addrs == *" $NODE_IP/16 "* ]] || ip addr add "$NODE_IP/16" dev "$BRIDGE"
  ip link set "$BRIDGE" up

  # Guard: pod traffic may only go to 198.18.0.0/15 (pods, services, node IP);
  # anything else is rejected before it could leave the machine.
  iptables -w -N "$GUARD_CHAIN" 2>/dev/null || true
  iptables -w -F "$GUARD_CHAIN"
  iptables -w -A "$GUARD_CHAIN" -s "$POD_CIDR" -d 198.18.0.0/15 -j RETURN
  iptables -w -A "$GUARD_CHAIN" -s "$POD_CIDR" -j REJECT --reject-with icmp-net-prohibited
  iptables -w -C FORWARD -j "$GUARD_CHAIN" 2>/dev/null || iptables -w -I FORWARD 1 -j "$GUARD_CHAIN"
}

# Remove every chain matching CHAIN_PREFIX_RE (and the rules jumping to them)
# from all tables, for iptables and ip6tables, legacy and nft backends.
# iptables front ends to look at. The legacy ones only when legacy tables are
# already loaded: merely running iptables-legacy-save would create them.
iptables_bins() {
  echo iptables ip6tables
  [[ -n "$(cat /proc/net/ip_tables_names 2>/dev/null)" ]] && echo iptables-legacy
  [[ -n "$(cat /proc/net/ip6_tables_names 2>/dev/null)" ]] && echo ip6tables-legacy
  return 0
}

cleanup_iptables() {
  local re="${1:-$CHAIN_PREFIX_RE}" bin table
  for bin in $(iptables_bins); do
    command -v "$bin" >/dev/null || continue
    command -v "$bin-save" >/dev/null || continue
    for table in filter nat mangle raw; do
      local dump filtered
      dump="$("$bin-save" -t "$table" 2>/dev/null)" || continue
      filtered="$(awk -v re="$re" '
        /^:/ { name = substr($1, 2); if (name ~ re) next }
        /^-A / {
          if ($2 ~ re) next
          for (i = 3; i <= NF; i++) if (($i == "-j" || $i == "-g") && $(i+1) ~ re) next
        }
        { print }' <<<"$dump")"
      [[ "$filtered" == "$dump" ]] && continue
      "$bin-restore" -w -T "$table" <<<"$filtered" 2>/dev/null \
        || "$bin-restore" -w <<<"$filtered" \
        || warn "$bin-restore failed for table $table"
    done
  done
}

cleanup_ipsets() {
  command -v ipset >/dev/null || return 0
  local re="${1:-$CHAIN_PREFIX_RE}" s
  for s in $(ipset list -n 2>/dev/null | grep -E "^(inet6:)?${re#^}" || true); do
    ipset destroy "$s" 2>/dev/null || warn "could not destroy ipset $s"
  done
}

teardown_network() {
  local l
  # veths of pods whose network namespace could not be released.
  for l in $(ip -o link show master "$BRIDGE" 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1); do
    ip link del "$l" 2>/dev/null || true
  done
  ip link del "$BRIDGE" 2>/dev/null || true
  iptables -w -D FORWARD -j "$GUARD_CHAIN" 2>/dev/null || true
  cleanup_iptables
  cleanup_ipsets
  if command -v conntrack >/dev/null; then
    conntrack -D -s "$POD_CIDR" >/dev/null 2>&1 || true
    conntrack -D -d "$POD_CIDR" >/dev/null 2>&1 || true
    conntrack -D -d "$SERVICE_CIDR" >/dev/null 2>&1 || true
  fi
  if [[ -f $SYSCTL_SAVE ]]; then
    while IFS='=' read -r k v; do sysctl -qw "$k=$v" || true; done <"$SYSCTL_SAVE"
    rm -f "$SYSCTL_SAVE"
  fi
}
