# shellcheck shell=bash
# Shared settings and helpers for the kubectl-netpol local test cluster.
# Sourced by up.sh, down.sh, status.sh and verify-clean.sh.

CLUSTER_SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"   # test/cluster
REPO_ROOT="$(cd "$CLUSTER_SRC/../.." && pwd)"
# lib/apply.mjs loads @kubernetes/client-node 2, which needs Node >= 22.19: use the Node of the
# `node` devDependency also when a script runs outside npm (whose scripts put it first on PATH).
if [[ -x $REPO_ROOT/node_modules/.bin/node ]]; then PATH="$REPO_ROOT/node_modules/.bin:$PATH"; fi

# ---- pinned versions ------------------------------------------------------
K8S_VERSION="v1.33.13"          # k8s.io/kubernetes module (kubelet still runs on cgroup v1)
COREDNS_VERSION="v1.12.4"       # github.com/coredns/coredns module
KUBE_ROUTER_VERSION="v2.1.0"    # github.com/cloudnativelabs/kube-router/v2 module (the version the proxy serves)
KNP_VERSION="v0.8.0"            # sigs.k8s.io/kube-network-policies module (newer ones: refused by the proxy, or need conntrack glue)
PAUSE_IMAGE="registry.k8s.io/pause:3.10"
NETSHOOT_IMAGE="docker.io/nicolaka/netshoot:v0.13"
COREDNS_IMAGE="localhost/kubectl-netpol/coredns:${COREDNS_VERSION}"
DEBIAN_SUITE="bookworm"
# Bump when the contents of a locally built image change, to invalidate caches.
IMAGE_REV="1"

# ---- locations --------------------------------------------------------------
NETPOL_CLUSTER_DIR="${NETPOL_CLUSTER_DIR:-$REPO_ROOT/.cluster}"
mkdir -p "$NETPOL_CLUSTER_DIR"
NETPOL_CLUSTER_DIR="$(cd "$NETPOL_CLUSTER_DIR" && pwd)"
export NETPOL_CLUSTER_DIR
CACHE_DIR="${NETPOL_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-netpol}"
# Short, fixed runtime dir for unix sockets and containerd state (socket paths
# are limited to 108 bytes, the repo may live deep in the file system).
RUN_DIR="${NETPOL_RUN_DIR:-/run/kubectl-netpol}"

PKI="$NETPOL_CLUSTER_DIR/pki"
LOGS="$NETPOL_CLUSTER_DIR/logs"
PIDS="$NETPOL_CLUSTER_DIR/pids"
CONF="$NETPOL_CLUSTER_DIR/conf"
KUBECONFIG_ADMIN="$NETPOL_CLUSTER_DIR/kubeconfig"
ENFORCER_FILE="$NETPOL_CLUSTER_DIR/enforcer"
K8S_BIN="$CACHE_DIR/k8s-$K8S_VERSION/bin"
COREDNS_BIN="$CACHE_DIR/coredns-$COREDNS_VERSION/bin"
KUBE_ROUTER_BIN="$CACHE_DIR/kube-router-$KUBE_ROUTER_VERSION/bin"
KNP_DIR="$CACHE_DIR/kube-network-policies-$KNP_VERSION"   # patched source copy (src/) and bin/
KNP_BIN="$KNP_DIR/bin"
KNP_NFT_TABLE="kube-network-policies"   # its nft table (family inet)
KNP_QUEUE=100                           # its nfqueue number
# With --admin-network-policy, its DNS answer cache (ANP domainNames) keeps a second table and queue.
KNP_DNS_NFT_TABLE="kube-network-policies-dnscache"
KNP_DNS_QUEUE=$((KNP_QUEUE + 1))
ANP_API_VERSION="v0.1.6-0.20250401132235-45061d10895e"  # sigs.k8s.io/network-policy-api, as kube-network-policies v0.8.0 requires
ANP_CRD_DIR="$CACHE_DIR/network-policy-api-$ANP_API_VERSION/crd"   # its experimental CRDs (ANP, BANP)
IMAGES_DIR="$CACHE_DIR/images-r$IMAGE_REV"
CONTAINERD_SOCK="$RUN_DIR/containerd.sock"

# ---- network ---------------------------------------------------------------
BRIDGE="netpol0"
NODE_IP="198.18.0.1"
POD_CIDR="198.18.0.0/16"
SERVICE_CIDR="198.19.0.0/16"
KUBERNETES_SVC_IP="198.19.0.1"
DNS_SVC_IP="198.19.0.10"
NODE_NAME="netpol-node"
API_PORT=6443
ETCD_CLIENT_PORT=12379
ETCD_PEER_PORT=12380
GUARD_CHAIN="NETPOL-HARNESS-GUARD"

# Every daemon the harness runs, in start order.
COMPONENTS=(etcd containerd kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy)

