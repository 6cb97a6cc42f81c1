// A verdict turned into plain data a person (or another program) can read: for each side, the
// policies that select the endpoint and, rule by rule, what matched. Raw rules are kept so a
// renderer can quote the deciding one as written.
import type { AdminAction, AdminPeer, AdminRule, NetworkPolicyEgressRule, NetworkPolicyIngressRule, Protocol } from '../model/cluster.js'
import { clusterPolicyKind } from '../model/cluster.js'
import type { Direction } from './compile.js'
import type { Endpoint } from './endpoint.js'
import { isLoopback, isSamePod, type CniDefined, type DecidingTier, type EntryMatch, type Evaluator, type RuleVerdict, type TierRuleVerdict, type TierVerdict, type Verdict } from './evaluate.js'
import { isPodNameOf, workloadOf } from './groups.js'
import type { PortQuery } from './matrix.js'
import { ruleMisses, type MissTraffic, type PeerMiss, type PortMiss } from './reasons.js'
import type { CompiledClusterPolicy } from './tiers.js'

/** A rule as reports name it: `namespace/policy direction[index]`. */
export function ruleLabel(r: RuleVerdict): string {
  return `${r.rule.policy.namespace}/${r.rule.policy.name} ${r.rule.direction}[${r.rule.index}]`
}

/** A cluster-scoped rule as reports name it: `AdminNetworkPolicy/name direction[index] "rule name" Action`. */
export function tierRuleLabel(r: TierRuleVerdict): string {
  const { policy, direction, index, name, action } = r.rule
  return `${clusterPolicyKind(policy.tier)}/${policy.name} ${direction}[${index}]${name ? ` "${name}"` : ''} ${action}`
}

/** The rule of a cluster-scoped tier that decided a side, if one did. */
export function decidingTierRule(side: Verdict['egress']): TierRuleVerdict | undefined {
  if (side.decidedBy === 'admin') return side.admin?.decidedBy
  if (side.decidedBy === 'baseline') return side.baseline?.decidedBy
  return undefined
}

export interface Explanation {
  from: string
  to: string
  port: number | string
  resolvedPort?: number
  protocol: Protocol
  allowed: boolean
  cniDefined: CniDefined[]
  /** Egress (source side) first, then ingress (destination side). */
  sides: ExplainedSide[]
  /** Source and destination are the same endpoint: one pod reaching itself, or two replicas of one workload. */
  self?: SelfConnection
}

/**
 * `same-pod`: one pod reaching its own IP, allowed by the CNI-defined loopback default;
 * `betweenPods` is what the policies say between two distinct pods like it (another replica, or a
 * probe pod carrying its identity). `replicas`: a workload's template pod stands for every pod it
 * would run, so the connection is between two of them, distinct pods the policies decide.
 */
export interface SelfConnection {
  kind: 'same-pod' | 'replicas'
  /** `Deployment shop/web`; `Pod shop/debug` for a bare pod. */
  workload: string
  betweenPods?: boolean
  /** The replica named on both sides, when the workload was read from its template (`shop/db-0`). */
  pod?: string
}

export interface ExplainedSide {
  direction: Direction
  endpoint: string
  exempt?: 'external' | 'host-network'
  isolated: boolean
  allowed: boolean
  /** Which tier decided: admin (AdminNetworkPolicy), network-policy, baseline, or default (nothing applied). */
  decidedBy: DecidingTier
  admin?: ExplainedTier
  policies: ExplainedPolicy[]
  /** Policies selecting the endpoint whose rules for this direction are switched off by their policyTypes. */
  ignored: IgnoredRules[]
  baseline?: ExplainedTier
}

export interface IgnoredRules {
  policy: string
  /** How many rules the policy writes for the direction. */
  rules: number
  policyTypes: Array<'Ingress' | 'Egress'>
}

export interface ExplainedTier {
  /** The policies selecting the endpoint, in the order checked (`name (priority N)`). */
  policies: string[]
  /** Rules checked in order; the last one decided when `decided` is true. */
  rules: ExplainedTierRule[]
  decided: boolean
}

export interface ExplainedTierRule {
  label: string
  action: AdminAction
  matched: boolean
  peer: EntryMatch
  port: EntryMatch
  /** As written: `from` for ingress, `to` for egress. */
  rule: Omit<AdminRule, 'peers'> & { from?: AdminPeer[]; to?: AdminPeer[] }
}

export interface ExplainedPolicy {
  policy: string
  podSelector: string
  rules: ExplainedRule[]
}

export interface ExplainedRule {
  index: number
  matched: boolean
  peer: EntryMatch
  port: EntryMatch
  rule: NetworkPolicyIngressRule | NetworkPolicyEgressRule
  /** Why each peer entry failed (empty when the peer matched). */
  peerMisses: PeerMiss[]
  /** Why each port entry failed (empty when the port matched). */
  portMisses: PortMiss[]
}

