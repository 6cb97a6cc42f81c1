// The one-line reason of a verdict, for reports that list many findings: which rule allowed the
// connection, or which side's policies blocked it. The full trace is `explanationText`.
import type { ExplainedSide, Explanation } from '../evaluate/explain.js'

/** `denied by x/only-x ingress (no rule matches)`, `allowed by y/web egress[1] and x/api ingress[0]`. */
export function decidingRule(e: Explanation): string {
  if (e.allowed && e.cniDefined.some((c) => c.kind === 'loopback')) return 'allowed (a pod reaching itself)'
  if (!e.allowed) return `denied by ${e.sides.filter((s) => !s.allowed).map(blockedBy).join(' and ')}`
  const rules = e.sides.flatMap((s) => (s.isolated ? [allowingRule(s)] : []))
  return rules.length > 0 ? `allowed by ${rules.join(' and ')}` : 'allowed (no policy isolates either side)'
}

function blockedBy(side: ExplainedSide): string {
  return `${side.policies.map((p) => p.policy).join(', ')} ${side.direction} (no rule matches)`
}

function allowingRule(side: ExplainedSide): string {
  for (const policy of side.policies) {
    const rule = policy.rules.find((r) => r.matched)
    if (rule) return `${policy.policy} ${side.direction}[${rule.index}]`
  }
  return `${side.direction} of ${side.endpoint}`
}
