// The connections a policy change gains and loses. Both sides share one class partition (built
// from the policies of both) and one compiled model: a policy object the change leaves alone is the
// same object on both sides, so it is compiled once (`compilePolicy` memoises by object). A side's
// verdict depends only on the policies of every tier that select its endpoint for that direction, so
// only the pairs whose source class is selected for egress, or whose destination class is selected
// for ingress, by a changed policy (before or after) can change: only those are evaluated.
import type { Direction } from './compile.js'
import { classify, type EndpointClass } from './classes.js'
import type { Endpoint } from './endpoint.js'
import type { Evaluator, Verdict } from './evaluate.js'
import type { PortQuery } from './matrix.js'
import { subjectSelects } from './tiers.js'

export type ChangeKind = 'gained' | 'lost'

export interface ConnectionChange {
  change: ChangeKind
  query: PortQuery
  /** Every source the change applies to (the members of one class in scope). */
  from: Endpoint[]
  to: Endpoint[]
  /** Verdicts of the class pair's representatives, before and after. */
  before: Verdict
  after: Verdict
}

export interface DiffRequest {
  sources: Endpoint[]
  destinations: Endpoint[]
  queries: PortQuery[]
  /** Whether a destination is checked on a query (`PortPlan.checks`); absent: every destination on every query. */
  checks?: (query: PortQuery, destination: Endpoint) => boolean
}

export interface ConnectionDiff {
  changes: ConnectionChange[]
  classes: number
  /** Class pairs evaluated (per port query) because a changed policy selects one of their sides. */
  evaluatedPairs: number
}

export function diffConnections(before: Evaluator, after: Evaluator, request: DiffRequest): ConnectionDiff {
  const classes = classify(before.endpoints, [...before.policies, ...after.policies], {
    admin: [...before.tiers.admin, ...after.tiers.admin],
    baseline: [...before.tiers.baseline, ...after.tiers.baseline],
  })
  const classOf = new Map<string, EndpointClass>(classes.flatMap((c) => c.members.map((m) => [m.key, c] as const)))
  const touched = touchedClasses(before, after, classes)
  const sourcesByClass = membersByClass(request.sources, classOf)
  const destinationsByClass = membersByClass(request.destinations, classOf)
  const changes: ConnectionChange[] = []
  let evaluatedPairs = 0
  for (const query of request.queries) {
    for (const [fromClass, from] of sourcesByClass) {
      for (const [toClass, to] of destinationsByClass) {
        if (!touched.egress.has(fromClass) && !touched.ingress.has(toClass)) continue
        if (request.checks && !request.checks(query, toClass.representative)) continue
        // A pod reaching itself is allowed whatever the policies say: only distinct pods can change.
        if (fromClass === toClass && from.length === 1 && to.length === 1 && from[0].key === to[0].key) continue
        evaluatedPairs++
        const check = { from: fromClass.representative, to: toClass.representative, ...query }
        const was = before.evaluate(check, { loopback: 'policy' })
        const is = after.evaluate(check, { loopback: 'policy' })
        if (was.allowed !== is.allowed) changes.push({ change: is.allowed ? 'gained' : 'lost', query, from, to, before: was, after: is })
      }
    }
  }
  return { changes, classes: classes.length, evaluatedPairs }
}

function membersByClass(endpoints: Endpoint[], classOf: Map<string, EndpointClass>): Map<EndpointClass, Endpoint[]> {
  const result = new Map<EndpointClass, Endpoint[]>()
  for (const endpoint of endpoints) {
    const c = classOf.get(endpoint.key)!
    result.set(c, [...(result.get(c) ?? []), endpoint])
  }
  return result
}

/** Classes selected, on either side of the change, by a policy the change adds, removes or alters. */
function touchedClasses(before: Evaluator, after: Evaluator, classes: EndpointClass[]): Record<Direction, Set<EndpointClass>> {
  // By content: a second set of files holds equal policies as other objects.
  const changed = <T extends { source: unknown }>(a: T[], b: T[]) => {
    const kept = new Set(b.map((p) => JSON.stringify(p.source)))
    return a.filter((p) => !kept.has(JSON.stringify(p.source)))
  }
  const policies = [...changed(before.policies, after.policies), ...changed(after.policies, before.policies)]
  const clusterPolicies = [
    ...changed([...before.tiers.admin, ...before.tiers.baseline], [...after.tiers.admin, ...after.tiers.baseline]),
    ...changed([...after.tiers.admin, ...after.tiers.baseline], [...before.tiers.admin, ...before.tiers.baseline]),
  ]
  const touched = (direction: Direction) => new Set(classes.filter(({ representative: e }) =>
    e.kind === 'pod' && !e.pod.hostNetwork && (
      policies.some((p) => p.ref.namespace === e.pod.namespace && p.rules[direction] !== undefined && p.selects.matches(e.pod.labels))
      || clusterPolicies.some((p) => p.rules[direction].length > 0 && subjectSelects(p, e)))))
  return { egress: touched('egress'), ingress: touched('ingress') }
}
