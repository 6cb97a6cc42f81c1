// A scenario world as evaluator input (offline, with stand-in addresses) and as the manifests a
// live run creates (namespaces prefixed with the run id, server pods, rewritten policies). Pure.
import type { ClusterSnapshot, LabelSelector, Namespace, NetworkPolicy, NetworkPolicyPeer, Pod } from '../model/cluster.js'
import { DNS_NAMESPACE, emptySnapshot, NAMESPACE_NAME_LABEL, NOBODY, RUN_ID_LABEL } from '../model/cluster.js'
import { DNS_CANDIDATE, type StepState } from './state.js'
import type { World, WorldPod, WorldPort } from './model.js'

/** Keeps a live namespace's scenario name, so a run's namespaces can be told apart by what they stand for. */
export const SCENARIO_NAMESPACE_LABEL = 'netpol.kubectl.io/scenario-namespace'
export const SERVER_CONTAINER = 'server'

/** Stand-in pod addresses for offline evaluation: 198.18.0.0/16 (RFC 2544 benchmarking range). */
export function standInIp(index: number): string {
  return `198.18.${(index + 1) >> 8}.${(index + 1) & 255}`
}
const DNS_STAND_IN_IP = '198.18.255.253'

/** The snapshot the evaluator sees for one step of a scenario, without a cluster. */
export function offlineSnapshot(world: World, state: StepState): ClusterSnapshot {
  const pods: Pod[] = state.pods.map((p, i) => toPod(p, p.namespace, p.labels, [standInIp(i)]))
  const namespaces = state.namespaces.map((ns) => ({ name: ns.name, labels: { ...ns.labels, [NAMESPACE_NAME_LABEL]: ns.name } }))
  if (world.dns) {
    namespaces.push({ name: DNS_NAMESPACE, labels: { [NAMESPACE_NAME_LABEL]: DNS_NAMESPACE } })
    pods.push(toPod(DNS_CANDIDATE, DNS_NAMESPACE, DNS_CANDIDATE.labels, [DNS_STAND_IN_IP]))
  }
  return { ...emptySnapshot(), namespaces, pods, policies: state.policies }
}

function toPod(pod: Pick<WorldPod, 'name' | 'ports'>, namespace: string, labels: Readonly<Record<string, string>>, ips: string[]): Pod {
  return {
    namespace,
    name: pod.name,
    labels,
    ips,
    ports: pod.ports.map((p) => ({ containerPort: p.port, protocol: p.protocol, ...(p.name ? { name: p.name } : {}) })),
    hostNetwork: false,
    serviceAccountName: 'default',
  }
}

/** Names of one live run: world namespace `shop` becomes `np-<run id>-shop`. */
export interface LiveNames {
  runId: string
  namespace(worldNamespace: string): string
}

export function liveNames(runId: string): LiveNames {
  return { runId, namespace: (name) => `np-${runId}-${name}` }
}

export function namespaceManifest(name: string, labels: Record<string, string>, names: LiveNames): object {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: names.namespace(name), labels: { ...labels, [RUN_ID_LABEL]: names.runId, [SCENARIO_NAMESPACE_LABEL]: name } },
  }
}

/**
 * A server that listens on every declared port: TCP answers `ok`, UDP echoes each datagram (so the
 * probe can see it), SCTP answers `ok` where the kernel has SCTP. Non-root with every capability
 * dropped; ports below 1024 rely on the safe sysctl net.ipv4.ip_unprivileged_port_start=0.
 */
export function serverPodManifest(pod: WorldPod, names: LiveNames, image: string): object {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: pod.name, namespace: names.namespace(pod.namespace), labels: { ...pod.labels, [RUN_ID_LABEL]: names.runId } },
    spec: {
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      terminationGracePeriodSeconds: 0,
      securityContext: {
        runAsNonRoot: true, runAsUser: NOBODY, runAsGroup: NOBODY, seccompProfile: { type: 'RuntimeDefault' },
        ...(pod.ports.some((p) => p.port < 1024) ? { sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }] } : {}),
      },
      containers: [{
        name: SERVER_CONTAINER,
        image,
        imagePullPolicy: 'IfNotPresent',
        command: ['bash', '-c', serverScript(pod.ports)],
        ports: pod.ports.map((p) => ({ containerPort: p.port, protocol: p.protocol, ...(p.name ? { name: p.name } : {}) })),
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true },
        resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '128Mi' } },
      }],
    },
  }
}