export function explain(verdict: Verdict, evaluator: Evaluator): Explanation {
  const sources = new Map(evaluator.policies.map((p) => [`${p.ref.namespace}/${p.ref.name}`, p]))
  const clusterSources = new Map([...evaluator.tiers.admin, ...evaluator.tiers.baseline].map((p) => [`${p.ref.tier}/${p.ref.name}`, p]))
  const from = evaluator.endpoint(verdict.from)
  const to = evaluator.endpoint(verdict.to)
  const traffic = to && { protocol: verdict.protocol, port: verdict.port, resolvedPort: verdict.resolvedPort, destination: to }
  const side = (v: Verdict['egress']): ExplainedSide => {
    const peer = v.direction === 'egress' ? to : from
    return {
      direction: v.direction,
      endpoint: v.endpoint,
      exempt: v.exempt,
      isolated: v.isolated,
      allowed: v.allowed,
      decidedBy: v.decidedBy,
      ...(v.admin ? { admin: explainTier(v.admin, clusterSources) } : {}),
      ...(v.baseline ? { baseline: explainTier(v.baseline, clusterSources) } : {}),
      policies: v.policies.map((p) => {
        const name = `${p.policy.namespace}/${p.policy.name}`
        const compiled = sources.get(name)!
        const rawRules = (v.direction === 'ingress' ? compiled.source.spec.ingress : compiled.source.spec.egress) ?? []
        return {
          policy: name,
          podSelector: compiled.selects.text,
          rules: p.rules.map((r) => ({ index: r.rule.index, matched: r.matched, peer: r.peer, port: r.port, rule: rawRules[r.rule.index], ...misses(r, peer, traffic) })),
        }
      }),
      ignored: ignoredRules(evaluator, v.direction === 'egress' ? from : to, v.direction),
    }
  }
  return {
    from: verdict.from,
    to: verdict.to,
    port: verdict.port,
    resolvedPort: verdict.resolvedPort,
    protocol: verdict.protocol,
    allowed: verdict.allowed,
    cniDefined: verdict.cniDefined,
    sides: [side(verdict.egress), side(verdict.ingress)],
  }
}

/**
 * explain's question about one connection: a pod with itself is the loopback default (and says what
 * the policies would decide between two pods like it); a template with itself is two replicas,
 * unless the user named one replica on both sides (`shop/db-0` to `shop/db-0`): `samePodName`.
 */
export function explainConnection(evaluator: Evaluator, from: Endpoint, to: Endpoint, query: PortQuery, samePodName?: string): Explanation {
  const check = { from, to, ...query }
  if (!isLoopback(from, to)) return explain(evaluator.evaluate(check), evaluator)
  const { kind, key } = workloadOf(from)
  const workload = `${kind} ${key}`
  const namedReplica = from.kind === 'pod' && samePodName !== undefined && isPodNameOf(from.pod, samePodName) ? samePodName : undefined
  if (!isSamePod(from, to) && !namedReplica) return { ...explain(evaluator.evaluate(check, { loopback: 'policy' }), evaluator), self: { kind: 'replicas', workload } }
  const betweenPods = evaluator.evaluate(check, { loopback: 'policy' }).allowed
  const verdict = evaluator.evaluate(check, { loopback: 'allowed' })
  const pod = namedReplica && from.kind === 'pod' ? { pod: `${from.pod.namespace}/${namedReplica}` } : {}
  return { ...explain(verdict, evaluator), self: { kind: 'same-pod', workload, betweenPods, ...pod } }
}

function misses(r: RuleVerdict, peer: Endpoint | undefined, traffic: MissTraffic | undefined): { peerMisses: PeerMiss[]; portMisses: PortMiss[] } {
  if (r.matched || !peer || !traffic) return { peerMisses: [], portMisses: [] }
  const { peers, ports } = ruleMisses(r, peer, traffic)
  return { peerMisses: peers, portMisses: ports }
}

/** Policies that select the endpoint and write rules for the direction, which their policyTypes leave out. */
function ignoredRules(evaluator: Evaluator, endpoint: Endpoint | undefined, direction: Direction): IgnoredRules[] {
  if (endpoint?.kind !== 'pod' || endpoint.pod.hostNetwork) return []
  return evaluator.policies
    .filter((p) => p.ref.namespace === endpoint.pod.namespace && p.rules[direction] === undefined && p.selects.matches(endpoint.pod.labels))
    .map((p) => ({ policy: `${p.ref.namespace}/${p.ref.name}`, rules: p.source.spec[direction]?.length ?? 0, policyTypes: p.source.spec.policyTypes ?? [] }))
    .filter((p) => p.rules > 0)
}

function explainTier(tier: TierVerdict, sources: Map<string, CompiledClusterPolicy>): ExplainedTier {
  return {
    policies: tier.policies.map((p) => (p.priority === undefined ? p.name : `${p.name} (priority ${p.priority})`)),
    rules: tier.rules.map((r) => {
      const source = sources.get(`${r.rule.policy.tier}/${r.rule.policy.name}`)!.source
      const { peers, ...rest } = (r.rule.direction === 'ingress' ? source.ingress : source.egress)[r.rule.index]
      return {
        label: tierRuleLabel(r), action: r.rule.action, matched: r.matched, peer: r.peer, port: r.port,
        rule: { ...rest, [r.rule.direction === 'ingress' ? 'from' : 'to']: peers },
      }
    }),
    decided: tier.decidedBy !== undefined,
  }
}
