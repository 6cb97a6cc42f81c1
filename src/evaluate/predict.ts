// The predicted matrix for a set of sources, destinations and ports: one class matrix per port
// query, expanded to every endpoint pair. Evidence for a pair comes from `evaluate` on the pair's
// class representatives, memoised per class pair, so it is only paid for when someone reads it.
import { classify, type EndpointClass } from './classes.js'
import type { Endpoint } from './endpoint.js'
import { decideAllowed, isFromNode, isLoopback, type Evaluator, type Verdict } from './evaluate.js'
import { classMatrix, type PortQuery } from './matrix.js'

export interface PredictedConnection {
  from: Endpoint
  to: Endpoint
  query: PortQuery
  allowed: boolean
  /** The evidence for this pair, including CNI-defined behaviour (computed on first use). */
  verdict(): Verdict
}

export interface PredictRequest {
  sources: Endpoint[]
  destinations: Endpoint[]
  queries: PortQuery[]
}

export function predictConnections(evaluator: Evaluator, request: PredictRequest): PredictedConnection[] {
  const classes = classify(evaluator.endpoints, evaluator.policies, evaluator.tiers)
  const classOf = new Map<string, EndpointClass>(classes.flatMap((c) => c.members.map((m) => [m.key, c] as const)))
  const results: PredictedConnection[] = []
  for (const query of request.queries) {
    const matrix = classMatrix(evaluator, classes, query)
    const shared = new Map<string, Verdict>()
    for (const from of request.sources) {
      for (const to of request.destinations) {
        const fromClass = classOf.get(from.key)!
        const toClass = classOf.get(to.key)!
        results.push({
          from, to, query,
          // An external source has no egress policy: only the defaults and both sides decide.
          allowed: decideAllowed({ loopback: isLoopback(from, to), fromNode: isFromNode(from) }, () => true, () => matrix.allowed(fromClass, toClass)),
          verdict: () => {
            // Loopback needs the real pair; any other pair shares the verdict of its class pair.
            if (isLoopback(from, to)) return evaluator.evaluate({ from, to, ...query })
            const key = `${fromClass.id}:${toClass.id}`
            let verdict = shared.get(key)
            if (!verdict) {
              verdict = evaluator.evaluate({ from: fromClass.representative, to: toClass.representative, ...query })
              shared.set(key, verdict)
            }
            return {
              ...verdict,
              from: from.key,
              to: to.key,
              egress: { ...verdict.egress, endpoint: from.key },
              ingress: { ...verdict.ingress, endpoint: to.key },
            }
          },
        })
      }
    }
  }
  return results
}
