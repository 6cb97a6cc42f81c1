#!/usr/bin/env bash
# Bring up (idempotently) the single-node test cluster on this machine.
#   usage: test/cluster/up.sh [--enforcer kube-router|kube-network-policies|none]   (default: kube-router)
# See test/cluster/README.md.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$CLUSTER_SRC/lib/build.sh"
source "$CLUSTER_SRC/lib/pki.sh"
source "$CLUSTER_SRC/lib/network.sh"
source "$CLUSTER_SRC/lib/enforcer.sh"
source "$CLUSTER_SRC/lib/apiserver.sh"

ENFORCER="${NETPOL_ENFORCER:-}"
while (($#)); do
  case "$1" in
    --enforcer) ENFORCER="${2:-}"; shift 2 || die "--enforcer needs a value" ;;
    --enforcer=*) ENFORCER="${1#*=}"; shift ;;
    -h|--help) sed -n '2,4p' "$0"; exit 0 ;;
    *) die "unknown argument: $1" ;;
  esac
done
[[ -z $ENFORCER ]] && ENFORCER="$DEFAULT_ENFORCER"
validate_enforcer "$ENFORCER"

need_root
take_lock
T0=$SECONDS
mkdir -p "$LOGS" "$PIDS" "$CONF" "$RUN_DIR"

log "step 1/9: prerequisites, binaries and images (cache: $CACHE_DIR)"
build_all

log "step 2/9: certificates and kubeconfigs ($PKI)"
ensure_pki

log "step 3/9: host network ($BRIDGE $NODE_IP, sysctls, guard chain)"
setup_network

# ---------------------------------------------------------------- etcd
log "step 4/9: etcd, containerd"
mkdir -p "$NETPOL_CLUSTER_DIR/etcd"
chmod 700 "$NETPOL_CLUSTER_DIR/etcd"
start_daemon etcd etcd --name netpol --data-dir "$NETPOL_CLUSTER_DIR/etcd" \
  --listen-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" \
  --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-cluster "netpol=http://127.0.0.1:$ETCD_PEER_PORT" --listen-metrics-urls "" \
  --snapshot-count 10000 --quota-backend-bytes 2147483648 --unsafe-no-fsync --logger zap --log-level warn
wait_for "etcd healthy" 60 etcd curl -sf --max-time 2 "http://127.0.0.1:$ETCD_CLIENT_PORT/health"

# ---------------------------------------------------------------- containerd
write_containerd_config() {
  local reg="$CONF/containerd-certs.d" r
  # Any pull of an image that was not imported locally fails fast on this
  # machine instead of going to the internet.
  for r in docker.io registry.k8s.io quay.io gcr.io ghcr.io k8s.gcr.io registry-1.docker.io localhost; do
    mkdir -p "$reg/$r"
    printf 'server = "http://127.0.0.1:1"\n[host."http://127.0.0.1:1"]\n  capabilities = ["pull", "resolve"]\n' | write_if_changed "$reg/$r/hosts.toml"
  done
  write_if_changed "$CONF/containerd.toml" <<EOF
version = 2
root = "$NETPOL_CLUSTER_DIR/containerd/root"
state = "$RUN_DIR/containerd"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]

[grpc]
  address = "$CONTAINERD_SOCK"
[ttrpc]
  address = "$CONTAINERD_SOCK.ttrpc"
[debug]
  level = "warn"

[plugins."io.containerd.internal.v1.opt"]
  path = "$NETPOL_CLUSTER_DIR/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  netns_mounts_under_state_dir = true
  # CI sandboxes lack CAP_SYS_RESOURCE: never set oom_score_adj below our own.
  restrict_oom_score_adj = true
  enable_selinux = false
  disable_apparmor = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "$RUN_DIR/runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$NETPOL_CLUSTER_DIR/cni/net.d"
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "$reg"
EOF
}
write_cni_config() {
  mkdir -p "$NETPOL_CLUSTER_DIR/cni/net.d" "$NETPOL_CLUSTER_DIR/cni/ipam"
  write_if_changed "$NETPOL_CLUSTER_DIR/cni/net.d/10-netpol.conflist" <<EOF
{
  "cniVersion": "0.4.0",
  "name": "netpol",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$BRIDGE",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "dataDir": "$NETPOL_CLUSTER_DIR/cni/ipam",
        "ranges": [[{ "subnet": "$POD_CIDR", "rangeStart": "198.18.1.1", "rangeEnd": "198.18.255.254", "gateway": "$NODE_IP" }]],
        "routes": [{ "dst": "0.0.0.0/0" }]
      }
    },
    { "type": "portmap", "capabilities": { "portMappings": true } }
  ]
}
EOF
}
write_containerd_config
write_cni_config
mkdir -p "$NETPOL_CLUSTER_DIR/containerd"
# containerd 1.6 shims always put their sockets in /run/containerd/s; remember
# whether that directory is ours so `down` can remove it again.
[[ -e /run/containerd ]] || touch "$NETPOL_CLUSTER_DIR/created-run-containerd"
start_daemon containerd containerd --config "$CONF/containerd.toml"
wait_for "containerd socket" 60 containerd timeout 5 ctr --address "$CONTAINERD_SOCK" version

