// The cluster-scoped tiers (policy.networking.k8s.io/v1alpha1), compiled once like NetworkPolicies.
// What the API settles, and how it is compiled:
//   - AdminNetworkPolicies are checked by priority, lower first (equal priorities: by name, as
//     kube-network-policies does; the API leaves the order undefined), and within a policy the rules
//     in the order written; the first rule whose peer and port match decides (Allow, Deny, Pass);
//   - the BaselineAdminNetworkPolicy (one, named "default") is checked the same way, Allow or Deny;
//   - a subject or peer never selects a hostNetwork pod; `namespaces: S` is `pods` with every pod;
//   - `nodes` selects node addresses, `networks` any address in the CIDRs (pods' included);
//     `domainNames` needs DNS answers the snapshot does not have, so it matches nothing here;
//   - `ports` absent matches every port; `portNumber`/`portRange` carry a protocol (default TCP);
//     `namedPort` is the destination pod's declared port of that name, of whatever protocol.
import type { AdminAction, AdminPeer, AdminPort, AdminRule, AdminTier, ClusterPolicy, Labels, NamespacedPodSelector } from '../model/cluster.js'
import { PROTOCOLS } from '../model/cluster.js'
import { cidrContains, parseCidr, type Cidr } from '../model/ip.js'
import type { Direction, PortMatcher } from './compile.js'
import type { Endpoint } from './endpoint.js'
import { compileSelector, type LabelMatcher } from './selector.js'

export interface ClusterPolicyRef {
  tier: AdminTier
  name: string
  priority?: number
}

interface PodsMatcher {
  namespaces: LabelMatcher
  pods: LabelMatcher
}

export interface CompiledClusterPolicy {
  ref: ClusterPolicyRef
  source: ClusterPolicy
  subject: PodsMatcher
  rules: Record<Direction, CompiledTierRule[]>
}

export interface CompiledTierRule {
  policy: ClusterPolicyRef
  direction: Direction
  index: number
  name?: string
  action: AdminAction
  peers: TierPeerMatcher[]
  /** undefined: every port and protocol. */
  ports?: PortMatcher[]
}

export type TierPeerMatcher =
  | ({ kind: 'pods'; index: number } & PodsMatcher)
  | { kind: 'nodes'; index: number; nodes: LabelMatcher }
  | { kind: 'networks'; index: number; cidrs: Cidr[] }
  | { kind: 'domainNames'; index: number; names: string[] }

export interface ClusterTiers {
  /** In the order they are checked. */
  admin: CompiledClusterPolicy[]
  baseline: CompiledClusterPolicy[]
}

const ALL = compileSelector({})

export function compileClusterPolicies(policies: ClusterPolicy[]): ClusterTiers {
  const compiled = policies.map(compileClusterPolicy)
  const admin = compiled.filter((p) => p.ref.tier === 'admin')
    .sort((a, b) => (a.ref.priority ?? 0) - (b.ref.priority ?? 0) || (a.ref.name < b.ref.name ? -1 : a.ref.name > b.ref.name ? 1 : 0))
  return { admin, baseline: compiled.filter((p) => p.ref.tier === 'baseline') }
}

function compileClusterPolicy(policy: ClusterPolicy): CompiledClusterPolicy {
  const ref: ClusterPolicyRef = policy.priority === undefined ? { tier: policy.tier, name: policy.name } : { tier: policy.tier, name: policy.name, priority: policy.priority }
  const compileRules = (direction: Direction, rules: AdminRule[]) => rules.map((rule, index): CompiledTierRule => ({
    policy: ref,
    direction,
    index,
    ...(rule.name ? { name: rule.name } : {}),
    action: rule.action,
    peers: rule.peers.map(compileTierPeer),
    ports: rule.ports?.flatMap(compileTierPort),
  }))
  return {
    ref,
    source: policy,
    subject: policy.subject.pods ? podsMatcher(policy.subject.pods) : { namespaces: compileSelector(policy.subject.namespaces ?? {}), pods: ALL },
    rules: { ingress: compileRules('ingress', policy.ingress), egress: compileRules('egress', policy.egress) },
  }
}

function podsMatcher(selector: NamespacedPodSelector): PodsMatcher {
  return { namespaces: compileSelector(selector.namespaceSelector), pods: compileSelector(selector.podSelector) }
}

function compileTierPeer(peer: AdminPeer, index: number): TierPeerMatcher {
  if (peer.pods) return { kind: 'pods', index, ...podsMatcher(peer.pods) }
  if (peer.namespaces) return { kind: 'pods', index, namespaces: compileSelector(peer.namespaces), pods: ALL }
  if (peer.nodes) return { kind: 'nodes', index, nodes: compileSelector(peer.nodes) }
  if (peer.networks) return { kind: 'networks', index, cidrs: peer.networks.map((text) => parseCidr(text)!) }
  return { kind: 'domainNames', index, names: peer.domainNames ?? [] }
}

function compileTierPort(port: AdminPort, index: number): PortMatcher[] {
  if (port.portNumber) return [{ kind: 'range', index, protocol: port.portNumber.protocol, first: port.portNumber.port, last: port.portNumber.port }]
  if (port.portRange) return [{ kind: 'range', index, protocol: port.portRange.protocol, first: port.portRange.start, last: port.portRange.end }]
  // A named port has no protocol of its own: the destination's declaration gives it.
  return PROTOCOLS.map((protocol) => ({ kind: 'named' as const, index, protocol, name: port.namedPort! }))
}

export function subjectSelects(policy: CompiledClusterPolicy, endpoint: Endpoint): boolean {
  return endpoint.kind === 'pod' && !endpoint.pod.hostNetwork
    && policy.subject.namespaces.matches(endpoint.namespaceLabels) && policy.subject.pods.matches(endpoint.pod.labels)
}

/** Whether a tier peer matches an endpoint; `nodeLabels` maps node names to their labels. */
export function tierPeerMatches(matcher: TierPeerMatcher, endpoint: Endpoint, nodeLabels: ReadonlyMap<string, Labels>): boolean {
  switch (matcher.kind) {
    case 'pods':
      return endpoint.kind === 'pod' && !endpoint.pod.hostNetwork
        && matcher.namespaces.matches(endpoint.namespaceLabels) && matcher.pods.matches(endpoint.pod.labels)
    case 'nodes': {
      const labels = endpoint.kind === 'external' && endpoint.node !== undefined ? nodeLabels.get(endpoint.node) : undefined
      return labels !== undefined && matcher.nodes.matches(labels)
    }
    case 'networks': {
      const addresses = endpoint.kind === 'pod' ? endpoint.addresses : [endpoint.address]
      return addresses.some((a) => matcher.cidrs.some((cidr) => cidrContains(cidr, a)))
    }
    case 'domainNames': return false
  }
}
