#!/usr/bin/env bash
# Check that `cluster:down` left nothing behind: processes, interfaces, mounts,
# iptables chains/rules, ipsets, nft tables, nfqueues, cgroups, netns, sysctl changes.
# Prints every leftover and exits non-zero when there is any.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$CLUSTER_SRC/lib/network.sh"
source "$CLUSTER_SRC/lib/enforcer.sh"

left=0
report() { echo "LEFTOVER: $*"; left=1; }

for c in "${COMPONENTS[@]}" kube-router kube-network-policies; do
  is_running "$c" && report "process $c (pid $(pid_of "$c"))"
done
for d in /proc/[0-9]*; do
  cmd="$(tr '\0' ' ' <"$d/cmdline" 2>/dev/null)" || continue
  case "$cmd" in
    *"$NETPOL_CLUSTER_DIR"*|*"$RUN_DIR"*|*"$CACHE_DIR"/k8s-*|*"$CACHE_DIR"/kube-router-*|*"$CACHE_DIR"/kube-network-policies-*) report "process ${d#/proc/}: ${cmd:0:160}" ;;
  esac
done
ip link show "$BRIDGE" >/dev/null 2>&1 && report "interface $BRIDGE"
while read -r l; do report "interface $l"; done < <(ip -o link show type veth 2>/dev/null | awk -F': ' '{print $2}')
ip -o addr show 2>/dev/null | grep -q ' 198\.1[89]\.' && report "address in 198.18.0.0/15: $(ip -o addr show | grep ' 198\.1[89]\.')"
while read -r m; do report "mount $m"; done < <(awk -v a="$NETPOL_CLUSTER_DIR" -v b="$RUN_DIR" \
  'index($2, a) == 1 || index($2, b) == 1 || $2 ~ /^\/run\/netns\/cni-/ || $2 ~ /^\/run\/containerd/ {print $2}' /proc/self/mounts)
for bin in $(iptables_bins); do
  command -v "$bin-save" >/dev/null || continue
  while read -r l; do report "$bin: $l"; done < <("$bin-save" 2>/dev/null | grep -E "^:${CHAIN_PREFIX_RE#^}|-j ${CHAIN_PREFIX_RE#^}|^-A ${CHAIN_PREFIX_RE#^}")
done
if command -v ipset >/dev/null; then
  while read -r s; do report "ipset $s"; done < <(ipset list -n 2>/dev/null | grep -E "^(inet6:)?${CHAIN_PREFIX_RE#^}" || true)
fi
# kube-network-policies' nft tables (iptables-save does not show native nft tables) and its queues.
if command -v nft >/dev/null; then
  for table in "$KNP_NFT_TABLE" "$KNP_DNS_NFT_TABLE"; do
    nft list tables 2>/dev/null | grep -qx "table inet $table" && report "nft table inet $table"
  done
fi
for queue in "$KNP_QUEUE" "$KNP_DNS_QUEUE"; do
  queue_bound "$queue" && report "nfqueue $queue still bound"
done
for ctl in /sys/fs/cgroup/*/kubepods /sys/fs/cgroup/*/k8s.io; do [[ -d $ctl ]] && report "cgroup $ctl"; done
[[ -e $RUN_DIR ]] && report "runtime dir $RUN_DIR"
[[ -f $NETPOL_CLUSTER_DIR/sysctl.orig ]] && report "sysctls not restored ($NETPOL_CLUSTER_DIR/sysctl.orig)"
[[ -f $NETPOL_CLUSTER_DIR/created-run-containerd && -e /run/containerd ]] && report "/run/containerd (created by the cluster's shims)"
for d in /run/containerd/s; do [[ -n "$(ls -A "$d" 2>/dev/null)" ]] && report "shim sockets in $d"; done
if ((left)); then echo "verify-clean: FAILED"; exit 1; fi
echo "verify-clean: OK (nothing left behind)"