import_image() {
  local ref="$1" tar="$2"
  if ! ctr_k8s images ls -q 2>/dev/null | grep -qxF "$ref"; then
    log "importing $ref"
    ctr_k8s images import "$tar" >>"$LOGS/containerd.log" 2>&1 || fail_component containerd "importing $ref failed"
  fi
}
import_image "$PAUSE_IMAGE" "$IMAGES_DIR/pause.tar"
import_image "$COREDNS_IMAGE" "$IMAGES_DIR/coredns-$COREDNS_VERSION.tar"
import_image "$NETSHOOT_IMAGE" "$IMAGES_DIR/netshoot.tar"

# ---------------------------------------------------------------- control plane
log "step 5/9: kube-apiserver, kube-controller-manager, kube-scheduler ($K8S_VERSION)"
start_apiserver

start_daemon kube-controller-manager "$K8S_BIN/kube-controller-manager" \
  --kubeconfig "$CONF/controller-manager.kubeconfig" \
  --authentication-kubeconfig "$CONF/controller-manager.kubeconfig" --authorization-kubeconfig "$CONF/controller-manager.kubeconfig" \
  --bind-address 127.0.0.1 --leader-elect=false --use-service-account-credentials=true \
  --service-account-private-key-file "$PKI/sa.key" --root-ca-file "$PKI/ca.crt" \
  --cluster-signing-cert-file "$PKI/ca.crt" --cluster-signing-key-file "$PKI/ca.key" \
  --service-cluster-ip-range "$SERVICE_CIDR" --allocate-node-cidrs=false \
  --concurrent-gc-syncs 5 --profiling=false -v 1
start_daemon kube-scheduler "$K8S_BIN/kube-scheduler" \
  --kubeconfig "$CONF/scheduler.kubeconfig" \
  --authentication-kubeconfig "$CONF/scheduler.kubeconfig" --authorization-kubeconfig "$CONF/scheduler.kubeconfig" \
  --bind-address 127.0.0.1 --leader-elect=false --profiling=false -v 1
wait_for "kube-controller-manager /healthz" 60 kube-controller-manager curl -skf --max-time 2 https://127.0.0.1:10257/healthz
wait_for "kube-scheduler /healthz" 60 kube-scheduler curl -skf --max-time 2 https://127.0.0.1:10259/healthz

# ---------------------------------------------------------------- node
log "step 6/9: kubelet, kube-proxy (node $NODE_NAME, $NODE_IP)"
mkdir -p "$NETPOL_CLUSTER_DIR/kubelet" "$NETPOL_CLUSTER_DIR/pod-logs"
write_if_changed "$CONF/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NODE_IP
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
authentication:
  anonymous: { enabled: false }
  webhook: { enabled: true }
  x509: { clientCAFile: $PKI/ca.crt }
authorization:
  mode: Webhook
tlsCertFile: $PKI/kubelet-serving.crt
tlsPrivateKeyFile: $PKI/kubelet-serving.key
containerRuntimeEndpoint: unix://$CONTAINERD_SOCK
cgroupDriver: cgroupfs
failCgroupV1: false
failSwapOn: false
clusterDNS: [$DNS_SVC_IP]
clusterDomain: cluster.local
resolvConf: ""
podLogsDir: $NETPOL_CLUSTER_DIR/pod-logs
serializeImagePulls: false
maxPods: 110
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: { memory.available: "100Mi", nodefs.available: "1%", imagefs.available: "1%" }
nodeStatusUpdateFrequency: 5s
syncFrequency: 10s
fileCheckFrequency: 10s
shutdownGracePeriod: 0s
localStorageCapacityIsolation: true
protectKernelDefaults: false
makeIPTablesUtilChains: true
EOF
start_daemon kubelet "$K8S_BIN/kubelet" \
  --config "$CONF/kubelet.yaml" --kubeconfig "$CONF/kubelet.kubeconfig" \
  --root-dir "$NETPOL_CLUSTER_DIR/kubelet" --cert-dir "$NETPOL_CLUSTER_DIR/kubelet/pki" \
  --hostname-override "$NODE_NAME" --node-ip "$NODE_IP" --pod-infra-container-image "$PAUSE_IMAGE" -v 1

