# shellcheck shell=bash
# Prerequisites, binaries and images for the local test cluster.
# Everything expensive is cached in $CACHE_DIR keyed by version; a stamp file
# marks a finished build, so an interrupted build is simply redone.

APT_PACKAGES=(containerd runc containernetworking-plugins etcd-server debootstrap iptables ipset conntrack socat curl openssl iproute2 gcc libc6-dev python3 nftables patch)

ensure_apt() {
  local missing=() p
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  ((${#missing[@]} == 0)) && return 0
  log "installing apt packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >"$LOGS/apt.log" 2>&1 || { tail -30 "$LOGS/apt.log"; die "apt-get update failed"; }
  # policy-rc.d keeps the Debian packages from starting their own etcd/containerd.
  local prc=/usr/sbin/policy-rc.d created_prc=0
  if [[ ! -e $prc ]]; then printf '#!/bin/sh\nexit 101\n' >$prc; chmod +x $prc; created_prc=1; fi
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >>"$LOGS/apt.log" 2>&1 || {
    ((created_prc)) && rm -f $prc; tail -30 "$LOGS/apt.log"; die "apt-get install failed"; }
  ((created_prc)) && rm -f $prc
  return 0
}

go_env() {
  command -v go >/dev/null || die "go is required (Go >= 1.24) to build the cluster binaries"
  export CGO_ENABLED=0 GOFLAGS="-buildvcs=false -mod=mod" GOTOOLCHAIN=local
}

# k8s server binaries, one `go build` so shared packages compile once.
build_k8s() {
  local stamp="$K8S_BIN/.done"
  [[ -f $stamp ]] && return 0
  go_env
  local minor="${K8S_VERSION#v1.}"; minor="${minor%%.*}"
  local ld="-s -w" k
  for k in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
    ld+=" -X '$k.gitVersion=$K8S_VERSION' -X '$k.gitMajor=1' -X '$k.gitMinor=$minor'"
    ld+=" -X '$k.gitTreeState=clean' -X '$k.buildDate=1970-01-01T00:00:00Z'"
  done
  log "building Kubernetes $K8S_VERSION server binaries (cold build takes ~7 min on 2 cores; log: $LOGS/build-k8s.log)"
  mkdir -p "$K8S_BIN"
  local t0=$SECONDS
  (cd "$CLUSTER_SRC/build/k8s" && go build -p "$(nproc)" -trimpath -ldflags="$ld" -o "$K8S_BIN/" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubelet k8s.io/kubernetes/cmd/kube-proxy) \
    >"$LOGS/build-k8s.log" 2>&1 || { tail -30 "$LOGS/build-k8s.log"; die "Kubernetes build failed"; }
  touch "$stamp"
  log "Kubernetes binaries built in $((SECONDS - t0))s"
}

build_coredns() {
  local stamp="$COREDNS_BIN/.done"
  [[ -f $stamp ]] && return 0
  go_env
  log "building CoreDNS $COREDNS_VERSION (log: $LOGS/build-coredns.log)"
  mkdir -p "$COREDNS_BIN"
  local t0=$SECONDS
  (cd "$CLUSTER_SRC/build/coredns" && go build -p "$(nproc)" -trimpath \
    -ldflags="-s -w -X 'github.com/coredns/coredns/coremain.GitCommit=$COREDNS_VERSION'" -o "$COREDNS_BIN/coredns" .) \
    >"$LOGS/build-coredns.log" 2>&1 || { tail -30 "$LOGS/build-coredns.log"; die "CoreDNS build failed"; }
  touch "$stamp"
  log "CoreDNS built in $((SECONDS - t0))s"
}

debian_mirror() {
  local m=""
  if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
    m="$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)"
  fi
  if [[ -z $m && -f /etc/apt/sources.list ]]; then
    m="$(awk '$1=="deb" && $0 !~ /security/ {for(i=2;i<=NF;i++) if ($i ~ /^https?:/) {print $i; exit}}' /etc/apt/sources.list)"
  fi
  echo "${m:-http://deb.debian.org/debian}"
}

build_images() {
  mkdir -p "$IMAGES_DIR"
  local mk="$CLUSTER_SRC/lib/mkimage.py" tmp

  if [[ ! -f $IMAGES_DIR/pause.tar ]]; then
    log "building pause image $PAUSE_IMAGE"
    tmp="$(mktemp -d "$IMAGES_DIR/pause.XXXX")"
    mkdir -p "$tmp/rootfs"
    gcc -Os -static -o "$tmp/rootfs/pause" "$CLUSTER_SRC/images/pause/pause.c" || die "compiling pause failed"
    python3 "$mk" --rootfs "$tmp/rootfs" --tag "$PAUSE_IMAGE" --out "$IMAGES_DIR/pause.tar" \
      --entrypoint '["/pause"]' --user 65535:65535 >/dev/null
    rm -rf "$tmp"
  fi

  if [[ ! -f $IMAGES_DIR/coredns-$COREDNS_VERSION.tar ]]; then
    log "building CoreDNS image $COREDNS_IMAGE"
    tmp="$(mktemp -d "$IMAGES_DIR/coredns.XXXX")"
    mkdir -p "$tmp/rootfs/etc/coredns"
    cp "$COREDNS_BIN/coredns" "$tmp/rootfs/coredns" || die "CoreDNS binary missing"
    printf 'root:x:0:0:root:/:/coredns\nnobody:x:65534:65534:nobody:/:/coredns\n' >"$tmp/rootfs/etc/passwd"
    printf 'root:x:0:\nnogroup:x:65534:\n' >"$tmp/rootfs/etc/group"
    python3 "$mk" --rootfs "$tmp/rootfs" --tag "$COREDNS_IMAGE" --out "$IMAGES_DIR/coredns-$COREDNS_VERSION.tar" \
      --entrypoint '["/coredns"]' >/dev/null
    rm -rf "$tmp"
  fi

  if [[ ! -f $IMAGES_DIR/netshoot.tar ]]; then
    local rootfs="$CACHE_DIR/rootfs-netshoot-$DEBIAN_SUITE-r$IMAGE_REV"
    if [[ ! -f $rootfs/.done ]]; then
      local mirror; mirror="$(debian_mirror)"
      log "debootstrapping $DEBIAN_SUITE (minbase) for $NETSHOOT_IMAGE from $mirror (~3-5 min; log: $LOGS/debootstrap.log)"
      rm -rf "$rootfs"
      local t0=$SECONDS
      debootstrap --variant=minbase \
        --include=bash,coreutils,curl,netcat-openbsd,ncat,socat,dnsutils,iproute2,tcpdump,iputils-ping,procps \
        "$DEBIAN_SUITE" "$rootfs" "$mirror" >"$LOGS/debootstrap.log" 2>&1 || {
          tail -30 "$LOGS/debootstrap.log"; umount_under "$rootfs"; die "debootstrap failed"; }
      umount_under "$rootfs"
      rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* \
        "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* \
        "$rootfs"/usr/share/locale/* "$rootfs"/var/log/* 2>/dev/null || true
      : >"$rootfs/etc/resolv.conf"
      echo netshoot >"$rootfs/etc/hostname"
      touch "$rootfs/.done"
      log "rootfs ready in $((SECONDS - t0))s"
    fi
    log "packing $NETSHOOT_IMAGE"
    python3 "$mk" --rootfs "$rootfs" --tag "$NETSHOOT_IMAGE" --out "$IMAGES_DIR/netshoot.tar" \
      --cmd '["/bin/bash"]' --workdir /root >/dev/null
  fi
}

# kube-router, built through a wrapper module (see build/kube-router/README.md).
build_kube_router() {
  local stamp="$KUBE_ROUTER_BIN/.done"
  [[ -f $stamp ]] && return 0
  go_env
  log "building kube-router $KUBE_ROUTER_VERSION (log: $LOGS/build-kube-router.log)"
  mkdir -p "$KUBE_ROUTER_BIN"
  local t0=$SECONDS
  (cd "$CLUSTER_SRC/build/kube-router" && GONOSUMDB=github.com/cloudnativelabs/kube-router go build -p "$(nproc)" -trimpath \
    -ldflags="-s -w" -o "$KUBE_ROUTER_BIN/kube-router" github.com/cloudnativelabs/kube-router/v2/cmd/kube-router) \
    >"$LOGS/build-kube-router.log" 2>&1 || { tail -30 "$LOGS/build-kube-router.log"; die "kube-router build failed"; }
  touch "$stamp"
  log "kube-router built in $((SECONDS - t0))s"
}

# kube-network-policies: the module (hash pinned by the wrapper's go.sum) is copied out of the
# module cache, patched (build/kube-network-policies/*.patch says why) and built from the copy.
# The stamp holds the patch's checksum, so editing the patch rebuilds.
build_kube_network_policies() {
  local wrapper="$CLUSTER_SRC/build/kube-network-policies" stamp="$KNP_BIN/.done"
  local patchfile="$wrapper/$KNP_VERSION.patch" sum
  sum="$(sha256sum "$patchfile" | cut -d' ' -f1)"
  [[ -f $stamp && "$(cat "$stamp")" == "$sum" ]] && return 0
  go_env
  log "building kube-network-policies $KNP_VERSION (patched; log: $LOGS/build-kube-network-policies.log)"
  local t0=$SECONDS src="$KNP_DIR/src" mod="$KNP_DIR/module"
  {
    local dir
    dir="$(cd "$wrapper" && go mod download -json sigs.k8s.io/kube-network-policies | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
    [[ -d $dir ]] || { echo "module directory not found"; false; } &&
    rm -rf "$src" "$mod" && mkdir -p "$KNP_DIR" "$mod" "$KNP_BIN" &&
    cp -r "$dir" "$src" && chmod -R u+w "$src" &&
    patch -p1 --forward --no-backup-if-mismatch -d "$src" <"$patchfile" &&
    cp "$wrapper/go.mod" "$wrapper/go.sum" "$mod/" &&
    (cd "$mod" && go mod edit -replace "sigs.k8s.io/kube-network-policies=$src" &&
      go build -p "$(nproc)" -trimpath -ldflags="-s -w" -o "$KNP_BIN/kube-network-policies" \
        sigs.k8s.io/kube-network-policies/cmd)
  } >"$LOGS/build-kube-network-policies.log" 2>&1 || {
    tail -30 "$LOGS/build-kube-network-policies.log"; die "kube-network-policies build failed"; }
  echo "$sum" >"$stamp"
  log "kube-network-policies built in $((SECONDS - t0))s"
}

# The AdminNetworkPolicy / BaselineAdminNetworkPolicy CRDs (policy.networking.k8s.io/v1alpha1), from
# the network-policy-api module kube-network-policies requires (its hash is in the wrapper's go.sum).
# The experimental channel: it has the fields kube-network-policies implements (nodes, networks,
# namedPort, domainNames). Copied into the cache so that `up` applies the same files every time.
copy_admin_policy_crds() {
  [[ -f $ANP_CRD_DIR/.done ]] && return 0
  go_env
  local dir
  dir="$(cd "$CLUSTER_SRC/build/kube-network-policies" && go mod download -json sigs.k8s.io/network-policy-api | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [[ -d $dir/config/crd/experimental ]] || die "network-policy-api module not found (go mod download sigs.k8s.io/network-policy-api)"
  mkdir -p "$ANP_CRD_DIR"
  cp "$dir"/config/crd/experimental/policy.networking.k8s.io_*.yaml "$ANP_CRD_DIR/"
  chmod u+w "$ANP_CRD_DIR"/*.yaml
  touch "$ANP_CRD_DIR/.done"
}

build_all() {
  ensure_apt
  build_k8s
  build_coredns
  build_kube_router
  build_kube_network_policies
  copy_admin_policy_crds
  build_images
}
