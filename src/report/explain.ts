// Renders an explanation the way a person preparing for CKA reasons about it: the source's egress
// side, the destination's ingress side, the deciding rule quoted as YAML, then the answer.
import type { ExplainedPolicy, ExplainedRule, ExplainedSide, ExplainedTier, Explanation, IgnoredRules } from '../evaluate/explain.js'
import type { PeerMiss, PortMiss, SelectorMiss } from '../evaluate/reasons.js'
import type { UnmetRequirement } from '../evaluate/selector.js'
import { NAMESPACE_NAME_LABEL, type Labels } from '../model/cluster.js'
import type { ExplainReport } from './model.js'
import { indent, toYaml } from './format.js'

export type ExplainFormat = 'text' | 'json' | 'yaml'

export function renderExplain(report: ExplainReport, format: ExplainFormat): string {
  if (format === 'json') return JSON.stringify(report, null, 2) + '\n'
  if (format === 'yaml') return toYaml(report)
  return report.explanations.map(explanationText).join('\n')
}

export function explanationText(e: Explanation): string {
  const port = e.resolvedPort !== undefined && e.resolvedPort !== e.port ? `${e.port} (= ${e.resolvedPort})` : `${e.port}`
  const lines = [
    `Connection: ${e.from} → ${e.to} on ${e.protocol}/${port}`,
    ...(e.self?.kind === 'replicas' ? [`  ${e.from} stands for every pod of ${e.self.workload}: this is one replica connecting to another, two different pods, so the policies decide`] : []),
    '',
    ...sideText(e.sides[0], e.from),
    '',
    ...sideText(e.sides[1], e.to),
    '',
    ...e.cniDefined.map((c) => `Note (CNI-defined): ${c.note}`),
    ...selfNote(e),
    `Result: ${e.allowed ? 'ALLOWED' : 'DENIED'}${resultReason(e)}`,
  ]
  return lines.join('\n') + '\n'
}

/** What a connection of an endpoint with itself is, and what it is not. */
function selfNote(e: Explanation): string[] {
  if (!e.self) return []
  if (e.self.kind === 'replicas') return ['Note: a replica connecting to its own IP is another case, the CNI-defined loopback: allowed by default whatever the policies say; some CNIs apply policy to it']
  const others = e.self.workload.startsWith('Pod ') ? 'another pod with its labels' : `another replica of ${e.self.workload}`
  const pod = e.self.pod ? `, ${e.self.pod} (a pod of ${e.self.workload}, read from its template),` : ''
  return [`Note: this is one pod${pod} connecting to its own IP. Between two different pods (${others}, or a probe pod carrying its identity) the policies decide: ${e.self.betweenPods ? 'ALLOWED' : 'DENIED'}`]
}

function sideText(side: ExplainedSide, endpoint: string): string[] {
  return [...sideVerdictText(side, endpoint), ...(side.ignored ?? []).map((i) => ignoredText(i, side.direction))]
}

function ignoredText(ignored: IgnoredRules, direction: string): string {
  const rules = ignored.rules === 1 ? `its ${direction} rule is` : `its ${ignored.rules} ${direction} rules are`
  return `  note: ${ignored.policy} selects this pod, but ${rules} switched off: policyTypes is [${ignored.policyTypes.join(', ')}] (add ${direction === 'ingress' ? 'Ingress' : 'Egress'} to enforce ${ignored.rules === 1 ? 'it' : 'them'})`
}

function sideVerdictText(side: ExplainedSide, endpoint: string): string[] {
  const title = side.direction === 'egress' ? `Egress from ${endpoint} (source side)` : `Ingress to ${endpoint} (destination side)`
  if (side.exempt === 'external') return [title, `  ${endpoint} is outside the cluster: no NetworkPolicy applies to it → allowed`]
  if (side.exempt === 'host-network') return [title, `  ${endpoint} uses the host network: NetworkPolicy does not isolate it → allowed`]
  const admin = side.admin ? tierText('AdminNetworkPolicy', side.admin, side.direction, 'NetworkPolicy') : []
  if (side.decidedBy === 'admin') return [title, ...admin, '  (NetworkPolicy and BaselineAdminNetworkPolicy are not consulted)']
  const baseline = side.baseline ? tierText('BaselineAdminNetworkPolicy', side.baseline, side.direction, 'the default (allowed)') : []
  return [title, ...admin, ...networkPolicyText(side, endpoint), ...baseline]
}

