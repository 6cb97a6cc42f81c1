// A synthetic cluster for benchmarks: namespaces with team/env labels, pods from a few app/tier
// shapes with named ports, and a mix of policies (default deny, pod and namespace selectors,
// matchExpressions, ipBlocks with except, named and ranged ports, egress with DNS). Pods belong to
// workloads as in real clusters (Deployments, a StatefulSet, a DaemonSet), and `syntheticManifests`
// writes the cluster as `kubectl get -o json` would list it, for running the command on it.
import type { ClusterSnapshot, NetworkPolicy, Pod } from '../../src/model/cluster.js'
import { emptySnapshot } from '../../src/model/cluster.js'

const APPS = ['web', 'api', 'db', 'cache', 'worker']
const KINDS: Record<string, string> = { web: 'Deployment', api: 'Deployment', db: 'StatefulSet', cache: 'Deployment', worker: 'DaemonSet' }
const TEMPLATE_HASH = '5d8f9c7b6d'
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
  const kind = KINDS[app]
  return {
    namespace: ns,
    name: kind === 'StatefulSet' ? `${app}-${p % 2}` : kind === 'Deployment' ? `${app}-${TEMPLATE_HASH}-${suffix(p)}` : `${app}-${suffix(p)}`,
    labels: { app, tier: TIERS[workloadOf(p) % 2], ...(app === 'worker' ? { canary: 'true' } : {}), ...(kind === 'Deployment' ? { 'pod-template-hash': TEMPLATE_HASH } : {}) },
    owner: { kind, name: app },
    ips: [`198.18.${Math.floor(index / 250)}.${index % 250 + 1}`],
    ports: [
      { name: 'http', containerPort: 8080, protocol: 'TCP' },
      { name: 'metrics', containerPort: 9090, protocol: 'TCP' },
      ...(app === 'db' ? [{ name: 'sql', containerPort: 5432, protocol: 'TCP' as const }] : []),
    ],
    hostNetwork: false,
  }
}

function suffix(p: number): string {
  return `x${p.toString(36).padStart(4, 'k')}`
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

/** The cluster as one `List`, the way `kubectl get namespaces,pods,networkpolicies -A -o json` prints it. */
export function syntheticManifests(snapshot: ClusterSnapshot): object {
  return {
    apiVersion: 'v1',
    kind: 'List',
    items: [
      ...snapshot.namespaces.map((ns) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns.name, labels: ns.labels } })),
      ...snapshot.pods.map(podManifest),
      ...snapshot.policies.map((p) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: p.name, namespace: p.namespace }, spec: p.spec })),
    ],
  }
}

function podManifest(pod: Pod): object {
  const owner = pod.owner!
  const controller = owner.kind === 'Deployment'
    ? { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${owner.name}-${TEMPLATE_HASH}` }
    : { apiVersion: 'apps/v1', kind: owner.kind, name: owner.name }
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: pod.name, namespace: pod.namespace, labels: pod.labels, ownerReferences: [{ ...controller, uid: `uid-${controller.name}`, controller: true }] },
    spec: { containers: [{ name: 'app', image: 'registry.example/app:1', ports: pod.ports }] },
    status: { phase: 'Running', podIP: pod.ips[0], podIPs: pod.ips.map((ip) => ({ ip })) },
  }
}
