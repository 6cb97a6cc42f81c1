// The verdict for one connection, with its evidence. A connection is allowed when the source's
// egress side and the destination's ingress side both allow it. Each side goes down the chain of
// tiers: the first AdminNetworkPolicy rule that matches decides (Allow, Deny; Pass goes on); then,
// when a NetworkPolicy isolates the endpoint in that direction, it is allowed only if at least one
// rule of an isolating policy matches both the peer and the port; otherwise the first matching rule
// of the BaselineAdminNetworkPolicy decides; with none, it is allowed. Verdict booleans are derived
// from the evidence, never stored apart from it.
import type { AdminAction, ClusterSnapshot, Labels, Protocol } from '../model/cluster.js'
import { groupBy } from '../model/collections.js'
import { cidrContains } from '../model/ip.js'
import {
  compilePolicy, type CompiledPolicy, type CompiledRule, type Direction, type PeerMatcher,
  type PolicyRef, type PortMatcher,
} from './compile.js'
import { endpointsOf, type Endpoint, type ExternalEndpoint, type PodEndpoint } from './endpoint.js'
import {
  compileClusterPolicies, subjectSelects, tierPeerMatches, type ClusterPolicyRef, type ClusterTiers,
  type CompiledClusterPolicy, type CompiledTierRule,
} from './tiers.js'

export interface Check {
  from: Endpoint
  to: Endpoint
  /** A number, or a port name resolved against the destination pod's container ports. */
  port: number | string
  protocol: Protocol
}

/** Index of the peer/port entry that matched; 'all' when the rule lists none; 'none' when nothing matched. */
export type EntryMatch = number | 'all' | 'none'

export interface RuleVerdict {
  rule: CompiledRule
  peer: EntryMatch
  port: EntryMatch
  matched: boolean
}

export interface PolicyVerdict {
  policy: PolicyRef
  rules: RuleVerdict[]
}

export interface TierRuleVerdict {
  rule: CompiledTierRule
  peer: EntryMatch
  port: EntryMatch
  matched: boolean
}

/** One cluster-scoped tier on one side: the policies selecting the endpoint, in the order checked. */
export interface TierVerdict {
  policies: ClusterPolicyRef[]
  /** Every rule checked, in order, up to and including the first that matched. */
  rules: TierRuleVerdict[]
  /** The first rule that matched; undefined when none did (the traffic goes on down the chain). */
  decidedBy?: TierRuleVerdict
}

/** Which tier decided a side: `default` means nothing applied (allowed). */
export type DecidingTier = 'admin' | 'network-policy' | 'baseline' | 'default'

export interface DirectionVerdict {
  direction: Direction
  /** The endpoint whose policies are consulted: the source for egress, the destination for ingress. */
  endpoint: string
  /** Why no policy can apply to this side, when that is the case. */
  exempt?: 'external' | 'host-network'
  /** Policies that select the endpoint for this direction. Non-empty means the endpoint is isolated. */
  policies: PolicyVerdict[]
  isolated: boolean
  /** NetworkPolicy rules that allow it; only when the NetworkPolicy tier decides. */
  allowedBy: RuleVerdict[]
  /** AdminNetworkPolicies selecting the endpoint (absent when none does). */
  admin?: TierVerdict
  /** The BaselineAdminNetworkPolicy, when it was reached and selects the endpoint. */
  baseline?: TierVerdict
  decidedBy: DecidingTier
  allowed: boolean
}

/**
 * Behaviour the NetworkPolicy spec leaves to the network plugin. The verdict follows the stated
 * default; a real CNI may differ, and the probe is how to find out.
 */
export interface CniDefined {
  kind: 'loopback' | 'ipblock-pod-ip' | 'host-network' | 'node'
  note: string
}

export interface Verdict {
  from: string
  to: string
  port: number | string
  /** The numeric port the check uses; undefined when a port name is not declared by the destination. */
  resolvedPort?: number
  protocol: Protocol
  egress: DirectionVerdict
  ingress: DirectionVerdict
  cniDefined: CniDefined[]
  allowed: boolean
}