function tierText(kind: string, tier: ExplainedTier, direction: string, next: string): string[] {
  const lines = [`  ${kind}: selected by ${tier.policies.join(', ')}`]
  const deciding = tier.decided ? tier.rules[tier.rules.length - 1] : undefined
  if (!deciding) return [...lines, `  no ${kind} rule matches → on to ${next}`]
  const outcome = deciding.action === 'Pass' ? `→ passed on to ${next}` : deciding.action === 'Allow' ? '→ allowed' : '→ denied'
  lines.push(`  ${deciding.action === 'Deny' ? '✘' : '✔'} ${deciding.label}${matchDetail(deciding, direction)} ${outcome}:`)
  lines.push(indent(toYaml([deciding.rule]), '      '))
  return lines
}

function networkPolicyText(side: ExplainedSide, endpoint: string): string[] {
  if (!side.isolated) {
    const ns = endpoint.split('/')[0]
    const outcome = side.decidedBy === 'baseline' ? 'on to BaselineAdminNetworkPolicy' : 'allowed'
    return [`  not isolated: no NetworkPolicy in namespace ${ns} selects ${endpoint} for ${side.direction} → ${outcome}`]
  }
  const names = side.policies.map((p) => `${p.policy} (podSelector ${p.podSelector})`).join(', ')
  const lines = [`  isolated by ${side.policies.length} ${side.policies.length === 1 ? 'policy' : 'policies'}: ${names}`]
  const deciding = side.policies.flatMap((p) => p.rules.filter((r) => r.matched).map((r) => [p, r] as const))
  if (deciding.length > 0) {
    const [policy, rule] = deciding[0]
    lines.push(`  ✔ allowed by ${policy.policy} ${side.direction}[${rule.index}]${matchDetail(rule, side.direction)}:`)
    lines.push(indent(toYaml([rule.rule]), '      '))
    if (deciding.length > 1) lines.push(`  (also allowed by ${deciding.slice(1).map(([p, r]) => `${p.policy} ${side.direction}[${r.index}]`).join(', ')})`)
  } else {
    lines.push(`  ✘ no rule allows it → denied`)
    for (const policy of side.policies) lines.push(...whyNot(policy, side.direction))
  }
  return lines
}

function matchDetail(rule: Pick<ExplainedRule, 'peer' | 'port'>, direction: string): string {
  const list = direction === 'ingress' ? 'from' : 'to'
  const peer = rule.peer === 'all' ? `no ${list} list: any peer` : `${list}[${rule.peer}]`
  const port = rule.port === 'all' ? 'no ports list: any port' : `ports[${rule.port}]`
  return ` (${peer}; ${port})`
}

function whyNot(policy: ExplainedPolicy, direction: string): string[] {
  if (policy.rules.length === 0) return [`    ${policy.policy}: has no ${direction} rules (it only isolates)`]
  const list = direction === 'ingress' ? 'from' : 'to'
  return policy.rules.flatMap((r) => {
    const failed = [r.peer === 'none' ? 'the peer does not match' : '', r.port === 'none' ? 'the port/protocol does not match' : ''].filter(Boolean)
    return [
      `    ${policy.policy} ${direction}[${r.index}]: ${failed.join(' and ')}`,
      ...(r.peerMisses ?? []).flatMap((m) => peerMissText(m, list)),
      ...(r.portMisses ?? []).map((m) => `      ports[${m.entry}]: ${portMissText(m)}`),
    ]
  })
}

