#!/usr/bin/env bash
# Stop the test cluster and remove everything it created on this machine
# (processes, containers, mounts, interfaces, iptables chains, ipsets, cgroups,
# sysctl changes, runtime state). Keeps the build cache ($CACHE_DIR) and the
# PKI (CA, keys, kubeconfigs) for a fast next `up`.
#   usage: test/cluster/down.sh [--purge]   (--purge also deletes $NETPOL_CLUSTER_DIR)
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$CLUSTER_SRC/lib/network.sh"
source "$CLUSTER_SRC/lib/enforcer.sh"

PURGE=0
[[ ${1:-} == --purge ]] && PURGE=1
need_root
take_lock
T0=$SECONDS
log "stopping cluster ($NETPOL_CLUSTER_DIR)"

log "stopping enforcer"
stop_enforcer

log "stopping kubelet"
# kubelet first so it does not restart containers while we remove them.
stop_daemon kubelet 20

# Remove all pod containers/sandboxes through containerd while it still runs.
log "removing pod containers"
if is_running containerd && timeout 5 ctr --address "$CONTAINERD_SOCK" version >/dev/null 2>&1; then
  mapfile -t tasks < <(ctr_k8s tasks ls -q 2>/dev/null)
  for t in "${tasks[@]}"; do ctr_k8s tasks kill -s SIGKILL "$t" >/dev/null 2>&1 || true; done
  for t in "${tasks[@]}"; do
    for _ in $(seq 1 50); do
      ctr_k8s tasks delete "$t" >/dev/null 2>&1 && break
      ctr_k8s tasks ls -q 2>/dev/null | grep -qxF "$t" || break
      sleep 0.1
    done
  done
  mapfile -t ctrs < <(ctr_k8s containers ls -q 2>/dev/null)
  for c in "${ctrs[@]}"; do ctr_k8s containers delete "$c" >/dev/null 2>&1 || true; done
fi

log "stopping kube-proxy, kube-scheduler, kube-controller-manager, kube-apiserver"
stop_daemons 20 kube-proxy kube-scheduler kube-controller-manager kube-apiserver
log "stopping containerd, etcd"
stop_daemons 20 containerd etcd

# Leftover shims (and their containers) of our containerd, by pid.
for pid in $(our_shim_pids); do
  for child in $(children_of "$pid"); do kill -KILL "$child" 2>/dev/null || true; done
  kill -KILL "$pid" 2>/dev/null || true
done

log "cleaning up iptables, mounts, interfaces, cgroups"
# iptables state of kube-proxy (and everything else the cluster created).
if [[ -x $K8S_BIN/kube-proxy ]]; then
  "$K8S_BIN/kube-proxy" --cleanup >"$LOGS/kube-proxy-cleanup.log" 2>&1 || true
fi

umount_under "$RUN_DIR"
umount_under "$NETPOL_CLUSTER_DIR"
teardown_network

# cgroups created by kubelet/runc (cgroupfs driver).
for cg in /sys/fs/cgroup/*/kubepods /sys/fs/cgroup/*/k8s.io; do
  [[ -d $cg ]] || continue
  find "$cg" -depth -type d -exec rmdir {} \; 2>/dev/null || true
done
if [[ -f $NETPOL_CLUSTER_DIR/created-run-containerd ]]; then
  rm -rf /run/containerd
  rm -f "$NETPOL_CLUSTER_DIR/created-run-containerd"
fi

rm -rf "$RUN_DIR" "$NETPOL_CLUSTER_DIR/etcd" "$NETPOL_CLUSTER_DIR/kubelet" "$NETPOL_CLUSTER_DIR/pod-logs" \
  "$NETPOL_CLUSTER_DIR/cni" "$PIDS" "$ENFORCER_FILE"
# containerd's root (images are re-imported from the cache by `up`, ~5 s).
rm -rf "$NETPOL_CLUSTER_DIR/containerd"
((PURGE)) && rm -rf "$NETPOL_CLUSTER_DIR"

log "cluster stopped in $((SECONDS - T0))s"
