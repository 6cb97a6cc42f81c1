// Each NetworkPolicy is compiled once into a normalised model. Every default and every
// empty-versus-absent rule of the API is settled here, so matching needs no special cases:
//   - policyTypes omitted or []: Ingress always, Egress only when `egress` has at least one rule;
//   - a direction not in policyTypes contributes no rules and does not isolate;
//   - a direction in policyTypes with `ingress`/`egress` absent or [] isolates and allows nothing;
//   - a rule whose `from`/`to` is absent or [] matches every peer; whose `ports` is absent or [] every port;
//   - a peer's podSelector applies in the policy's namespace unless a namespaceSelector is given;
//   - a port entry's protocol defaults to TCP; no port means every port of that protocol;
//     `endPort` turns the port into an inclusive range.
import type {
  NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort, Protocol,
} from '../model/cluster.js'
import { parseCidr, type Cidr } from '../model/ip.js'
import { compileSelector, type LabelMatcher } from './selector.js'

export type Direction = 'ingress' | 'egress'
export const DIRECTIONS: readonly Direction[] = ['ingress', 'egress']

export interface PolicyRef {
  namespace: string
  name: string
}

export interface CompiledPolicy {
  ref: PolicyRef
  source: NetworkPolicy
  selects: LabelMatcher
  /** undefined: the policy does not apply to that direction. [] : it isolates and allows nothing. */
  rules: Record<Direction, CompiledRule[] | undefined>
}

export interface CompiledRule {
  policy: PolicyRef
  direction: Direction
  index: number
  /** undefined: the rule lists no peers, so every peer matches. */
  peers?: PeerMatcher[]
  /** undefined: the rule lists no ports, so every port and protocol matches. */
  ports?: PortMatcher[]
}

export type NamespaceScope =
  | { kind: 'policy-namespace'; name: string }
  | { kind: 'selected'; matcher: LabelMatcher }

export type PeerMatcher =
  | { kind: 'pods'; index: number; namespaces: NamespaceScope; pods: LabelMatcher }
  | { kind: 'ipBlock'; index: number; cidr: Cidr; except: Cidr[] }

export type PortMatcher =
  | { kind: 'protocol'; index: number; protocol: Protocol }
  | { kind: 'range'; index: number; protocol: Protocol; first: number; last: number }
  | { kind: 'named'; index: number; protocol: Protocol; name: string }

const ALL_PODS = compileSelector({})

const compiled = new WeakMap<NetworkPolicy, CompiledPolicy>()

/** Compiled once per policy object: snapshots that share a policy (a diff's two sides) share its compiled form. */
export function compilePolicy(policy: NetworkPolicy): CompiledPolicy {
  let result = compiled.get(policy)
  if (!result) {
    result = compileNew(policy)
    compiled.set(policy, result)
  }
  return result
}

function compileNew(policy: NetworkPolicy): CompiledPolicy {
  const ref = { namespace: policy.namespace, name: policy.name }
  const types = effectivePolicyTypes(policy)
  const compileRules = (direction: Direction, rules: Array<{ from?: NetworkPolicyPeer[]; to?: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[] }> | undefined) =>
    types.has(direction)
      ? (rules ?? []).map((rule, index): CompiledRule => ({
          policy: ref,
          direction,
          index,
          peers: nonEmpty(direction === 'ingress' ? rule.from : rule.to)?.map((peer, i) => compilePeer(peer, i, policy.namespace)),
          ports: nonEmpty(rule.ports)?.map(compilePort),
        }))
      : undefined
  return {
    ref,
    source: policy,
    selects: compileSelector(policy.spec.podSelector),
    rules: { ingress: compileRules('ingress', policy.spec.ingress), egress: compileRules('egress', policy.spec.egress) },
  }
}

export function effectivePolicyTypes(policy: NetworkPolicy): Set<Direction> {
  const declared = policy.spec.policyTypes
  if (declared?.length) return new Set(declared.map((t) => (t === 'Ingress' ? 'ingress' : 'egress')))
  return new Set<Direction>(policy.spec.egress?.length ? ['ingress', 'egress'] : ['ingress'])
}

function nonEmpty<T>(list: T[] | undefined): T[] | undefined {
  return list && list.length > 0 ? list : undefined
}

function compilePeer(peer: NetworkPolicyPeer, index: number, policyNamespace: string): PeerMatcher {
  if (peer.ipBlock) {
    return { kind: 'ipBlock', index, cidr: mustParseCidr(peer.ipBlock.cidr), except: (peer.ipBlock.except ?? []).map(mustParseCidr) }
  }
  return {
    kind: 'pods',
    index,
    namespaces: peer.namespaceSelector
      ? { kind: 'selected', matcher: compileSelector(peer.namespaceSelector) }
      : { kind: 'policy-namespace', name: policyNamespace },
    pods: peer.podSelector ? compileSelector(peer.podSelector) : ALL_PODS,
  }
}

function compilePort(port: NetworkPolicyPort, index: number): PortMatcher {
  const protocol = port.protocol ?? 'TCP'
  if (port.port === undefined) return { kind: 'protocol', index, protocol }
  if (typeof port.port === 'string') return { kind: 'named', index, protocol, name: port.port }
  return { kind: 'range', index, protocol, first: port.port, last: port.endPort ?? port.port }
}

function mustParseCidr(text: string): Cidr {
  const cidr = parseCidr(text)
  // The snapshot layer validates CIDRs with file and field; reaching here means a caller skipped it.
  if (!cidr) throw new Error(`invalid CIDR ${JSON.stringify(text)}`)
  return cidr
}