export interface EvaluateOptions {
  /**
   * 'allowed' (default): a pod reaching itself is allowed whatever the policies say, as the upstream
   * conformance tests expect. 'policy': judge it by the policies like any other pair (probe pods
   * carry the source's identity but are distinct pods, so this is what they measure).
   */
  loopback?: 'allowed' | 'policy'
}

export interface Evaluator {
  policies: CompiledPolicy[]
  /** The admin and baseline tiers (both empty when the snapshot has none). */
  tiers: ClusterTiers
  endpoints: Endpoint[]
  endpoint(key: string): Endpoint | undefined
  evaluate(check: Check, options?: EvaluateOptions): Verdict
  /** Policies in the endpoint's namespace selecting it for the direction (empty for non-pods). */
  selecting(endpoint: Endpoint, direction: Direction): CompiledPolicy[]
}

export function createEvaluator(snapshot: ClusterSnapshot): Evaluator {
  const policies = snapshot.policies.map(compilePolicy)
  const tiers = compileClusterPolicies(snapshot.clusterPolicies ?? [])
  const nodeLabels = new Map(snapshot.nodes.map((n) => [n.name, n.labels ?? {}]))
  const endpoints = endpointsOf(snapshot)
  const byKey = new Map(endpoints.map((e) => [e.key, e]))
  const byNamespace = groupBy(policies, (p) => p.ref.namespace)
  const selectingCache = new Map<string, CompiledPolicy[]>()

  const selecting = (endpoint: Endpoint, direction: Direction): CompiledPolicy[] => {
    if (endpoint.kind !== 'pod' || endpoint.pod.hostNetwork) return []
    const cacheKey = `${direction}\0${endpoint.pod.namespace}\0${labelsKey(endpoint.pod.labels)}`
    let result = selectingCache.get(cacheKey)
    if (!result) {
      result = (byNamespace.get(endpoint.pod.namespace) ?? [])
        .filter((p) => p.rules[direction] !== undefined && p.selects.matches(endpoint.pod.labels))
      selectingCache.set(cacheKey, result)
    }
    return result
  }

  const evaluate = (check: Check, options: EvaluateOptions = {}): Verdict => {
    const resolvedPort = resolvePort(check.port, check.to)
    const traffic: Traffic = { protocol: check.protocol, port: resolvedPort, destination: check.to }
    const context: SideContext = { selecting, tiers, nodeLabels }
    const egress = evaluateSide('egress', check.from, check.to, traffic, context)
    const ingress = evaluateSide('ingress', check.to, check.from, traffic, context)
    const cniDefined = cniDefinedBehaviour(check, egress, ingress, options)
    return {
      from: check.from.key,
      to: check.to.key,
      port: check.port,
      resolvedPort,
      protocol: check.protocol,
      egress,
      ingress,
      cniDefined,
      allowed: decide(egress, ingress, cniDefined),
    }
  }

  return { policies, tiers, endpoints, endpoint: (key) => byKey.get(key), evaluate, selecting }
}

interface SideContext {
  selecting: (e: Endpoint, d: Direction) => CompiledPolicy[]
  tiers: ClusterTiers
  nodeLabels: ReadonlyMap<string, Labels>
}

export interface Traffic {
  protocol: Protocol
  port?: number
  destination: Endpoint
}

function decide(egress: DirectionVerdict, ingress: DirectionVerdict, cniDefined: CniDefined[]): boolean {
  const defaults = { loopback: cniDefined.some((c) => c.kind === 'loopback'), fromNode: cniDefined.some((c) => c.kind === 'node') }
  return decideAllowed(defaults, () => egress.allowed, () => egress.allowed && ingress.allowed)
}

/**
 * The allow decision, shared by `evaluate` and the class matrix: the CNI-defined defaults first
 * (a pod reaching itself; traffic from a node into pods, which only the source's egress can stop),
 * otherwise both sides must allow.
 */
export function decideAllowed(defaults: { loopback: boolean; fromNode: boolean }, egressAllows: () => boolean, bothAllow: () => boolean): boolean {
  if (defaults.loopback) return true
  if (defaults.fromNode) return egressAllows()
  return bothAllow()
}

