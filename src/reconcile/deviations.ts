// Known ways real enforcers depart from the NetworkPolicy API, measured on the test cluster
// (test/cluster/README.md, "Enforcer deviations"). A disagreement one of them explains keeps its
// verdict — the connection really behaves that way — but the report names the cause. Pure.
import type { ReconciledCheck } from './reconcile.js'

export const ENFORCERS = ['kube-router', 'kube-network-policies'] as const
export type Enforcer = (typeof ENFORCERS)[number]

export interface KnownDeviation {
  id: string
  enforcer: Enforcer
  /** The rule of the API the enforcer departs from. */
  rule: string
  /** What the enforcer does instead. */
  behaviour: string
  matches(check: ReconciledCheck): boolean
}

export const KNOWN_DEVIATIONS: readonly KnownDeviation[] = [
  {
    id: 'kube-router/ingress-from-all-skips-egress',
    enforcer: 'kube-router',
    rule: 'a connection needs both the source\'s egress and the destination\'s ingress to allow it',
    behaviour: 'an ingress rule with no `from` admits the connection although the source\'s egress policies deny it',
    matches: ({ verdict, prediction: { egress, ingress } }) =>
      verdict === 'under-enforced' && !egress.allowed && ingress.allowed && ingress.allowedBy.some((r) => r.rule.peers === undefined),
  },
]

export function knownDeviation(check: ReconciledCheck, enforcer: Enforcer | undefined): KnownDeviation | undefined {
  if (enforcer === undefined) return undefined
  return KNOWN_DEVIATIONS.find((d) => d.enforcer === enforcer && d.matches(check))
}

/** The check with the deviation that explains it named in its note (unchanged when none does). */
export function nameKnownDeviation(check: ReconciledCheck, enforcer: Enforcer | undefined): ReconciledCheck {
  const deviation = knownDeviation(check, enforcer)
  if (!deviation) return check
  const note = `known ${deviation.enforcer} deviation (${deviation.id}): ${deviation.behaviour}; the API says ${deviation.rule}`
  return { ...check, knownDeviation: deviation.id, note: check.note ? `${note}. ${check.note}` : note }
}
