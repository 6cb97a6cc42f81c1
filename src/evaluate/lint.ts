// Warnings about policies that are legal but very likely not what their author meant.
import {
  DNS_LABELS, DNS_NAMESPACE, NAMESPACE_NAME_LABEL, type ClusterSnapshot, type Namespace, type SkippedInput, type UnevaluatedPolicy,
} from '../model/cluster.js'
import { groupBy } from '../model/collections.js'
import { ignoredPolicyKind } from '../model/policy-kinds.js'
import { DIRECTIONS, type CompiledPolicy, type CompiledRule, type PeerMatcher } from './compile.js'
import { podEndpoint, type Endpoint, type PodEndpoint } from './endpoint.js'
import { labelsKey, peerMatches, type Evaluator } from './evaluate.js'

export type LintCode =
  | 'selects-nothing' | 'peer-matches-nothing' | 'undeclared-named-port' | 'no-dns-egress' | 'udp-only-dns'
  | 'rules-ignored-by-policy-types' | 'skipped-policy-kind' | 'not-a-manifest'
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
  /** What the input held that the snapshot did not read. */
  skipped?: SkippedInput
  /** Policies the prediction ignores (ClusterNetworkPolicy; kinds the user may not read). */
  unevaluatedPolicies?: UnevaluatedPolicy[]
}

export function lintScopeOf(snapshot: ClusterSnapshot): LintScope {
  const read = snapshot.podScope?.namespaces
  return {
    podsFiltered: snapshot.podScope?.labelSelector !== undefined,
    unreadNamespaces: read ? snapshot.namespaces.filter((ns) => !read.includes(ns.name)) : [],
    skipped: snapshot.skipped,
    unevaluatedPolicies: snapshot.unevaluatedPolicies ?? [],
  }
}

