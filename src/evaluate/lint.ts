// Warnings about policies that are legal but very likely not what their author meant.
import { DNS_LABELS, type ClusterSnapshot, type Namespace, type UnevaluatedPolicy } from '../model/cluster.js'
import { groupBy } from '../model/collections.js'
import type { CompiledPolicy, CompiledRule, PeerMatcher } from './compile.js'
import type { Endpoint, PodEndpoint } from './endpoint.js'
import { peerMatches, type Evaluator } from './evaluate.js'

export type LintCode = 'selects-nothing' | 'peer-matches-nothing' | 'undeclared-named-port' | 'no-dns-egress'
  | 'policy-not-evaluated' | 'domain-names-not-evaluated'

export interface LintWarning {
  code: LintCode
  policy?: string
  /** Where in the policy, e.g. `spec.ingress[0].from[1]`. */
  field?: string
  message: string
}

const DNS_PORT = 53

/** What the snapshot saw: warnings about pods it did not read would be guesses. */
export interface LintScope {
  /** Pods were filtered by labels: "selects nothing" cannot be judged. */
  podsFiltered: boolean
  /** Namespaces whose pods were not read. */
  unreadNamespaces: Namespace[]
  /** Policies the prediction ignores (ClusterNetworkPolicy; kinds the user may not read). */
  unevaluatedPolicies?: UnevaluatedPolicy[]
}

export function lintScopeOf(snapshot: ClusterSnapshot): LintScope {
  const read = snapshot.podScope?.namespaces
  return {
    podsFiltered: snapshot.podScope?.labelSelector !== undefined,
    unreadNamespaces: read ? snapshot.namespaces.filter((ns) => !read.includes(ns.name)) : [],
    unevaluatedPolicies: snapshot.unevaluatedPolicies ?? [],
  }
}

export function lint(evaluator: Evaluator, scope: LintScope = { podsFiltered: false, unreadNamespaces: [] }): LintWarning[] {
  const pods = evaluator.endpoints.filter((e): e is PodEndpoint => e.kind === 'pod' && !e.pod.hostNetwork)
  return [
    ...(scope.podsFiltered ? [] : evaluator.policies.flatMap((policy) => lintPolicy(policy, pods, scope.unreadNamespaces))),
    ...lintDns(evaluator, pods),
    ...(scope.unevaluatedPolicies ?? []).map(({ policy, reason }): LintWarning => ({
      code: 'policy-not-evaluated', policy,
      message: `${policy} is not evaluated (${reason}): the prediction ignores it, and the enforcer may not`,
    })),
    ...lintDomainNames(evaluator),
  ]
}

/** A `domainNames` peer needs DNS answers: the prediction treats it as matching nothing. */
function lintDomainNames(evaluator: Evaluator): LintWarning[] {
  return [...evaluator.tiers.admin, ...evaluator.tiers.baseline].flatMap((policy) => policy.rules.egress.flatMap((rule) =>
    rule.peers.filter((p) => p.kind === 'domainNames').map((peer): LintWarning => ({
      code: 'domain-names-not-evaluated',
      policy: `AdminNetworkPolicy/${policy.ref.name}`,
      field: `spec.egress[${rule.index}].to[${peer.index}]`,
      message: `AdminNetworkPolicy/${policy.ref.name} egress[${rule.index}] allows domain names, which the prediction cannot resolve: it treats them as matching nothing`,
    }))))
}

function lintPolicy(policy: CompiledPolicy, pods: PodEndpoint[], unreadNamespaces: Namespace[]): LintWarning[] {
  const name = `${policy.ref.namespace}/${policy.ref.name}`
  const selected = pods.filter((p) => p.pod.namespace === policy.ref.namespace && policy.selects.matches(p.pod.labels))
  const warnings: LintWarning[] = []
  if (selected.length === 0) {
    warnings.push({ code: 'selects-nothing', policy: name, field: 'spec.podSelector', message: `${name} selects no pod (podSelector ${policy.selects.text} in namespace ${policy.ref.namespace})` })
  }
  for (const rule of [...(policy.rules.ingress ?? []), ...(policy.rules.egress ?? [])]) {
    warnings.push(...lintPeers(name, rule, pods, unreadNamespaces))
    warnings.push(...lintNamedPorts(name, rule, rule.direction === 'ingress' ? selected : pods))
  }
  return warnings
}

