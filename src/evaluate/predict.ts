// The predicted matrix for a set of sources, destinations and ports, over workload groups: one
// class matrix per port query, read per group pair (or per pod pair when asked). Nothing is
// expanded up front: a cell is two bitset lookups, and the evidence for a pair comes from
// `evaluate` on its class representatives, memoised per class pair, only when someone reads it.
import { classify, type EndpointClass } from './classes.js'
import type { Endpoint } from './endpoint.js'
import { decideAllowed, isFromNode, isLoopback, isSamePod, type CniDefined, type Evaluator, type Verdict } from './evaluate.js'
import { groupEndpoints, type EndpointGroup } from './groups.js'
import { classMatrix, type ClassMatrix, type PortQuery } from './matrix.js'

export interface PredictRequest {
  sources: Endpoint[]
  destinations: Endpoint[]
  queries: PortQuery[]
  /** Whether a destination is checked on a query (`PortPlan.checks`); absent: every destination on every query. */
  checks?: (query: PortQuery, destination: Endpoint) => boolean
}

export type CniDefinedKind = CniDefined['kind']

/** A connection's answer without its evidence: allowed, and the CNI-defined defaults it relies on. */
export interface PairVerdict {
  allowed: boolean
  cniDefined: readonly CniDefinedKind[]
}

export interface Prediction {
  queries: PortQuery[]
  sources: EndpointGroup[]
  destinations: EndpointGroup[]
  /**
   * Whether a destination (a pod, or a group's first member: a group's pods declare the same ports)
   * is checked on a query: cells it is not checked on are no connection at all, neither allowed nor denied.
   */
  checks(query: number, to: Endpoint): boolean
  /**
   * The verdict of every pod pair of two groups: distinct pods (a template stands for several);
   * only a lone pod with itself is loopback.
   */
  cell(query: number, from: EndpointGroup, to: EndpointGroup): PairVerdict
  /** One pod pair. */
  pair(query: number, from: Endpoint, to: Endpoint): PairVerdict
  /** The evidence for a pod pair (computed on first use, shared by its class pair). */
  verdict(query: number, from: Endpoint, to: Endpoint): Verdict
}

export function predictMatrix(evaluator: Evaluator, request: PredictRequest): Prediction {
  const classes = classify(evaluator.endpoints, evaluator.policies, evaluator.tiers)
  const classOf = new Map<string, EndpointClass>(classes.flatMap((c) => c.members.map((m) => [m.key, c] as const)))
  const classFor = (e: Endpoint) => classOf.get(e.key)!
  const matrices = request.queries.map((query) => classMatrix(evaluator, classes, query))
  const shared = request.queries.map(() => new Map<string, Verdict>())

  const decide = (query: number, from: Endpoint, to: Endpoint, fromClass: EndpointClass, toClass: EndpointClass, loopback: boolean): PairVerdict => {
    const matrix: ClassMatrix = matrices[query]
    const fromNode = isFromNode(from)
    // An external source has no egress policy: only the defaults and both sides decide.
    const allowed = decideAllowed({ loopback, fromNode }, () => true, () => matrix.allowed(fromClass, toClass))
    const hostNetwork = isHostNetwork(from) || isHostNetwork(to)
    return { allowed, cniDefined: cniDefinedList(loopback, hostNetwork, fromNode, matrix.reliesOnIpBlock(fromClass, toClass)) }
  }

  return {
    queries: request.queries,
    sources: groupEndpoints(request.sources, classFor),
    destinations: groupEndpoints(request.destinations, classFor),
    checks: (query, to) => request.checks?.(request.queries[query], to) ?? true,
    cell: (query, from, to) => {
      const [a, b] = [from.members[0], to.members[0]]
      const lonePod = from.key === to.key && from.members.length === 1 && to.members.length === 1
      return decide(query, a, b, classes[from.classId], classes[to.classId], lonePod && isSamePod(a, b))
    },
    pair: (query, from, to) => decide(query, from, to, classFor(from), classFor(to), isSamePod(from, to)),
    verdict: (query, from, to) => {
      const q = request.queries[query]
      // Loopback needs the real pair; any other pair shares the verdict of its class pair.
      if (isLoopback(from, to)) return evaluator.evaluate({ from, to, ...q }, { loopback: isSamePod(from, to) ? 'allowed' : 'policy' })
      const [fromClass, toClass] = [classFor(from), classFor(to)]
      const key = `${fromClass.id}:${toClass.id}`
      let verdict = shared[query].get(key)
      if (!verdict) {
        verdict = evaluator.evaluate({ from: fromClass.representative, to: toClass.representative, ...q })
        // Readers go row by row: a bounded memo keeps a wide listing of a large cluster in memory.
        if (shared[query].size >= VERDICT_MEMO) shared[query].clear()
        shared[query].set(key, verdict)
      }
      return { ...verdict, from: from.key, to: to.key, egress: { ...verdict.egress, endpoint: from.key }, ingress: { ...verdict.ingress, endpoint: to.key } }
    },
  }
}

const VERDICT_MEMO = 50_000

function isHostNetwork(endpoint: Endpoint): boolean {
  return endpoint.kind === 'pod' && endpoint.pod.hostNetwork
}

// One frozen list per combination, in the order `evaluate` reports them: cells allocate nothing.
const CNI_DEFINED_LISTS: ReadonlyArray<readonly CniDefinedKind[]> = Array.from({ length: 16 }, (_, bits) =>
  Object.freeze((['loopback', 'host-network', 'node', 'ipblock-pod-ip'] as const).filter((_, i) => (bits & (1 << i)) !== 0)))

function cniDefinedList(loopback: boolean, hostNetwork: boolean, node: boolean, ipBlock: boolean): readonly CniDefinedKind[] {
  return CNI_DEFINED_LISTS[Number(loopback) | Number(hostNetwork) << 1 | Number(node) << 2 | Number(ipBlock) << 3]
}
