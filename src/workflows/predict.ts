// predict and explain: snapshot → evaluate → plain reports. No rendering here.
import { explainConnection } from '../evaluate/explain.js'
import { lint, lintScopeOf, type LintScope } from '../evaluate/lint.js'
import { predictMatrix } from '../evaluate/predict.js'
import { resolveRequest, type Request } from '../evaluate/request.js'
import { requirePorts, uncheckedNote, type PortPlan } from '../evaluate/scope.js'
import type { Evaluator } from '../evaluate/evaluate.js'
import type { Endpoint } from '../evaluate/endpoint.js'
import { InputError, noResourcesFound } from '../model/errors.js'
import type { ExplainReport, PredictReport } from '../report/model.js'
import { loadSnapshot, type SnapshotSource } from '../snapshot/source.js'

/** predict's and explain's question: where the snapshot comes from, what is asked, extra external addresses. */
export interface QueryOptions {
  source: SnapshotSource
  request: Request
  externals: string[]
}

interface Prepared {
  evaluator: Evaluator
  sources: Endpoint[]
  destinations: Endpoint[]
  ports: PortPlan
  notes: string[]
  lintScope: LintScope
  /** kubectl's "No resources found" when no pod is in scope. */
  noResources?: string
}

export async function predict(options: QueryOptions): Promise<PredictReport> {
  const { evaluator, sources, destinations, ports, notes, lintScope, noResources } = await prepare(options)
  return {
    prediction: predictMatrix(evaluator, { sources, destinations, queries: ports.queries, checks: ports.checks }),
    warnings: lint(evaluator, lintScope),
    notes,
    ...(noResources ? { noResources } : {}),
  }
}

export async function explainConnections(options: QueryOptions): Promise<ExplainReport> {
  const { from, to } = options.request
  if (from.length === 0 || to.length === 0) throw new InputError('explain needs --from and --to', { field: from.length === 0 ? '--from' : '--to' })
  const { evaluator, sources, destinations, ports, notes, lintScope } = await prepare(options)
  // One name on both sides (`shop/db-0` to `shop/db-0`) is one pod, even when its workload's template stands for it.
  const samePodName = from.length === 1 && to.length === 1 && from[0].kind === 'pod' && from[0].text === to[0].text ? from[0].name : undefined
  const explanations = ports.queries.flatMap((query) => sources.flatMap((source) => destinations.filter((d) => ports.checks(query, d)).map((d) =>
    explainConnection(evaluator, source, d, query, samePodName))))
  return { explanations, warnings: lint(evaluator, lintScope), notes }
}

async function prepare({ source, request, externals }: QueryOptions): Promise<Prepared> {
  const { snapshot } = await loadSnapshot(source)
  const { scope, files } = source
  // Files hold every namespace: -n narrows them as it narrows what the cluster returns.
  const inNamespaces = (e: Endpoint) => e.kind === 'external' || files.length === 0 || scope.allNamespaces || scope.namespaces.length === 0 || scope.namespaces.includes(e.pod.namespace)
  const { evaluator, inScope, sources, destinations, ports } = resolveRequest(snapshot, request, { externals, labelSelector: scope.labelSelector, includes: inNamespaces })
  const namespaces = files.length === 0 ? snapshot.podScope?.namespaces : scope.allNamespaces ? undefined : scope.namespaces
  const noResources = inScope.some((e) => e.kind === 'pod') ? undefined : noResourcesFound(namespaces)
  if (!noResources) requirePorts(ports, request.protocol)
  return {
    evaluator, sources, destinations, ports,
    notes: [...snapshot.notes, ...uncheckedNote(ports, request.protocol)],
    lintScope: lintScopeOf(snapshot),
    noResources,
  }
}