log()  { printf '\033[1;34m[cluster %s]\033[0m %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
warn() { printf '\033[1;33m[cluster %s] WARN:\033[0m %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die()  { printf '\033[1;31m[cluster %s] ERROR:\033[0m %s\n' "$(date +%H:%M:%S)" "$*" >&2; exit 1; }

# Print the last lines of a component's log (used on failures).
show_log() {
  local c="$1" n="${2:-30}"
  if [[ -f "$LOGS/$c.log" ]]; then
    printf -- '----- last %s lines of %s -----\n' "$n" "$LOGS/$c.log" >&2
    tail -n "$n" "$LOGS/$c.log" >&2
    printf -- '-----\n' >&2
  fi
}
fail_component() { show_log "$1"; die "$1: $2"; }

pid_of() { local f="$PIDS/$1.pid"; [[ -f "$f" ]] && cat "$f"; }
is_running() {
  local pid; pid="$(pid_of "$1")" || return 1
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null
}

# start_daemon NAME CMD...   -- start in its own session, log + pid file.
start_daemon() {
  local name="$1"; shift
  mkdir -p "$LOGS" "$PIDS"
  if is_running "$name"; then return 0; fi
  printf '\n===== %s starting at %s =====\n' "$name" "$(date -u +%FT%TZ)" >>"$LOGS/$name.log"
  # The daemon must not inherit descriptors beyond stdio: a lock held by whoever called `up`
  # (`flock FILE bash -c 'up.sh …'`, or .cluster/.lock on fd 9) would stay held as long as it runs.
  (
    for fd in /proc/$BASHPID/fd/*; do fd="${fd##*/}"; ((fd > 2)) && eval "exec $fd>&-"; done
    exec setsid "$@" >>"$LOGS/$name.log" 2>&1 </dev/null
  ) &
  echo $! >"$PIDS/$name.pid"
}

# stop_daemon NAME [timeout-seconds]
stop_daemon() {
  local name="$1" t="${2:-15}" pid i
  pid="$(pid_of "$name")" || return 0
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < t * 10; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then warn "$name did not stop, killing"; kill -KILL "$pid" 2>/dev/null || true; sleep 0.2; fi
  fi
  rm -f "$PIDS/$name.pid"
}

# stop_daemons TIMEOUT NAME...  -- SIGTERM all at once, wait, SIGKILL stragglers.
stop_daemons() {
  local t="$1" name pid i alive; shift
  local -a pids=()
  for name in "$@"; do
    pid="$(pid_of "$name")" || continue
    [[ -n $pid ]] && kill -TERM "$pid" 2>/dev/null && pids+=("$pid")
  done
  for ((i = 0; i < t * 10; i++)); do
    alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    ((alive)) || break
    sleep 0.1
  done
  for name in "$@"; do stop_daemon "$name" 1; done
}

# wait_for DESCRIPTION TIMEOUT_S COMPONENT CMD...   -- bounded polling.
wait_for() {
  local desc="$1" timeout="$2" comp="$3"; shift 3
  local deadline=$((SECONDS + timeout))
  while ((SECONDS < deadline)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    if [[ -n "$comp" && "$comp" != "-" ]] && ! is_running "$comp"; then
      fail_component "$comp" "exited while waiting for: $desc"
    fi
    sleep 0.5
  done
  [[ -n "$comp" && "$comp" != "-" ]] && show_log "$comp"
  die "timed out after ${timeout}s waiting for: $desc"
}

# kcurl PATH [curl args...] -- call the API server as cluster admin.
kcurl() {
  local path="$1"; shift
  curl -sS --fail-with-body --max-time 10 --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key" \
    "https://127.0.0.1:$API_PORT$path" "$@"
}

ctr_k8s() { timeout 60 ctr --address "$CONTAINERD_SOCK" --namespace k8s.io "$@"; }

# Unmount anything mounted below a directory (deepest first).
umount_under() {
  local dir="$1" m
  dir="$(realpath -m "$dir")"
  while read -r m; do
    umount -l "$m" 2>/dev/null || true
  done < <(awk -v d="$dir" '$2 == d || index($2, d "/") == 1 {print $2}' /proc/self/mounts | sort -r)
}

# PIDs of containerd shims started by the harness' containerd (matched on its
# private socket path, which nothing else uses).
our_shim_pids() {
  local d cmd
  for d in /proc/[0-9]*; do
    cmd="$(tr '\0' ' ' <"$d/cmdline" 2>/dev/null)" || continue
    [[ $cmd == *containerd-shim* && $cmd == *"$CONTAINERD_SOCK"* ]] && echo "${d#/proc/}"
  done
  return 0
}
children_of() {
  local d
  for d in /proc/[0-9]*; do
    [[ "$(awk '{print $4}' "$d/stat" 2>/dev/null)" == "$1" ]] && echo "${d#/proc/}"
  done
  return 0
}

# write_if_changed FILE < content  -- keeps the file (and its mtime) when the
# content is the same; kube-proxy exits when its config file is rewritten.
write_if_changed() {
  local f="$1" tmp
  tmp="$(mktemp "$f.XXXX")"
  cat >"$tmp"
  if [[ -f $f ]] && cmp -s "$tmp" "$f"; then rm -f "$tmp"; else mv -f "$tmp" "$f"; fi
}

# Serialise up/down (several people/tests may call them at once).
take_lock() {
  exec 9>"$NETPOL_CLUSTER_DIR/.lock"
  if ! flock -n 9; then
    log "another cluster:up/down is running; waiting for it (max 15 min)"
    flock -w 900 9 || die "could not get $NETPOL_CLUSTER_DIR/.lock"
  fi
}

need_root() { [[ $(id -u) -eq 0 ]] || die "must run as root (the harness manages network interfaces, iptables and containerd)"; }
