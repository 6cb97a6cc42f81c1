// Warnings about policies that are legal but very likely not what their author meant.
import type { CompiledPolicy, CompiledRule, PeerMatcher } from './compile.js'
import type { Endpoint, PodEndpoint } from './endpoint.js'
import { peerMatches, type Evaluator } from './evaluate.js'

export type LintCode = 'selects-nothing' | 'peer-matches-nothing' | 'undeclared-named-port' | 'no-dns-egress'

export interface LintWarning {
  code: LintCode
  policy?: string
  /** Where in the policy, e.g. `spec.ingress[0].from[1]`. */
  field?: string
  message: string
}

const DNS_PORT = 53

export function lint(evaluator: Evaluator): LintWarning[] {
  const pods = evaluator.endpoints.filter((e): e is PodEndpoint => e.kind === 'pod' && !e.pod.hostNetwork)
  return [
    ...evaluator.policies.flatMap((policy) => lintPolicy(policy, pods)),
    ...lintDns(evaluator, pods),
  ]
}

function lintPolicy(policy: CompiledPolicy, pods: PodEndpoint[]): LintWarning[] {
  const name = `${policy.ref.namespace}/${policy.ref.name}`
  const selected = pods.filter((p) => p.pod.namespace === policy.ref.namespace && policy.selects.matches(p.pod.labels))
  const warnings: LintWarning[] = []
  if (selected.length === 0) {
    warnings.push({ code: 'selects-nothing', policy: name, field: 'spec.podSelector', message: `${name} selects no pod (podSelector ${policy.selects.text} in namespace ${policy.ref.namespace})` })
  }
  for (const rule of [...(policy.rules.ingress ?? []), ...(policy.rules.egress ?? [])]) {
    warnings.push(...lintPeers(name, rule, pods))
    warnings.push(...lintNamedPorts(name, rule, rule.direction === 'ingress' ? selected : pods))
  }
  return warnings
}

function ruleField(rule: CompiledRule): string {
  return `spec.${rule.direction}[${rule.index}]`
}

function lintPeers(name: string, rule: CompiledRule, pods: PodEndpoint[]): LintWarning[] {
  const list = rule.direction === 'ingress' ? 'from' : 'to'
  return (rule.peers ?? [])
    .filter((peer): peer is Extract<PeerMatcher, { kind: 'pods' }> => peer.kind === 'pods')
    .filter((peer) => !pods.some((p) => peerMatches(peer, p)))
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
  const dnsServers: Endpoint[] = pods.filter((p) => p.pod.labels['k8s-app'] === 'kube-dns')
  const stranded = pods.filter((pod) => evaluator.selecting(pod, 'egress').length > 0 && !hasDnsPath(evaluator, pod, dnsServers))
  const byNamespace = new Map<string, string[]>()
  for (const p of stranded) byNamespace.set(p.pod.namespace, [...(byNamespace.get(p.pod.namespace) ?? []), p.pod.name])
  return [...byNamespace.entries()].map(([namespace, names]) => ({
    code: 'no-dns-egress' as const,
    message: `egress isolation leaves no DNS path (UDP/TCP 53) for ${names.length} pod(s) in ${namespace}: ${names.slice(0, 5).join(', ')}${names.length > 5 ? ', …' : ''}; name lookups will fail`,
  }))
}

function hasDnsPath(evaluator: Evaluator, pod: PodEndpoint, dnsServers: Endpoint[]): boolean {
  const protocols = ['UDP', 'TCP'] as const
  if (dnsServers.length > 0) {
    return dnsServers.some((to) => protocols.some((protocol) => evaluator.evaluate({ from: pod, to, port: DNS_PORT, protocol }).egress.allowed))
  }
  return evaluator.selecting(pod, 'egress').some((policy) => (policy.rules.egress ?? []).some((rule) =>
    !rule.ports || rule.ports.some((port) => port.kind === 'protocol' || (port.kind === 'range' && port.first <= DNS_PORT && port.last >= DNS_PORT))))
}
