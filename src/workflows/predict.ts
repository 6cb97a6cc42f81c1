// predict and explain: snapshot → evaluate → plain reports. No rendering here.
import type { Protocol } from '../model/cluster.js'
import { InputError } from '../model/errors.js'
import { createEvaluator, type Evaluator } from '../evaluate/evaluate.js'
import type { Endpoint } from '../evaluate/endpoint.js'
import { explain, type Explanation } from '../evaluate/explain.js'
import { lint, lintScopeOf, type LintScope, type LintWarning } from '../evaluate/lint.js'
import type { PortQuery } from '../evaluate/matrix.js'
import { predictConnections } from '../evaluate/predict.js'
import {
  externalAddresses, filterEndpoints, parseEndpointPattern, parseLabelSelector, parsePort, parseProtocol, portQueries,
} from '../evaluate/scope.js'
import { compileSelector } from '../evaluate/selector.js'
import { loadSnapshot, type SnapshotSource } from '../snapshot/source.js'

export interface QueryOptions {
  source: SnapshotSource
  from: string[]
  to: string[]
  ports: string[]
  protocol?: string
  externals: string[]
}

export interface SideSummary {
  isolated: boolean
  /** Rules that allow it, as `namespace/policy direction[index]`. */
  allowedBy: string[]
}

/** One row of the JSON contract. */
export interface PredictResult {
  from: string
  to: string
  port: number | string
  protocol: Protocol
  allowed: boolean
  resolvedPort?: number
  egress: SideSummary
  ingress: SideSummary
  /** Behaviour the spec leaves to the CNI that this result relies on (see README). */
  cniDefined?: string[]
}

export interface PredictReport {
  results: PredictResult[]
  queries: PortQuery[]
  sources: string[]
  destinations: string[]
  warnings: LintWarning[]
  notes: string[]
}

export interface ExplainReport {
  explanations: Explanation[]
  warnings: LintWarning[]
  notes: string[]
}

interface Prepared {
  evaluator: Evaluator
  sources: Endpoint[]
  destinations: Endpoint[]
  queries: PortQuery[]
  notes: string[]
  lintScope: LintScope
}

export async function predict(options: QueryOptions): Promise<PredictReport> {
  const { evaluator, sources, destinations, queries, notes, lintScope } = await prepare(options)
  const results = predictConnections(evaluator, { sources, destinations, queries }).map((c): PredictResult => {
    const verdict = c.verdict()
    const summary = (side: typeof verdict.egress): SideSummary => ({
      isolated: side.isolated,
      allowedBy: side.allowedBy.map((r) => `${r.rule.policy.namespace}/${r.rule.policy.name} ${r.rule.direction}[${r.rule.index}]`),
    })
    return {
      from: c.from.key,
      to: c.to.key,
      port: c.query.port,
      protocol: c.query.protocol,
      allowed: c.allowed,
      ...(typeof c.query.port === 'string' ? { resolvedPort: verdict.resolvedPort } : {}),
      egress: summary(verdict.egress),
      ingress: summary(verdict.ingress),
      ...(verdict.cniDefined.length > 0 ? { cniDefined: verdict.cniDefined.map((d) => d.kind) } : {}),
    }
  })
  return {
    results,
    queries,
    sources: sources.map((e) => e.key),
    destinations: destinations.map((e) => e.key),
    warnings: lint(evaluator, lintScope),
    notes,
  }
}

export async function explainConnections(options: QueryOptions): Promise<ExplainReport> {
  if (options.from.length === 0 || options.to.length === 0) throw new InputError('explain needs --from and --to', { field: options.from.length === 0 ? '--from' : '--to' })
  const { evaluator, sources, destinations, queries, notes, lintScope } = await prepare(options)
  const explanations = queries.flatMap((query) => sources.flatMap((from) => destinations.map((to) =>
    explain(evaluator.evaluate({ from, to, ...query }), evaluator))))
  return { explanations, warnings: lint(evaluator, lintScope), notes }
}

async function prepare(options: QueryOptions): Promise<Prepared> {
  const fromPatterns = options.from.map((f) => parseEndpointPattern(f, '--from'))
  const toPatterns = options.to.map((t) => parseEndpointPattern(t, '--to'))
  const ports = options.ports.map((p) => parsePort(p))
  const protocol = options.protocol === undefined ? undefined : parseProtocol(options.protocol)
  const selector = options.source.scope.labelSelector === undefined ? undefined : compileSelector(parseLabelSelector(options.source.scope.labelSelector))
  const { snapshot } = await loadSnapshot(options.source)
  const externals = [...new Set([...snapshot.externals, ...options.externals, ...externalAddresses([...fromPatterns, ...toPatterns], snapshot.pods)])]
  const evaluator = createEvaluator({ ...snapshot, externals })
  const inScope = evaluator.endpoints.filter((e) => e.kind === 'external' || (
    (selector?.matches(e.pod.labels) ?? true) &&
    (options.source.files.length === 0 || options.source.scope.allNamespaces || options.source.scope.namespaces.length === 0 ||
      options.source.scope.namespaces.includes(e.pod.namespace))))
  const sources = filterEndpoints(inScope, fromPatterns, '--from')
  const destinations = filterEndpoints(inScope, toPatterns, '--to')
  return { evaluator, sources, destinations, queries: portQueries(ports, protocol, destinations), notes: snapshot.notes, lintScope: lintScopeOf(snapshot) }
}
