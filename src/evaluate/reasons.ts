// Why a rule did not match, as data: for each peer entry and each port entry that failed, what it
// wanted and what the connection actually had. Computed for explanations only (the hot path of
// the matrix needs just the booleans), from the same compiled matchers the verdict used.
import type { Labels, Protocol } from '../model/cluster.js'
import { cidrContains, parseAddress } from '../model/ip.js'
import type { PeerMatcher, PortMatcher } from './compile.js'
import type { Endpoint } from './endpoint.js'
import type { RuleVerdict } from './evaluate.js'
import type { LabelMatcher, UnmetRequirement } from './selector.js'

/** A label the object has that is probably what a failed requirement meant: same value under another key, or the key with a prefix. */
export interface NearMiss {
  wanted: string
  has: string
}

/** A selector that failed on an object's actual labels. */
export interface SelectorMiss {
  selector: string
  /** The pod (`ns/name`) or namespace whose labels were tested. */
  subject: string
  labels: Labels
  unmet: UnmetRequirement[]
  nearest: NearMiss[]
}

export type PeerMiss =
  /** A podSelector-only peer: it only sees pods in the policy's own namespace. */
  | { entry: number; kind: 'other-namespace'; policyNamespace: string; namespace: string; pods?: SelectorMiss }
  | { entry: number; kind: 'selectors'; namespace?: SelectorMiss; pods?: SelectorMiss }
  /** Pod and namespace selectors only see pods on the pod network. */
  | { entry: number; kind: 'not-a-pod'; peer: string; reason: 'external' | 'host-network' }
  | { entry: number; kind: 'outside-cidr'; cidr: string; addresses: string[] }
  | { entry: number; kind: 'excepted'; cidr: string; except: string; address: string }

export type PortMiss =
  | { entry: number; kind: 'protocol'; wanted: Protocol; actual: Protocol }
  /** `actual` is absent when the asked port name is not declared by the destination. */
  | { entry: number; kind: 'port'; wanted: string; asked: number | string; actual?: number }
  | { entry: number; kind: 'named-port'; name: string; protocol: Protocol; reason: NamedPortReason; declared?: number; actual?: number }

export type NamedPortReason = 'not-a-pod' | 'undeclared' | 'other-port' | 'unresolved'

export interface RuleMisses {
  peers: PeerMiss[]
  ports: PortMiss[]
}

export interface MissTraffic {
  protocol: Protocol
  /** The port as asked, and its number when it resolved. */
  port: number | string
  resolvedPort?: number
  destination: Endpoint
}

/** The failed entries of a rule that did not match; empty lists for the side that did match. */
export function ruleMisses(verdict: RuleVerdict, peer: Endpoint, traffic: MissTraffic): RuleMisses {
  const { rule } = verdict
  return {
    peers: verdict.peer === 'none' ? (rule.peers ?? []).map((m) => peerMiss(m, peer)) : [],
    ports: verdict.port === 'none' ? (rule.ports ?? []).map((m) => portMiss(m, traffic)) : [],
  }
}

function peerMiss(matcher: PeerMatcher, peer: Endpoint): PeerMiss {
  const entry = matcher.index
  if (matcher.kind === 'ipBlock') {
    const addresses = peer.kind === 'pod' ? peer.pod.ips : [peer.key]
    for (const address of addresses) {
      const parsed = parseAddress(address)
      if (!parsed || !cidrContains(matcher.cidr, parsed)) continue
      const except = matcher.except.find((e) => cidrContains(e, parsed))
      if (except) return { entry, kind: 'excepted', cidr: matcher.cidr.text, except: except.text, address }
    }
    return { entry, kind: 'outside-cidr', cidr: matcher.cidr.text, addresses }
  }
  if (peer.kind !== 'pod') return { entry, kind: 'not-a-pod', peer: peer.key, reason: 'external' }
  if (peer.pod.hostNetwork) return { entry, kind: 'not-a-pod', peer: peer.key, reason: 'host-network' }
  const pods = selectorMiss(matcher.pods, peer.key, peer.pod.labels)
  const scope = matcher.namespaces
  if (scope.kind === 'policy-namespace') {
    return peer.pod.namespace === scope.name
      ? { entry, kind: 'selectors', pods }
      : { entry, kind: 'other-namespace', policyNamespace: scope.name, namespace: peer.pod.namespace, pods }
  }
  return { entry, kind: 'selectors', namespace: selectorMiss(scope.matcher, peer.pod.namespace, peer.namespaceLabels), pods }
}

function selectorMiss(matcher: LabelMatcher, subject: string, labels: Labels): SelectorMiss | undefined {
  const unmet = matcher.unmet(labels)
  if (unmet.length === 0) return undefined
  return { selector: matcher.text, subject, labels, unmet, nearest: unmet.flatMap((u) => nearMisses(u, labels)) }
}

/**
 * For a required key=value the labels lack: labels carrying the same value under another key
 * (`name: kube-system` wanted, `kubernetes.io/metadata.name: kube-system` present), or the same
 * key name under a prefix (`app` wanted, `app.kubernetes.io/name` or `example.com/app` present).
 */
function nearMisses(unmet: UnmetRequirement, labels: Labels): NearMiss[] {
  if (unmet.operator !== 'In' || unmet.actual !== undefined) return []
  const bare = (key: string) => key.slice(key.indexOf('/') + 1)
  return Object.entries(labels)
    .filter(([key, value]) => key !== unmet.key && (unmet.values.includes(value) || bare(key) === bare(unmet.key) || key.startsWith(`${unmet.key}.`)))
    .map(([key, value]) => ({ wanted: unmet.requirement, has: `${key}=${value}` }))
}

function portMiss(matcher: PortMatcher, traffic: MissTraffic): PortMiss {
  const entry = matcher.index
  // A protocol-only entry matches every port of its protocol: only the protocol can have failed.
  if (matcher.protocol !== traffic.protocol || matcher.kind === 'protocol') return { entry, kind: 'protocol', wanted: matcher.protocol, actual: traffic.protocol }
  if (matcher.kind === 'range') {
    const wanted = matcher.first === matcher.last ? `${matcher.first}` : `${matcher.first}-${matcher.last}`
    return { entry, kind: 'port', wanted, asked: traffic.port, ...(traffic.resolvedPort === undefined ? {} : { actual: traffic.resolvedPort }) }
  }
  const named = { entry, kind: 'named-port' as const, name: matcher.name, protocol: matcher.protocol }
  const destination = traffic.destination
  if (destination.kind !== 'pod') return { ...named, reason: 'not-a-pod' }
  if (traffic.resolvedPort === undefined) return { ...named, reason: 'unresolved' }
  const declared = destination.pod.ports.find((p) => p.name === matcher.name && p.protocol === matcher.protocol)
  return declared
    ? { ...named, reason: 'other-port', declared: declared.containerPort, actual: traffic.resolvedPort }
    : { ...named, reason: 'undeclared', actual: traffic.resolvedPort }
}
