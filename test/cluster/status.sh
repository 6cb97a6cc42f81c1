#!/usr/bin/env bash
# Report the health of the test cluster; exits non-zero when anything is down.
#   usage: test/cluster/status.sh
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
source "$CLUSTER_SRC/lib/enforcer.sh"

bad=0
row() { printf '  %-26s %s\n' "$1" "$2"; }
check() { # NAME HEALTH-CMD...
  local name="$1"; shift
  if ! is_running "$name"; then row "$name" "DOWN (no process)"; bad=1; return; fi
  if (($#)) && ! "$@" >/dev/null 2>&1; then row "$name" "UNHEALTHY (pid $(pid_of "$name"))"; bad=1; return; fi
  row "$name" "up (pid $(pid_of "$name"))"
}
echo "kubectl-netpol test cluster ($NETPOL_CLUSTER_DIR)"
check etcd curl -sf --max-time 2 "http://127.0.0.1:$ETCD_CLIENT_PORT/health"
check containerd timeout 5 ctr --address "$CONTAINERD_SOCK" version
check kube-apiserver kcurl /readyz
check kube-controller-manager curl -skf --max-time 2 https://127.0.0.1:10257/healthz
check kube-scheduler curl -skf --max-time 2 https://127.0.0.1:10259/healthz
check kubelet curl -sf --max-time 2 http://127.0.0.1:10248/healthz
check kube-proxy curl -sf --max-time 2 http://127.0.0.1:10256/healthz

mode="$(cat "$ENFORCER_FILE" 2>/dev/null || echo unknown)"
# The selected enforcer must be healthy; the others must not run (nor leave their rules behind).
for e in "${ENFORCERS[@]}"; do
  if [[ $e == "$mode" ]]; then
    case "$e" in
      kube-router) check kube-router curl -sf --max-time 2 http://127.0.0.1:20244/healthz ;;
      kube-network-policies) check kube-network-policies knp_healthy ;;
    esac
  elif is_running "$e"; then row "$e" "RUNNING although mode is $mode"; bad=1
  else row "$e" "off"
  fi
done
[[ $mode != kube-network-policies ]] && knp_tables_present && { row "nft tables of kube-network-policies" "PRESENT although mode is $mode"; bad=1; }
[[ " ${ENFORCERS[*]} none " == *" $mode "* ]] || { row "enforcer" "unknown mode"; bad=1; }
row "enforcer mode" "$mode"

ready="$(kcurl "/api/v1/nodes/$NODE_NAME" 2>/dev/null | node -e '
  let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{const n=JSON.parse(s);
  const c=(n.status.conditions||[]).find(c=>c.type==="Ready");console.log(c?c.status:"Unknown")}catch{console.log("Unknown")}})')"
row "node $NODE_NAME Ready" "${ready:-Unknown}"
[[ $ready == True ]] || bad=1
dns="$(kcurl "/api/v1/namespaces/kube-system/pods?labelSelector=k8s-app%3Dkube-dns" 2>/dev/null | node -e '
  let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{const l=JSON.parse(s).items;
  console.log(l.some(p=>(p.status.conditions||[]).some(c=>c.type==="Ready"&&c.status==="True"))?"True":"False")}catch{console.log("Unknown")}})')"
row "CoreDNS Ready" "${dns:-Unknown}"
[[ $dns == True ]] || bad=1
echo "  KUBECONFIG=$KUBECONFIG_ADMIN"
if ((bad)); then echo "cluster: UNHEALTHY"; exit 1; fi
echo "cluster: healthy"
