// Known ways real enforcers depart from the NetworkPolicy API, measured on the test cluster
// (test/cluster/README.md, "Enforcer deviations"). A disagreement one of them explains keeps its
// verdict — the connection really behaves that way — but the report names the cause. Pure.
import type { PolicyRef } from '../evaluate/compile.js'
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
    // kube-router runs a policy with both policy types through one chain for the traffic into and
    // out of each pod it selects, and an ingress rule there only tests addresses (destination among
    // the selected pods, source among its peers), which outgoing traffic between them matches too.
    id: 'kube-router/ingress-rule-lets-selected-pods-out',
    enforcer: 'kube-router',
    rule: 'a connection needs both the source\'s egress and the destination\'s ingress to allow it',
    behaviour: 'between pods that one policy selects for both ingress and egress, an ingress rule of that policy admitting the source (e.g. one with no `from`) also lets the connection out, although the source\'s egress denies it',
    matches: ({ verdict, prediction: { egress, ingress } }) =>
      verdict === 'under-enforced' && !egress.allowed && ingress.allowedBy.some((r) => egress.policies.some((p) => samePolicy(p.policy, r.rule.policy))),
  },
  {
    // kube-router v2.1.0 has no AdminNetworkPolicy support: it watches NetworkPolicies only.
    id: 'kube-router/admin-tiers-not-enforced',
    enforcer: 'kube-router',
    rule: 'an AdminNetworkPolicy rule decides before NetworkPolicy, and the BaselineAdminNetworkPolicy where no NetworkPolicy isolates the pod (policy.networking.k8s.io/v1alpha1)',
    behaviour: 'AdminNetworkPolicy and BaselineAdminNetworkPolicy are ignored: only NetworkPolicies are enforced',
    matches: ({ verdict, prediction: { egress, ingress } }) => {
      const byTier = [egress, ingress].filter((side) => side.decidedBy === 'admin' || side.decidedBy === 'baseline')
      return (verdict === 'under-enforced' && byTier.some((side) => !side.allowed)) || (verdict === 'over-enforced' && byTier.length > 0)
    },
  },
  {
    // It resolves an ingress rule's namedPort among the *source* pod's container ports; a probe pod
    // declares none, so the rule never matches and the traffic falls through to the tiers below.
    id: 'kube-network-policies/admin-ingress-named-port-on-source',
    enforcer: 'kube-network-policies',
    rule: 'an AdminNetworkPolicy ingress rule\'s namedPort is a port of the destination pod (its subject)',
    behaviour: 'an AdminNetworkPolicy ingress rule\'s namedPort is looked up among the source pod\'s ports, so for a probe pod (which declares none) the rule never applies',
    matches: ({ verdict, prediction: { ingress } }) => {
      const decided = ingress.decidedBy === 'admin' ? ingress.admin?.decidedBy : undefined
      const port = decided && typeof decided.port === 'number' ? decided.rule.ports?.find((p) => p.index === decided.port) : undefined
      if (port?.kind !== 'named') return false
      return (verdict === 'under-enforced' && decided!.rule.action === 'Deny') || (verdict === 'over-enforced' && decided!.rule.action === 'Allow')
    },
  },
  {
    // Its queue rule sits on the postrouting hook; a pod's packets to the node itself are delivered
    // locally and never pass there.
    id: 'kube-network-policies/node-address-unfiltered',
    enforcer: 'kube-network-policies',
    rule: 'an egress-isolated pod may only reach what its egress rules allow (the concepts page, though, always allows traffic to the pod\'s own node)',
    behaviour: 'a pod\'s connections to the address of the node it runs on are never filtered',
    matches: ({ verdict, job, prediction: { egress } }) =>
      verdict === 'under-enforced' && !egress.allowed && job.to.kind === 'external' && job.to.node !== undefined,
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

function samePolicy(a: PolicyRef, b: PolicyRef): boolean {
  return a.namespace === b.namespace && a.name === b.name
}
