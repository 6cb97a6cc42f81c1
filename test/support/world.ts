// Small worlds for evaluator tests: the upstream conformance model (namespaces x, y, z with pods
// a, b, c, each serving 80 and 81 over TCP, UDP and SCTP under named ports), plus helpers to write
// policies and read a predicted truth table.
import type { ClusterSnapshot, NetworkPolicy, Pod, Protocol } from '../../src/model/cluster.js'
import { emptySnapshot } from '../../src/model/cluster.js'
import { createEvaluator } from '../../src/evaluate/evaluate.js'
import { predictMatrix, type PairVerdict, type Prediction } from '../../src/evaluate/predict.js'
import type { Endpoint } from '../../src/evaluate/endpoint.js'

export const NAMESPACES = ['x', 'y', 'z']
export const POD_NAMES = ['a', 'b', 'c']
export const PODS = NAMESPACES.flatMap((ns) => POD_NAMES.map((p) => `${ns}/${p}`))
export const EXTERNAL_V4 = '198.19.250.7'
export const EXTERNAL_V6 = 'fd00:250::7'

export function upstreamPod(ns: string, name: string, extra: Partial<Pod> = {}): Pod {
  const ports = [80, 81].flatMap((port) => (['TCP', 'UDP', 'SCTP'] as Protocol[]).map((protocol) =>
    ({ name: `serve-${port}-${protocol.toLowerCase()}`, containerPort: port, protocol })))
  return {
    namespace: ns,
    name,
    labels: { pod: name },
    ips: [`198.18.${NAMESPACES.indexOf(ns) + 1}.${POD_NAMES.indexOf(name) + 10}`, `fd00:${NAMESPACES.indexOf(ns) + 1}::${POD_NAMES.indexOf(name) + 10}`],
    ports,
    hostNetwork: false,
    ...extra,
  }
}

export function upstreamWorld(policies: NetworkPolicy[] = [], externals: string[] = []): ClusterSnapshot {
  return {
    ...emptySnapshot(),
    namespaces: NAMESPACES.map((ns) => ({ name: ns, labels: { ns, 'kubernetes.io/metadata.name': ns } })),
    pods: NAMESPACES.flatMap((ns) => POD_NAMES.map((p) => upstreamPod(ns, p))),
    policies,
    externals,
  }
}

export function policy(namespace: string, name: string, spec: Partial<NetworkPolicy['spec']>): NetworkPolicy {
  return { namespace, name, spec: { podSelector: {}, ...spec } }
}

/** Every allowed pair as `from->to`, for one port and protocol. */
export function allowedPairs(world: ClusterSnapshot, port: number | string = 80, protocol: Protocol = 'TCP'): Set<string> {
  const evaluator = createEvaluator(world)
  const endpoints = evaluator.endpoints
  const prediction = predictMatrix(evaluator, { sources: endpoints, destinations: endpoints, queries: [{ port, protocol }] })
  return new Set([...podPairs(prediction, 0)].filter((c) => c.verdict.allowed).map((c) => `${c.from.key}->${c.to.key}`))
}

/** All ordered pairs among the given endpoints, minus those `denied` returns true for. */
export function pairsExcept(endpoints: string[], denied: (from: string, to: string) => boolean): Set<string> {
  return new Set(endpoints.flatMap((from) => endpoints.filter((to) => !denied(from, to)).map((to) => `${from}->${to}`)))
}

export const nsOf = (endpoint: string) => endpoint.split('/')[0]
export const podOf = (endpoint: string) => endpoint.split('/')[1]

/** Every pod pair of a prediction's query, in source order. */
export function* podPairs(prediction: Prediction, query: number): Generator<{ from: Endpoint; to: Endpoint; verdict: PairVerdict }> {
  for (const fromGroup of prediction.sources) {
    for (const from of fromGroup.members) {
      for (const toGroup of prediction.destinations) {
        for (const to of toGroup.members) yield { from, to, verdict: prediction.pair(query, from, to) }
      }
    }
  }
}