export function isLoopback(from: Endpoint, to: Endpoint): boolean {
  return from.kind === 'pod' && from.key === to.key
}

/**
 * One pod reaching its own IP (the CNI-defined loopback case). A workload's template pod with
 * itself is not: it stands for two of the replicas it would run, distinct pods the policies apply to.
 */
export function isSamePod(from: Endpoint, to: Endpoint): boolean {
  return isLoopback(from, to) && !(from.kind === 'pod' && from.pod.template)
}

export function isFromNode(from: Endpoint): from is ExternalEndpoint & { node: string } {
  return from.kind === 'external' && from.node !== undefined
}

function evaluateSide(direction: Direction, subject: Endpoint, peer: Endpoint, traffic: Traffic, context: SideContext): DirectionVerdict {
  const policies = context.selecting(subject, direction).map((policy): PolicyVerdict => ({
    policy: policy.ref,
    rules: (policy.rules[direction] ?? []).map((rule) => evaluateRule(rule, peer, traffic)),
  }))
  const isolated = policies.length > 0
  const admin = evaluateTier(context.tiers.admin, direction, subject, peer, traffic, context.nodeLabels)
  const adminAction = admin?.decidedBy?.rule.action
  const networkPolicyReached = adminAction === undefined || adminAction === 'Pass'
  const baseline = networkPolicyReached && !isolated
    ? evaluateTier(context.tiers.baseline, direction, subject, peer, traffic, context.nodeLabels)
    : undefined
  const allowedBy = networkPolicyReached && isolated ? policies.flatMap((p) => p.rules.filter((r) => r.matched)) : []
  const decidedBy: DecidingTier = !networkPolicyReached ? 'admin' : isolated ? 'network-policy' : baseline?.decidedBy ? 'baseline' : 'default'
  return {
    direction,
    endpoint: subject.key,
    exempt: subject.kind === 'external' ? 'external' : subject.pod.hostNetwork ? 'host-network' : undefined,
    policies,
    isolated,
    allowedBy,
    ...(admin ? { admin } : {}),
    ...(baseline ? { baseline } : {}),
    decidedBy,
    allowed: sideAllowed(decidedBy, allowedBy.length > 0, adminAction, baseline?.decidedBy?.rule.action),
  }
}

function sideAllowed(decidedBy: DecidingTier, networkPolicyAllows: boolean, adminAction?: AdminAction, baselineAction?: AdminAction): boolean {
  switch (decidedBy) {
    case 'admin': return adminAction === 'Allow'
    case 'network-policy': return networkPolicyAllows
    case 'baseline': return baselineAction === 'Allow'
    case 'default': return true
  }
}

/** One tier on one side: undefined when no policy of the tier selects the endpoint. */
function evaluateTier(
  tier: CompiledClusterPolicy[], direction: Direction, subject: Endpoint, peer: Endpoint, traffic: Traffic,
  nodeLabels: ReadonlyMap<string, Labels>,
): TierVerdict | undefined {
  const selecting = tier.filter((p) => subjectSelects(p, subject))
  if (selecting.length === 0) return undefined
  const rules: TierRuleVerdict[] = []
  for (const rule of selecting.flatMap((p) => p.rules[direction])) {
    const peerMatch = firstMatch(rule.peers, (m) => tierPeerMatches(m, peer, nodeLabels))
    const portMatch = firstMatch(rule.ports, (m) => portMatches(m, traffic))
    const verdict = { rule, peer: peerMatch, port: portMatch, matched: peerMatch !== 'none' && portMatch !== 'none' }
    rules.push(verdict)
    if (verdict.matched) return { policies: selecting.map((p) => p.ref), rules, decidedBy: verdict }
  }
  return { policies: selecting.map((p) => p.ref), rules }
}