export function serverScript(ports: WorldPort[]): string {
  const listener = ({ port, protocol }: WorldPort) => {
    switch (protocol) {
      case 'TCP': return `socat TCP-LISTEN:${port},fork,reuseaddr SYSTEM:'echo ok' &`
      case 'UDP': return `socat UDP-RECVFROM:${port},fork,reuseaddr SYSTEM:cat &`
      // Kernels without SCTP refuse the socket: say so and keep serving the other ports.
      case 'SCTP': return `{ socat SCTP-LISTEN:${port},fork,reuseaddr SYSTEM:'echo ok' || echo "no SCTP listener on ${port}" >&2; } &`
    }
  }
  // `sleep infinity` keeps the pod running if every listener failed, so the run reports it instead of a crash loop.
  return [...ports.map(listener), 'wait', 'sleep infinity'].join('\n')
}

/** A scenario policy as created in the run's namespaces. */
export function policyManifest(policy: NetworkPolicy, names: LiveNames, worldNamespaces: string[]): object {
  const live = livePolicy(policy, names, worldNamespaces)
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: live.name, namespace: live.namespace, labels: { [RUN_ID_LABEL]: names.runId } },
    spec: live.spec,
  }
}

/**
 * The policy with its namespace prefixed and namespaceSelectors on the API-server-set name label
 * rewritten to the prefixed names (selectors on other world labels work as written: live namespaces keep them).
 */
export function livePolicy(policy: NetworkPolicy, names: LiveNames, worldNamespaces: string[]): NetworkPolicy {
  const rename = (name: string) => (worldNamespaces.includes(name) ? names.namespace(name) : name)
  const selector = (s: LabelSelector): LabelSelector => ({
    ...(s.matchLabels ? { matchLabels: Object.fromEntries(Object.entries(s.matchLabels).map(([k, v]) => [k, k === NAMESPACE_NAME_LABEL ? rename(v) : v])) } : {}),
    ...(s.matchExpressions ? { matchExpressions: s.matchExpressions.map((r) => (r.key === NAMESPACE_NAME_LABEL && r.values ? { ...r, values: r.values.map(rename) } : r)) } : {}),
  })
  const peer = (p: NetworkPolicyPeer): NetworkPolicyPeer => (p.namespaceSelector ? { ...p, namespaceSelector: selector(p.namespaceSelector) } : p)
  const { spec } = policy
  return {
    namespace: names.namespace(policy.namespace),
    name: policy.name,
    spec: {
      ...spec,
      ...(spec.ingress ? { ingress: spec.ingress.map((r) => (r.from ? { ...r, from: r.from.map(peer) } : r)) } : {}),
      ...(spec.egress ? { egress: spec.egress.map((r) => (r.to ? { ...r, to: r.to.map(peer) } : r)) } : {}),
    },
  }
}

/** A live cluster pod (the real CoreDNS) as it takes part in a run. */
export interface LivePod {
  namespace: string
  name: string
  labels: Record<string, string>
  ips: string[]
}

/**
 * The snapshot a live run predicts from: exactly what the run created for this step, with the
 * addresses the cluster assigned, plus the real cluster DNS pods when the world uses them.
 */
export function liveSnapshot(world: World, state: StepState, names: LiveNames, podIps: Map<string, string[]>, dnsPods: LivePod[]): ClusterSnapshot {
  const worldNamespaces = world.namespaces.map((n) => n.name)
  const namespaces = state.namespaces.map((ns): Namespace => {
    const name = names.namespace(ns.name)
    return { name, labels: { ...ns.labels, [NAMESPACE_NAME_LABEL]: name, [RUN_ID_LABEL]: names.runId, [SCENARIO_NAMESPACE_LABEL]: ns.name } }
  })
  const pods = state.pods.map((p) => toPod(p, names.namespace(p.namespace), { ...p.labels, [RUN_ID_LABEL]: names.runId }, podIps.get(p.id) ?? []))
  if (world.dns) {
    namespaces.push({ name: DNS_NAMESPACE, labels: { [NAMESPACE_NAME_LABEL]: DNS_NAMESPACE } })
    pods.push(...dnsPods.map((d) => toPod({ name: d.name, ports: DNS_CANDIDATE.ports }, d.namespace, d.labels, d.ips)))
  }
  return { ...emptySnapshot(), namespaces, pods, policies: state.policies.map((p) => livePolicy(p, names, worldNamespaces)) }
}
