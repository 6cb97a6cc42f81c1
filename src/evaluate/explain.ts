// A verdict turned into plain data a person (or another program) can read: for each side, the
// policies that select the endpoint and, rule by rule, what matched. Raw rules are kept so a
// renderer can quote the deciding one as written.
import type { NetworkPolicyEgressRule, NetworkPolicyIngressRule, Protocol } from '../model/cluster.js'
import type { Direction } from './compile.js'
import type { CniDefined, EntryMatch, Evaluator, RuleVerdict, Verdict } from './evaluate.js'

/** A rule as reports name it: `namespace/policy direction[index]`. */
export function ruleLabel(r: RuleVerdict): string {
  return `${r.rule.policy.namespace}/${r.rule.policy.name} ${r.rule.direction}[${r.rule.index}]`
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
}

export interface ExplainedSide {
  direction: Direction
  endpoint: string
  exempt?: 'external' | 'host-network'
  isolated: boolean
  allowed: boolean
  policies: ExplainedPolicy[]
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
}

export function explain(verdict: Verdict, evaluator: Evaluator): Explanation {
  const sources = new Map(evaluator.policies.map((p) => [`${p.ref.namespace}/${p.ref.name}`, p]))
  const side = (v: Verdict['egress']): ExplainedSide => ({
    direction: v.direction,
    endpoint: v.endpoint,
    exempt: v.exempt,
    isolated: v.isolated,
    allowed: v.allowed,
    policies: v.policies.map((p) => {
      const name = `${p.policy.namespace}/${p.policy.name}`
      const compiled = sources.get(name)!
      const rawRules = (v.direction === 'ingress' ? compiled.source.spec.ingress : compiled.source.spec.egress) ?? []
      return {
        policy: name,
        podSelector: compiled.selects.text,
        rules: p.rules.map((r) => ({ index: r.rule.index, matched: r.matched, peer: r.peer, port: r.port, rule: rawRules[r.rule.index] })),
      }
    }),
  })
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