export function lint(evaluator: Evaluator, scope: LintScope = { podsFiltered: false, unreadNamespaces: [] }): LintWarning[] {
  const pods = evaluator.endpoints.filter((e): e is PodEndpoint => e.kind === 'pod' && !e.pod.hostNetwork)
  return [
    ...lintSkipped(scope.skipped),
    ...evaluator.policies.flatMap(lintPolicyTypes),
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

/** Rules written for a direction the policy's policyTypes leaves out: the API server keeps them, nothing enforces them. */
function lintPolicyTypes(policy: CompiledPolicy): LintWarning[] {
  const name = `${policy.ref.namespace}/${policy.ref.name}`
  return DIRECTIONS.flatMap((direction) => {
    const written = policy.source.spec[direction]?.length ?? 0
    if (policy.rules[direction] !== undefined || written === 0) return []
    const type = direction === 'ingress' ? 'Ingress' : 'Egress'
    return [{
      code: 'rules-ignored-by-policy-types' as const,
      policy: name,
      field: `spec.${direction}`,
      message: `${name} has ${written} ${direction} rule(s) but policyTypes is [${(policy.source.spec.policyTypes ?? []).join(', ')}]: they are ignored (add ${type} to policyTypes, or remove them)`,
    }]
  })
}

function lintSkipped(skipped: SkippedInput | undefined): LintWarning[] {
  if (!skipped) return []
  const byKind = groupBy(skipped.objects, (o) => `${o.kind} ${o.apiVersion ?? ''}`)
  return [
    ...[...byKind.values()].map((objects) => {
      const { kind, apiVersion } = objects[0]
      const owner = ignoredPolicyKind(kind, apiVersion)?.owner ?? 'the network plugin'
      const names = objects.map((o) => [o.namespace, o.name].filter(Boolean).join('/') || o.where)
      return {
        code: 'skipped-policy-kind' as const,
        message: `${objects.length} ${kind} (${apiVersion ?? 'no apiVersion'}) not evaluated: ${names.slice(0, 5).join(', ')}${names.length > 5 ? ', …' : ''}; the prediction ignores ${objects.length === 1 ? 'it' : 'them'}, what enforces ${objects.length === 1 ? 'it' : 'them'}: ${owner}`,
      }
    }),
    ...skipped.files.map((file) => ({ code: 'not-a-manifest' as const, message: `skipped ${file}` })),
  ]
}

/**
 * Pods isolated for egress whose policies leave no path to the cluster DNS on port 53: the DNS
 * pods when the snapshot has them, otherwise a pod with the conventional kube-dns labels in
 * kube-system. UDP without TCP is a warning of its own: resolvers fall back to TCP for large answers.
 */
function lintDns(evaluator: Evaluator, pods: PodEndpoint[]): LintWarning[] {
  const found: Endpoint[] = pods.filter((p) => isDnsPod(p.pod.labels))
  const dnsServers = found.length > 0 ? found : [assumedDnsPod(evaluator)]
  const assumed = found.length === 0
  const paths = new Map<string, DnsPath>()
  const pathOf = (pod: PodEndpoint) => {
    const key = `${pod.pod.namespace}\0${labelsKey(pod.pod.labels)}`
    let path = paths.get(key)
    if (!path) paths.set(key, path = dnsPath(evaluator, pod, dnsServers, assumed))
    return path
  }
  const isolated = pods.filter((pod) => !isDnsPod(pod.pod.labels) && evaluator.selecting(pod, 'egress').length > 0)
  const none = isolated.filter((pod) => !pathOf(pod).udp && !pathOf(pod).tcp)
  const udpOnly = isolated.filter((pod) => pathOf(pod).udp && !pathOf(pod).tcp)
  const where = assumed ? 'the cluster DNS (assumed: k8s-app=kube-dns pods in kube-system)' : 'the cluster DNS pods'
  return [
    ...perNamespace(none, (namespace, names) => ({
      code: 'no-dns-egress' as const,
      message: `egress isolation leaves no DNS path (UDP/TCP 53 to ${where}) for ${names.length} pod(s) in ${namespace}: ${listed(names)}; name lookups will fail`,
    })),
    ...perNamespace(udpOnly, (namespace, names) => ({
      code: 'udp-only-dns' as const,
      message: `egress allows DNS over UDP 53 but not TCP 53 (to ${where}) for ${names.length} pod(s) in ${namespace}: ${listed(names)}; lookups with large answers (TCP fallback) will fail`,
    })),
  ]
}

interface DnsPath {
  udp: boolean
  tcp: boolean
}

function isDnsPod(labels: Readonly<Record<string, string>>): boolean {
  return Object.entries(DNS_LABELS).every(([key, value]) => labels[key] === value)
}

function perNamespace(pods: PodEndpoint[], warning: (namespace: string, names: string[]) => LintWarning): LintWarning[] {
  return [...groupBy(pods, (p) => p.pod.namespace).entries()].map(([namespace, inNamespace]) => warning(namespace, inNamespace.map((p) => p.pod.name)))
}

function listed(names: string[]): string {
  return `${names.slice(0, 5).join(', ')}${names.length > 5 ? ', …' : ''}`
}

/** A DNS pod as clusters conventionally run it, for inputs that do not include one. It has no IP: ipBlock rules are judged apart. */
function assumedDnsPod(evaluator: Evaluator): PodEndpoint {
  const namespace = evaluator.endpoints.find((e): e is PodEndpoint => e.kind === 'pod' && e.pod.namespace === DNS_NAMESPACE)?.namespaceLabels
  return podEndpoint({
    namespace: DNS_NAMESPACE,
    name: 'kube-dns',
    labels: DNS_LABELS,
    ips: [],
    ports: [{ name: 'dns', containerPort: DNS_PORT, protocol: 'UDP' }, { name: 'dns-tcp', containerPort: DNS_PORT, protocol: 'TCP' }],
    hostNetwork: false,
  }, namespace ?? { [NAMESPACE_NAME_LABEL]: DNS_NAMESPACE })
}

function dnsPath(evaluator: Evaluator, pod: PodEndpoint, dnsServers: Endpoint[], assumed: boolean): DnsPath {
  const allows = (protocol: 'UDP' | 'TCP') =>
    dnsServers.some((to) => evaluator.evaluate({ from: pod, to, port: DNS_PORT, protocol }).egress.allowed) ||
    (assumed && ipBlockAllowsDns(evaluator, pod, protocol))
  return { udp: allows('UDP'), tcp: allows('TCP') }
}

/** With an assumed DNS pod (no IP), an egress rule to any ipBlock that covers port 53 gets the benefit of the doubt. */
function ipBlockAllowsDns(evaluator: Evaluator, pod: PodEndpoint, protocol: 'UDP' | 'TCP'): boolean {
  return evaluator.selecting(pod, 'egress').some((policy) => (policy.rules.egress ?? []).some((rule) =>
    rule.peers?.some((peer) => peer.kind === 'ipBlock') &&
    (!rule.ports || rule.ports.some((port) => port.protocol === protocol &&
      (port.kind === 'protocol' || (port.kind === 'range' && port.first <= DNS_PORT && port.last >= DNS_PORT) || port.kind === 'named')))))
}