function peerMissText(miss: PeerMiss, list: string): string[] {
  const at = `      ${list}[${miss.entry}]: `
  switch (miss.kind) {
    case 'not-a-pod': return [at + (miss.reason === 'external'
      ? `selects pods; ${miss.peer} is not a pod`
      : `selects pods; ${miss.peer} uses the host network, so its traffic carries the node's address`)]
    case 'outside-cidr': return [at + (miss.addresses.length === 0
      ? `ipBlock ${miss.cidr}: the peer has no IP (no status.podIP), so no ipBlock can match it`
      : `ipBlock ${miss.cidr} does not contain ${miss.addresses.join(', ')}`)]
    case 'excepted': return [at + `${miss.address} is inside ipBlock ${miss.cidr} but excepted by ${miss.except}`]
    case 'other-namespace': return [
      at + `a podSelector without namespaceSelector only selects pods in ${miss.policyNamespace} (the policy's namespace); the peer is in ${miss.namespace}`,
      ...(miss.pods ? selectorMissText(miss.pods, 'podSelector', 'pod', '        ') : []),
    ]
    case 'selectors': {
      const parts = [
        ...(miss.namespace ? selectorMissText(miss.namespace, 'namespaceSelector', 'namespace', '') : []),
        ...(miss.pods ? selectorMissText(miss.pods, 'podSelector', 'pod', '') : []),
      ]
      return [at + parts[0], ...parts.slice(1).map((line) => `        ${line}`)]
    }
  }
}

function selectorMissText(miss: SelectorMiss, field: string, what: string, prefix: string): string[] {
  return [
    `${prefix}${field} ${miss.selector} does not match ${what} ${miss.subject} (labels: ${labelsText(miss.labels)}): ${miss.unmet.map(unmetText).join('; ')}`,
    ...miss.nearest.map((n) => `${prefix}nearest miss: it has ${n.has}, the selector wants ${n.wanted}${n.has.startsWith(`${NAMESPACE_NAME_LABEL}=`) ? ` (the API server sets ${NAMESPACE_NAME_LABEL} on every namespace; select on that key)` : ''}`),
  ]
}

function unmetText(u: UnmetRequirement): string {
  switch (u.operator) {
    case 'In': return u.actual === undefined ? `it has no label ${u.key} (wanted ${u.requirement})` : `${u.key} is ${JSON.stringify(u.actual)} (wanted ${u.requirement})`
    case 'NotIn': return `${u.key} is ${JSON.stringify(u.actual)}, which ${u.requirement} excludes`
    case 'Exists': return `it has no label ${u.key}`
    case 'DoesNotExist': return `it has label ${u.key}=${u.actual ?? ''}, which ${u.requirement} forbids`
  }
}

function labelsText(labels: Labels): string {
  const entries = Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`)
  return entries.length === 0 ? 'none' : entries.join(',')
}

function portMissText(miss: PortMiss): string {
  switch (miss.kind) {
    case 'protocol': return `is ${miss.wanted}, the connection is ${miss.actual}`
    case 'port': return miss.actual === undefined
      ? `port ${miss.wanted}; the asked port ${JSON.stringify(miss.asked)} is not declared by the destination, so it has no number`
      : `port ${miss.wanted}, the connection is on ${miss.actual}${typeof miss.asked === 'string' ? ` (${miss.asked})` : ''}`
    case 'named-port': {
      const name = `named port ${JSON.stringify(miss.name)}/${miss.protocol}`
      switch (miss.reason) {
        case 'not-a-pod': return `${name} is looked up on the destination pod; the destination is not a pod`
        case 'unresolved': return `${name}: the asked port is not declared by the destination, so it has no number`
        case 'undeclared': return `${name} is not declared by the destination pod, so it matches nothing there`
        case 'other-port': return `${name} is ${miss.declared} on the destination pod, the connection is on ${miss.actual}`
      }
    }
  }
}

function resultReason(e: Explanation): string {
  if (e.allowed && e.cniDefined.some((c) => c.kind === 'loopback')) return ' (a pod reaching itself)'
  const blocked = e.sides.filter((s) => !s.allowed).map((s) => (s.direction === 'egress' ? 'the source\'s egress' : 'the destination\'s ingress'))
  if (!e.allowed) return ` — blocked by ${blocked.join(' and ')}`
  return ' — both the source\'s egress and the destination\'s ingress allow it'
}
