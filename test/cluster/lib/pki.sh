# shellcheck shell=bash
# Certificates, keys and kubeconfigs for the local test cluster (openssl).
# Everything lives in $NETPOL_CLUSTER_DIR/pki and is kept across down/up.

# gen_cert NAME CN [O] [SANS] [USAGE]
#   SANS: "IP:1.2.3.4,DNS:foo"; USAGE: serverAuth | clientAuth | serverAuth,clientAuth
gen_cert() {
  local name="$1" cn="$2" org="${3:-}" sans="${4:-}" usage="${5:-clientAuth}"
  [[ -f "$PKI/$name.crt" && -f "$PKI/$name.key" ]] && return 0
  local subj="/CN=$cn"
  [[ -n "$org" ]] && subj="/O=$org$subj"
  local ext="$PKI/$name.ext"
  {
    echo "basicConstraints=CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$usage"
    [[ -n "$sans" ]] && echo "subjectAltName=$sans"
  } >"$ext"
  openssl genrsa -out "$PKI/$name.key" 2048 2>/dev/null
  openssl req -new -key "$PKI/$name.key" -subj "$subj" -out "$PKI/$name.csr" 2>/dev/null
  openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial \
    -days 3650 -sha256 -extfile "$ext" -out "$PKI/$name.crt" 2>/dev/null
  rm -f "$PKI/$name.csr" "$ext"
  chmod 600 "$PKI/$name.key"
}

# write_kubeconfig FILE CERTNAME
write_kubeconfig() {
  local file="$1" cert="$2"
  write_if_changed "$file" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: netpol
  cluster:
    server: https://127.0.0.1:$API_PORT
    certificate-authority: $PKI/ca.crt
users:
- name: $cert
  user:
    client-certificate: $PKI/$cert.crt
    client-key: $PKI/$cert.key
contexts:
- name: netpol
  context:
    cluster: netpol
    user: $cert
current-context: netpol
EOF
  chmod 600 "$file"
}

ensure_pki() {
  mkdir -p "$PKI" "$CONF"
  chmod 700 "$PKI"
  if [[ ! -f "$PKI/ca.crt" || ! -f "$PKI/ca.key" ]]; then
    log "generating cluster CA"
    rm -f "$PKI"/*.crt "$PKI"/*.key
    openssl genrsa -out "$PKI/ca.key" 2048 2>/dev/null
    openssl req -x509 -new -key "$PKI/ca.key" -subj "/CN=kubectl-netpol-test-ca" -days 3650 -sha256 \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
      -out "$PKI/ca.crt" 2>/dev/null
    chmod 600 "$PKI/ca.key"
  fi
  if [[ ! -f "$PKI/sa.key" ]]; then
    openssl genrsa -out "$PKI/sa.key" 2048 2>/dev/null
    openssl rsa -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null
    chmod 600 "$PKI/sa.key"
  fi
  gen_cert apiserver kube-apiserver "" \
    "IP:127.0.0.1,IP:$KUBERNETES_SVC_IP,IP:$NODE_IP,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local" \
    serverAuth
  gen_cert apiserver-kubelet-client kube-apiserver-kubelet-client system:masters
  gen_cert admin kubernetes-admin system:masters
  gen_cert controller-manager system:kube-controller-manager
  gen_cert scheduler system:kube-scheduler
  gen_cert kubelet "system:node:$NODE_NAME" system:nodes
  gen_cert kubelet-serving "system:node:$NODE_NAME" system:nodes "IP:$NODE_IP,IP:127.0.0.1,DNS:$NODE_NAME" serverAuth
  gen_cert kube-proxy system:kube-proxy
  write_kubeconfig "$KUBECONFIG_ADMIN" admin
  write_kubeconfig "$CONF/controller-manager.kubeconfig" controller-manager
  write_kubeconfig "$CONF/scheduler.kubeconfig" scheduler
  write_kubeconfig "$CONF/kubelet.kubeconfig" kubelet
  write_kubeconfig "$CONF/kube-proxy.kubeconfig" kube-proxy
}