function ruleField(rule: CompiledRule): string {
  return `spec.${rule.direction}[${rule.index}]`
}

function lintPeers(name: string, rule: CompiledRule, pods: PodEndpoint[], unreadNamespaces: Namespace[]): LintWarning[] {
  const list = rule.direction === 'ingress' ? 'from' : 'to'
  const mayMatchUnread = (peer: Extract<PeerMatcher, { kind: 'pods' }>) => {
    const namespaces = peer.namespaces
    return namespaces.kind === 'selected' && unreadNamespaces.some((ns) => namespaces.matcher.matches(ns.labels))
  }
  return (rule.peers ?? [])
    .filter((peer): peer is Extract<PeerMatcher, { kind: 'pods' }> => peer.kind === 'pods')
    .filter((peer) => !mayMatchUnread(peer) && !pods.some((p) => peerMatches(peer, p)))
    .map((peer) => ({
      code: 'peer-matches-nothing' as const,
      policy: name,
      field: `${ruleField(rule)}.${list}[${peer.index}]`,
      message: `${name} ${ruleField(rule)}.${list}[${peer.index}] matches no pod (${describePeer(peer)})`,
    }))
}

function describePeer(peer: Extract<PeerMatcher, { kind: 'pods' }>): string {
  const ns = peer.namespaces.kind === 'policy-namespace' ? `namespace ${peer.namespaces.name}` : `namespaces ${peer.namespaces.matcher.text}`
  return `pods ${peer.pods.text} in ${ns}`
}

/** Ingress named ports must be declared by a selected pod; egress ones by some pod the rule could reach. */
function lintNamedPorts(name: string, rule: CompiledRule, candidates: PodEndpoint[]): LintWarning[] {
  return (rule.ports ?? []).flatMap((port) => {
    if (port.kind !== 'named') return []
    const declared = candidates.some((p) => p.pod.ports.some((c) => c.name === port.name && c.protocol === port.protocol))
    return declared ? [] : [{
      code: 'undeclared-named-port' as const,
      policy: name,
      field: `${ruleField(rule)}.ports[${port.index}]`,
      message: `${name} ${ruleField(rule)}.ports[${port.index}] names port "${port.name}"/${port.protocol}, which ${rule.direction === 'ingress' ? 'no selected pod' : 'no pod'} declares: it matches nothing`,
    }]
  })
}

/**
 * Pods isolated for egress whose policies allow neither UDP nor TCP 53 to anything that could be
 * DNS: the cluster DNS pods when the snapshot has them, otherwise any destination.
 */
function lintDns(evaluator: Evaluator, pods: PodEndpoint[]): LintWarning[] {
  const dnsServers: Endpoint[] = pods.filter((p) => Object.entries(DNS_LABELS).every(([key, value]) => p.pod.labels[key] === value))
  const stranded = pods.filter((pod) => evaluator.selecting(pod, 'egress').length > 0 && !hasDnsPath(evaluator, pod, dnsServers))
  const byNamespace = groupBy(stranded, (p) => p.pod.namespace)
  return [...byNamespace.entries()].map(([namespace, inNamespace]) => {
    const names = inNamespace.map((p) => p.pod.name)
    return {
      code: 'no-dns-egress' as const,
      message: `egress isolation leaves no DNS path (UDP/TCP 53) for ${names.length} pod(s) in ${namespace}: ${names.slice(0, 5).join(', ')}${names.length > 5 ? ', …' : ''}; name lookups will fail`,
    }
  })
}

function hasDnsPath(evaluator: Evaluator, pod: PodEndpoint, dnsServers: Endpoint[]): boolean {
  const protocols = ['UDP', 'TCP'] as const
  if (dnsServers.length > 0) {
    return dnsServers.some((to) => protocols.some((protocol) => evaluator.evaluate({ from: pod, to, port: DNS_PORT, protocol }).egress.allowed))
  }
  return evaluator.selecting(pod, 'egress').some((policy) => (policy.rules.egress ?? []).some((rule) =>
    !rule.ports || rule.ports.some((port) => port.kind === 'protocol' || (port.kind === 'range' && port.first <= DNS_PORT && port.last >= DNS_PORT))))
}