write_if_changed "$CONF/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
clusterCIDR: $POD_CIDR
hostnameOverride: $NODE_NAME
bindAddress: 127.0.0.1
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
nodePortAddresses: ["$NODE_IP/32"]
clientConnection:
  kubeconfig: $CONF/kube-proxy.kubeconfig
conntrack:
  maxPerCore: 0
  min: 0
  tcpEstablishedTimeout: 0s
  tcpCloseWaitTimeout: 0s
iptables:
  localhostNodePorts: false
  masqueradeAll: false
  syncPeriod: 30s
  minSyncPeriod: 0s
EOF
start_daemon kube-proxy "$K8S_BIN/kube-proxy" --config "$CONF/kube-proxy.yaml" -v 1

node_ready() {
  kcurl "/api/v1/nodes/$NODE_NAME" | node -e '
    let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const n=JSON.parse(s);
    const c=(n.status.conditions||[]).find(c=>c.type==="Ready");process.exit(c&&c.status==="True"?0:1)})'
}
wait_for "node $NODE_NAME Ready" 120 kubelet node_ready
wait_for "kube-proxy /healthz" 60 kube-proxy curl -sf --max-time 2 http://127.0.0.1:10256/healthz

# ---------------------------------------------------------------- addons
log "step 7/9: CoreDNS ($COREDNS_IMAGE, Service kube-dns $DNS_SVC_IP)"
node "$CLUSTER_SRC/lib/apply.mjs" "$KUBECONFIG_ADMIN" "$CLUSTER_SRC/manifests/coredns.yaml" \
  --set "COREDNS_IMAGE=$COREDNS_IMAGE" --set "DNS_SVC_IP=$DNS_SVC_IP" >>"$LOGS/addons.log" 2>&1 \
  || { show_log addons; die "applying CoreDNS manifests failed"; }
coredns_ready() {
  kcurl "/api/v1/namespaces/kube-system/pods?labelSelector=k8s-app%3Dkube-dns" | node -e '
    let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const l=JSON.parse(s).items;
    const ok=l.some(p=>!p.metadata.deletionTimestamp&&(p.status.conditions||[]).some(c=>c.type==="Ready"&&c.status==="True"));process.exit(ok?0:1)})'
}
wait_for "CoreDNS pod Ready" 120 kubelet coredns_ready
wait_for "default service account in namespace default" 60 kube-controller-manager \
  kcurl /api/v1/namespaces/default/serviceaccounts/default

log "step 8/9: AdminNetworkPolicy and BaselineAdminNetworkPolicy CRDs (network-policy-api $ANP_API_VERSION)"
for crd in "$ANP_CRD_DIR"/*.yaml; do
  node "$CLUSTER_SRC/lib/apply.mjs" "$KUBECONFIG_ADMIN" "$crd" >>"$LOGS/addons.log" 2>&1 \
    || { show_log addons; die "applying $(basename "$crd") failed"; }
done
crds_established() {
  local name
  for name in adminnetworkpolicies baselineadminnetworkpolicies; do
    kcurl "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/$name.policy.networking.k8s.io" | node -e '
      let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const c=JSON.parse(s);
      process.exit((c.status?.conditions||[]).some(x=>x.type==="Established"&&x.status==="True")?0:1)})' || return 1
  done
}
wait_for "admin policy CRDs established" 60 kube-apiserver crds_established

# ---------------------------------------------------------------- enforcer
log "step 9/9: NetworkPolicy enforcer: $ENFORCER"
set_enforcer "$ENFORCER"

log "cluster is up in $((SECONDS - T0))s  (enforcer: $(cat "$ENFORCER_FILE"))"
log "  export KUBECONFIG=$KUBECONFIG_ADMIN   # API: https://127.0.0.1:$API_PORT"
