// What the user asked predict, explain or probe about: parsed once (by the CLI flags), resolved here
// against the snapshot into the evaluator and the endpoints in scope. Pure.
import type { ClusterSnapshot, Protocol } from '../model/cluster.js'
import type { Endpoint } from './endpoint.js'
import { createEvaluator, type Evaluator } from './evaluate.js'
import { selectEndpoints } from './endpoint-match.js'
import { checkPortNames, externalAddresses, parseLabelSelector, portPlan, type EndpointPattern, type PortPlan } from './scope.js'
import { compileSelector } from './selector.js'

export interface Request {
  from: EndpointPattern[]
  to: EndpointPattern[]
  /** Port numbers or names; empty: each destination on the ports it declares (`destinationPorts`). */
  ports: Array<number | string>
  /** Absent: TCP for the asked ports, every protocol for the declared ones. */
  protocol?: Protocol
}

export interface RequestScope {
  /** Addresses outside the cluster to evaluate as endpoints. */
  externals: string[]
  /** kubectl label selector on the pods in scope (-l). */
  labelSelector?: string
  /** Which endpoints besides the selector's pods take part. */
  includes(endpoint: Endpoint): boolean
}

export interface ResolvedRequest {
  evaluator: Evaluator
  /** The endpoints in scope, before --from/--to. */
  inScope: Endpoint[]
  sources: Endpoint[]
  destinations: Endpoint[]
  /** The ports each destination is checked on. */
  ports: PortPlan
}

export function resolveRequest(snapshot: ClusterSnapshot, request: Request, scope: RequestScope): ResolvedRequest {
  const externals = [...new Set([...snapshot.externals, ...scope.externals, ...externalAddresses([...request.from, ...request.to], snapshot.pods)])]
  const evaluator = createEvaluator({ ...snapshot, externals })
  const selector = scope.labelSelector === undefined ? undefined : compileSelector(parseLabelSelector(scope.labelSelector))
  const inScope = evaluator.endpoints.filter((e) => (e.kind === 'external' || (selector?.matches(e.pod.labels) ?? true)) && scope.includes(e))
  const destinations = selectEndpoints(inScope, request.to, '--to')
  checkPortNames(request.ports, destinations)
  const ports = portPlan(request.ports, request.protocol, destinations)
  return { evaluator, inScope, sources: selectEndpoints(inScope, request.from, '--from'), destinations, ports }
}