function evaluateRule(rule: CompiledRule, peer: Endpoint, traffic: Traffic): RuleVerdict {
  const peerMatch = firstMatch(rule.peers, (m) => peerMatches(m, peer))
  const portMatch = firstMatch(rule.ports, (m) => portMatches(m, traffic))
  return { rule, peer: peerMatch, port: portMatch, matched: peerMatch !== 'none' && portMatch !== 'none' }
}

function firstMatch<T extends { index: number }>(entries: T[] | undefined, test: (entry: T) => boolean): EntryMatch {
  if (!entries) return 'all'
  return entries.find(test)?.index ?? 'none'
}

export function peerMatches(matcher: PeerMatcher, endpoint: Endpoint): boolean {
  if (matcher.kind === 'ipBlock') {
    return endpoint.kind === 'pod'
      ? endpoint.addresses.some((a) => inIpBlock(matcher, a))
      : inIpBlock(matcher, endpoint.address)
  }
  // Pod selectors see pods on the pod network; a hostNetwork pod's traffic carries the node's address.
  if (endpoint.kind !== 'pod' || endpoint.pod.hostNetwork) return false
  const namespaceOk = matcher.namespaces.kind === 'policy-namespace'
    ? endpoint.pod.namespace === matcher.namespaces.name
    : matcher.namespaces.matcher.matches(endpoint.namespaceLabels)
  return namespaceOk && matcher.pods.matches(endpoint.pod.labels)
}

function inIpBlock(matcher: Extract<PeerMatcher, { kind: 'ipBlock' }>, address: PodEndpoint['addresses'][number]): boolean {
  return cidrContains(matcher.cidr, address) && !matcher.except.some((e) => cidrContains(e, address))
}

export function portMatches(matcher: PortMatcher, traffic: Traffic): boolean {
  if (matcher.protocol !== traffic.protocol) return false
  switch (matcher.kind) {
    case 'protocol': return true
    case 'range': return traffic.port !== undefined && traffic.port >= matcher.first && traffic.port <= matcher.last
    case 'named': {
      // A named port is looked up on the destination pod; a pod that does not declare it matches nothing.
      const destination = traffic.destination
      return destination.kind === 'pod' && traffic.port !== undefined && destination.pod.ports.some((p) =>
        p.name === matcher.name && p.protocol === matcher.protocol && p.containerPort === traffic.port)
    }
  }
}

export function resolvePort(port: number | string, destination: Endpoint): number | undefined {
  if (typeof port === 'number') return port
  return destination.kind === 'pod' ? destination.pod.ports.find((p) => p.name === port)?.containerPort : undefined
}

function cniDefinedBehaviour(check: Check, egress: DirectionVerdict, ingress: DirectionVerdict, options: EvaluateOptions): CniDefined[] {
  const found: CniDefined[] = []
  const { from, to } = check
  if ((options.loopback ?? 'allowed') === 'allowed' && isLoopback(from, to)) {
    found.push({ kind: 'loopback', note: 'a pod reaching itself: allowed by default whatever the policies say (as the upstream conformance tests expect); some CNIs apply policy to it' })
  }
  if ([from, to].some((e) => e.kind === 'pod' && e.pod.hostNetwork)) {
    found.push({ kind: 'host-network', note: 'a hostNetwork pod takes part: policies do not isolate it and pod selectors do not match it (its traffic carries the node address); CNIs differ' })
  }
  if (isFromNode(from)) {
    found.push({ kind: 'node', note: `traffic from node ${from.node}: allowed into pods by default (kubelet health checks need it); CNIs differ` })
  }
  const viaIpBlock = [egress, ingress].some((side) => side.allowedBy.some((r) => {
    const peer = side.direction === 'egress' ? to : from
    return peer.kind === 'pod' && typeof r.peer === 'number' && r.rule.peers?.[r.peer]?.kind === 'ipBlock'
  }))
  if (viaIpBlock) {
    found.push({ kind: 'ipblock-pod-ip', note: 'allowed because an ipBlock contains a pod IP: most CNIs match pod IPs this way, some (e.g. Cilium) do not' })
  }
  return found
}

export function labelsKey(labels: Readonly<Record<string, string>>): string {
  return Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`).join(',')
}
