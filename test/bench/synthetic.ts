// A synthetic cluster for benchmarks: namespaces with team/env labels, pods from a few app/tier
// shapes with named ports, and a mix of policies (default deny, pod and namespace selectors,
// matchExpressions, ipBlocks with except, named and ranged ports, egress with DNS).
import type { ClusterSnapshot, NetworkPolicy, Pod } from '../../src/model/cluster.js'
import { emptySnapshot } from '../../src/model/cluster.js'

const APPS = ['web', 'api', 'db', 'cache', 'worker']
const TIERS = ['front', 'back']
/** Replicas of the workloads of one namespace: pods of a workload share labels, as in real clusters. */
const REPLICAS = [3, 3, 2, 1, 1]
const ENVS = ['prod', 'staging', 'dev']

export function syntheticCluster(namespaceCount: number, podsPerNamespace: number, policiesPerNamespace: number): ClusterSnapshot {
  const snapshot = emptySnapshot()
  for (let n = 0; n < namespaceCount; n++) {
    const ns = `ns-${n}`
    snapshot.namespaces.push({ name: ns, labels: { 'kubernetes.io/metadata.name': ns, team: `team-${n % 25}`, env: ENVS[n % 3] } })
    for (let p = 0; p < podsPerNamespace; p++) snapshot.pods.push(pod(ns, n, p))
    for (let k = 0; k < policiesPerNamespace; k++) snapshot.policies.push(policyFor(ns, n, k))
  }
  return snapshot
}

function pod(ns: string, n: number, p: number): Pod {
  const app = APPS[workloadOf(p)]
  const index = n * 64 + p
  return {
    namespace: ns,
    name: `${app}-${p}`,
    labels: { app, tier: TIERS[workloadOf(p) % 2], ...(app === 'worker' ? { canary: 'true' } : {}) },
    ips: [`198.18.${Math.floor(index / 250)}.${index % 250 + 1}`],
    ports: [
      { name: 'http', containerPort: 8080, protocol: 'TCP' },
      { name: 'metrics', containerPort: 9090, protocol: 'TCP' },
      ...(app === 'db' ? [{ name: 'sql', containerPort: 5432, protocol: 'TCP' as const }] : []),
    ],
    hostNetwork: false,
  }
}

function workloadOf(p: number): number {
  let seen = 0
  for (let w = 0; w < REPLICAS.length; w++) {
    seen += REPLICAS[w]
    if (p < seen) return w
  }
  return p % REPLICAS.length
}

function policyFor(ns: string, n: number, k: number): NetworkPolicy {
  const name = `p-${k}`
  const app = APPS[(n + k) % APPS.length]
  switch (k % 4) {
    case 0: return { namespace: ns, name, spec: { podSelector: {}, policyTypes: ['Ingress'] } }
    case 1: return {
      namespace: ns, name, spec: {
        podSelector: { matchLabels: { app } },
        ingress: [
          { from: [{ podSelector: { matchLabels: { tier: 'front' } } }], ports: [{ port: 'http' }] },
          { from: [{ namespaceSelector: { matchLabels: { team: `team-${(n + 1) % 25}` } }, podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'api'] }] } }] },
        ],
      },
    }
    case 2: return {
      namespace: ns, name, spec: {
        podSelector: { matchExpressions: [{ key: 'canary', operator: 'DoesNotExist' }] },
        ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['dev'] }] } }], ports: [{ port: 8000, endPort: 8100 }, { port: 'metrics' }] }],
      },
    }
    default: return {
      namespace: ns, name, spec: {
        podSelector: { matchLabels: { tier: 'back' } },
        policyTypes: ['Egress'],
        egress: [
          { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] },
          { to: [{ ipBlock: { cidr: '198.18.0.0/16', except: [`198.18.${n % 20}.0/24`] } }], ports: [{ port: 8080 }] },
          { to: [{ podSelector: {} }] },
        ],
      },
    }
  }
}
