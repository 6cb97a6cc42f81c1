// predict and explain: snapshot → evaluate → plain reports. No rendering here.
import { explain } from '../evaluate/explain.js'
import { lint, lintScopeOf, type LintScope } from '../evaluate/lint.js'
import type { PortQuery } from '../evaluate/matrix.js'
import { predictMatrix } from '../evaluate/predict.js'
import { resolveRequest, type Request } from '../evaluate/request.js'
import { portQueries } from '../evaluate/scope.js'
import type { Evaluator } from '../evaluate/evaluate.js'
import type { Endpoint } from '../evaluate/endpoint.js'
import { InputError } from '../model/errors.js'
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
  queries: PortQuery[]
  notes: string[]
  lintScope: LintScope
}

export async function predict(options: QueryOptions): Promise<PredictReport> {
  const { evaluator, sources, destinations, queries, notes, lintScope } = await prepare(options)
  return {
    prediction: predictMatrix(evaluator, { sources, destinations, queries }),
    warnings: lint(evaluator, lintScope),
    notes,
  }
}

export async function explainConnections(options: QueryOptions): Promise<ExplainReport> {
  const { from, to } = options.request
  if (from.length === 0 || to.length === 0) throw new InputError('explain needs --from and --to', { field: from.length === 0 ? '--from' : '--to' })
  const { evaluator, sources, destinations, queries, notes, lintScope } = await prepare(options)
  const explanations = queries.flatMap((query) => sources.flatMap((from) => destinations.map((to) =>
    explain(evaluator.evaluate({ from, to, ...query }), evaluator))))
  return { explanations, warnings: lint(evaluator, lintScope), notes }
}

async function prepare({ source, request, externals }: QueryOptions): Promise<Prepared> {
  const { snapshot } = await loadSnapshot(source)
  const { scope, files } = source
  // Files hold every namespace: -n narrows them as it narrows what the cluster returns.
  const inNamespaces = (e: Endpoint) => e.kind === 'external' || files.length === 0 || scope.allNamespaces || scope.namespaces.length === 0 || scope.namespaces.includes(e.pod.namespace)
  const { evaluator, sources, destinations } = resolveRequest(snapshot, request, { externals, labelSelector: scope.labelSelector, includes: inNamespaces })
  return { evaluator, sources, destinations, queries: portQueries(request.ports, request.protocol, destinations), notes: snapshot.notes, lintScope: lintScopeOf(snapshot) }
}
